"""Time the CAIQ workbook export and import of a fully answered 261-question questionnaire.

(a) Export: ``caiq.services.transfer.export_xlsx`` against raw openpyxl doing the same work by
    hand (load the same template bytes, write the same four answer cells of every question row,
    save to memory). Target: the service takes at most 1.5x the raw time (medians).
(b) Import: ``import_workbook`` of the exported workbook when nothing changes, and when all 261
    answers change (two workbooks that differ in every answer, imported alternately, so every
    run changes every answer and writes 261 history records). Target: median under 500 ms.

Each measurement is the median of N runs (default 10) after one warm-up run, timed with
time.perf_counter(). The database is a fresh SQLite file in a temporary folder, with
config.settings.test (DEBUG off) and the WAL pragmas config.settings.dev gives SQLite; the data
is built through the project's services. The catalog is the project's sample workbook, which
has CSA's v4.0.3 file's parts, styles, merges, protection and validations (docs/caiq-format.md).

Exits 1 when a target is missed, 2 when a run fails.

Run: .venv/bin/python bench/workbook.py [--runs N]
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXPORT_RATIO_TARGET = 1.5
IMPORT_TARGET_MS = 500.0
TEXTS = [
    "Documented in the information security policy (v3.2), approved by the CISO and reviewed "
    "every year; procedures are published on the intranet with a named owner for each.",
    "Enforced by the platform: settings are defined as code, peer reviewed, and drift is "
    "detected nightly; exceptions need a ticket approved by security.",
    "Covered by our ISO/IEC 27001:2022 certified ISMS, last audited in March by an accredited "
    "body with no major non-conformity; evidence is available under NDA.",
]


def _configure(folder: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'bench.sqlite3'}"
    sys.path.insert(0, str(ROOT))
    import django
    from django.conf import settings

    settings.DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    assert not settings.DEBUG, "timings need DEBUG off"
    django.setup()


def _catalog_bytes() -> tuple[bytes, str]:
    from caiq.xlsx.builder import SAMPLE_FILENAME, sample_workbook_bytes

    return sample_workbook_bytes(), SAMPLE_FILENAME


def _seed():
    """A catalog, an organisation with an admin, and a questionnaire with all 261 answered."""
    from accounts.models import Membership, Organization, Role, User
    from caiq import services

    data, filename = _catalog_bytes()
    version = services.catalog_import(data=data, filename=filename).version
    org = Organization.objects.create(name="Bench Cloud", slug="bench")
    user = User.objects.create_user(email="admin@bench.caiq.test", password=None)
    admin = Membership.objects.create(user=user, organization=org, role=Role.ADMIN)
    questionnaire = services.questionnaire_create(
        membership=admin, version=version, name="Bench 2026", service_name="Bench Storage"
    )
    answers = questionnaire.answers.select_related("questionnaire", "question")
    for i, answer in enumerate(answers.order_by("question__position")):
        kind = ("Yes", "Yes", "No", "NA")[i % 4]
        services.answer_update(
            answer=answer,
            membership=admin,
            user=user,
            values={
                "answer": kind,
                "ssrm": "" if kind == "NA" else ("CSP-owned", "Shared CSP and CSC")[i % 2],
                "implementation": TEXTS[i % len(TEXTS)],
                "csc_responsibilities": f"Customers configure {answer.question.code}.",
            },
            base_revision=answer.revision,
        )
    return questionnaire, admin, filename


def _median_ms(action, runs: int) -> tuple[float, list[float]]:
    action()  # warm-up
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), samples


def _raw_openpyxl_export(template: bytes, layout: dict, values: dict[str, tuple]) -> bytes:
    """What a hand-written exporter does: load, set the four answer cells per row, save."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(template))
    sheet = workbook[layout["sheet"]]
    columns = layout["columns"]
    keys = ("answer", "ssrm", "implementation", "csc")
    for row in range(layout["first_row"], layout["last_row"] + 1):
        cells = values.get(sheet.cell(row, columns["question_id"]).value)
        if cells is None:
            continue
        for key, value in zip(keys, cells, strict=True):
            sheet.cell(row, columns[key]).value = value or None
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _all_changed(data: bytes, layout: dict) -> bytes:
    """The exported workbook with every answer's implementation description reworded."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook[layout["sheet"]]
    column = layout["columns"]["implementation"]
    for row in range(layout["first_row"], layout["last_row"] + 1):
        cell = sheet.cell(row, column)
        cell.value = f"{cell.value or ''} Reviewed again in June."
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def measure(runs: int) -> dict:
    from django.core.management import call_command

    from caiq.services.transfer import answer_cells, export_xlsx, import_workbook

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    questionnaire, admin, catalog = _seed()
    seed_seconds = time.perf_counter() - started

    version = questionnaire.version
    with version.template.open("rb") as handle:
        template = handle.read()
    values = {
        code: (c.answer, c.ssrm, c.implementation, c.csc)
        for code, c in answer_cells(questionnaire).items()
    }
    service_ms, service_samples = _median_ms(lambda: export_xlsx(questionnaire), runs)
    raw_ms, raw_samples = _median_ms(
        lambda: _raw_openpyxl_export(template, version.layout, values), runs
    )

    exported = export_xlsx(questionnaire)
    changed = _all_changed(exported, version.layout)

    def import_one(data: bytes, expected: tuple[int, int, int]):
        summary = import_workbook(
            questionnaire=questionnaire, data=data, user=admin.user, membership=admin
        )
        got = (summary.new, summary.changed, summary.unchanged)
        if got != expected:
            raise RuntimeError(f"import gave new/changed/unchanged {got}, expected {expected}")

    unchanged_ms, unchanged_samples = _median_ms(lambda: import_one(exported, (0, 0, 261)), runs)
    turn = {"next": changed}

    def import_all_changed():
        data = turn["next"]
        turn["next"] = exported if data is changed else changed
        import_one(data, (0, 261, 0))

    changed_ms, changed_samples = _median_ms(import_all_changed, runs)
    return {
        "catalog": catalog,
        "bytes": len(exported),
        "seed_seconds": seed_seconds,
        "export_service_ms": service_ms,
        "export_raw_ms": raw_ms,
        "export_samples": (service_samples, raw_samples),
        "import_unchanged_ms": unchanged_ms,
        "import_changed_ms": changed_ms,
        "import_samples": (unchanged_samples, changed_samples),
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


def header() -> str:
    import django
    from django.db import connection

    return (
        f"workbook benchmark {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z} | "
        f"{_cpu_model()} ({platform.machine()}) | {os.cpu_count()} cores | "
        f"Python {platform.python_version()} | Django {django.get_version()} | "
        f"SQLite {connection.Database.sqlite_version} (file, WAL)"
    )


def report(result: dict, runs: int) -> bool:
    ratio = result["export_service_ms"] / result["export_raw_ms"]
    checks = {
        "export": ratio <= EXPORT_RATIO_TARGET,
        "unchanged": result["import_unchanged_ms"] < IMPORT_TARGET_MS,
        "changed": result["import_changed_ms"] < IMPORT_TARGET_MS,
    }

    def verdict(key):
        return "PASS" if checks[key] else "FAIL"

    def spread(samples):
        return f"(min {min(samples):.0f}, max {max(samples):.0f})"

    print(header())
    print(
        f"catalog {result['catalog']}; 261 questions, all answered; exported workbook "
        f"{result['bytes'] / 1024:.0f} KiB; median of {runs} runs after 1 warm-up "
        f"(data set up in {result['seed_seconds']:.1f} s)"
    )
    service, raw = result["export_samples"]
    print(
        f"  export_xlsx (service)          median {result['export_service_ms']:7.1f} ms "
        f"{spread(service)}"
    )
    print(
        f"  raw openpyxl load-fill-save    median {result['export_raw_ms']:7.1f} ms {spread(raw)}"
    )
    print(
        f"  export ratio service/raw       {ratio:5.2f}x  (target <= {EXPORT_RATIO_TARGET}x) "
        f"{verdict('export')}"
    )
    unchanged, changed = result["import_samples"]
    print(
        f"  import, nothing changes        median {result['import_unchanged_ms']:7.1f} ms "
        f"{spread(unchanged)}  (target < {IMPORT_TARGET_MS:.0f} ms) {verdict('unchanged')}"
    )
    print(
        f"  import, all 261 answers change median {result['import_changed_ms']:7.1f} ms "
        f"{spread(changed)}  (target < {IMPORT_TARGET_MS:.0f} ms) {verdict('changed')}"
    )
    return all(checks.values())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="caiq-bench-") as folder:
        _configure(Path(folder))
        from django.conf import settings
        from django.db import connections

        try:
            result = measure(args.runs)
            passed = report(result, args.runs)
        except Exception as exc:  # a failed run is reported, not a traceback
            print(f"ERROR: {type(exc).__name__}: {exc}")
            return 2
        finally:
            connections.close_all()
            private = Path(settings.PRIVATE_STORAGE_ROOT)
            if private.name.startswith("caiq-test-private-"):
                shutil.rmtree(private, ignore_errors=True)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
