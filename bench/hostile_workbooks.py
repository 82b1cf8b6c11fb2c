"""Prove that every hostile workbook is refused within a second and 100 MB of memory.

Each case runs `open_workbook(path)` in a fresh interpreter, and its peak resident memory is
the ru_maxrss that os.wait4 reports for it. Linux carries a parent's peak over into a child it
forks, so this process stays small: the files are built by a separate builder process, and
nothing heavy is imported here. A child's peak includes the interpreter and openpyxl (the
baseline row); its time is the wall time of the open_workbook call alone.

Run: .venv/bin/python bench/hostile_workbooks.py
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_SECONDS = 1.0
MAX_RSS_MB = 100
# A runaway child is stopped rather than allowed to take the machine down with it.
CHILD_CPU_SECONDS = 30
CHILD_ADDRESS_SPACE = 4 * 1024**3


def build(folder: Path) -> None:
    """Write the valid control and every hostile workbook into `folder`, in order."""
    sys.path.insert(0, str(ROOT))
    from tests.hostile import HOSTILE_WORKBOOKS, valid_workbook

    (folder / "00-control.xlsx").write_bytes(valid_workbook())
    for number, (name, builder) in enumerate(HOSTILE_WORKBOOKS.items(), start=1):
        (folder / f"{number:02}-{name}.xlsx").write_bytes(builder())


def open_one(path: str) -> None:
    """Open `path` ("" for nothing, to measure the baseline) and print the outcome as JSON."""
    sys.path.insert(0, str(ROOT))
    import time

    from caiq.xlsx.guard import WorkbookRejected, open_workbook

    start = time.perf_counter()
    try:
        if path:
            open_workbook(path)
        outcome, refused = "opened", False
    except WorkbookRejected as exc:
        outcome, refused = str(exc), True
    seconds = time.perf_counter() - start
    print(json.dumps({"outcome": outcome, "refused": refused, "seconds": seconds}))


def _limit_child() -> None:
    resource.setrlimit(resource.RLIMIT_CPU, (CHILD_CPU_SECONDS, CHILD_CPU_SECONDS))
    resource.setrlimit(resource.RLIMIT_AS, (CHILD_ADDRESS_SPACE, CHILD_ADDRESS_SPACE))


def run_child(*args: str) -> tuple[int, bytes, bytes, float]:
    """Run this script with `args` in a fresh, limited interpreter: its exit code, output,
    errors, and peak resident memory in MB."""
    child = subprocess.Popen(  # noqa: S603 (our own interpreter and script)
        [sys.executable, __file__, *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=_limit_child,
    )
    stdout, stderr = child.stdout.read(), child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    return child.returncode, stdout, stderr, usage.ru_maxrss / 1024  # kB on Linux


def run_case(path: str) -> dict:
    code, stdout, stderr, rss_mb = run_child("--open", path)
    if code == 0 and stdout:
        return {**json.loads(stdout), "rss_mb": rss_mb}
    tail = (stderr.decode(errors="replace").strip().splitlines() or ["no output"])[-1]
    outcome = f"CRASHED (exit {code}): {tail}"
    return {"outcome": outcome, "refused": False, "seconds": float("nan"), "rss_mb": rss_mb}


def main() -> int:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        code, _, stderr, _ = run_child("--build", name)
        if code != 0:
            print(stderr.decode(errors="replace"), file=sys.stderr)
            return 2
        baseline = run_case("")
        control, *cases = sorted(folder.iterdir())
        control_result = run_case(str(control))
        results = [(path.stem.split("-", 1)[1], run_case(str(path))) for path in cases]

    print(f"{'case':<26} {'verdict':<7} {'seconds':>7} {'peak MB':>8}  outcome")
    print(f"{'(baseline: imports)':<26} {'':<7} {'':>7} {baseline['rss_mb']:>8.1f}")
    print(
        f"{'(control: valid)':<26} {control_result['outcome']:<7} "
        f"{control_result['seconds']:>7.3f} {control_result['rss_mb']:>8.1f}"
    )
    failures = 0
    for case, result in results:
        ok = (
            result["refused"]
            and result["seconds"] <= MAX_SECONDS
            and result["rss_mb"] <= MAX_RSS_MB
        )
        failures += not ok
        print(
            f"{case:<26} {'ok' if ok else 'FAIL':<7} {result['seconds']:>7.3f} "
            f"{result['rss_mb']:>8.1f}  {result['outcome']}"
        )
    print(
        f"\n{len(results) - failures} of {len(results)} refused within {MAX_SECONDS:g} s "
        f"and {MAX_RSS_MB} MB."
    )
    return 1 if failures or control_result["refused"] else 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--build"]:
        build(Path(sys.argv[2]))
    elif sys.argv[1:2] == ["--open"]:
        open_one(sys.argv[2])
    else:
        sys.exit(main())
