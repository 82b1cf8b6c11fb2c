"""``celery -A config worker ARGS`` whose xlsx exports can be held long enough to be killed.

``python -m tests.drills.slow_worker ARGS``. Test-only: before the worker starts, this process
wraps the export so that a run which takes one token from the file DRILL_HOLD_FILE (a count)
writes its pid to DRILL_PID_FILE and sleeps. Prefork pool processes are forked from here, so
they run the wrapped export; production code has no hook for this.
"""

import os
import sys
import time
from pathlib import Path

import django

HOLD_SECONDS = 120  # far longer than any drill waits before it kills the holder


def _take_token(path: Path) -> bool:
    try:
        tokens = int(path.read_text())
    except (FileNotFoundError, ValueError):
        return False
    if tokens <= 0:
        return False
    path.write_text(str(tokens - 1))
    return True


def _held(export):
    def held_export(questionnaire, *args, **kwargs):
        if _take_token(Path(os.environ["DRILL_HOLD_FILE"])):
            pid_file = Path(os.environ["DRILL_PID_FILE"])
            partial = pid_file.with_suffix(".partial")
            partial.write_text(str(os.getpid()))
            partial.replace(pid_file)  # the drill never reads half a pid
            time.sleep(HOLD_SECONDS)
        return export(questionnaire, *args, **kwargs)

    return held_export


def main() -> None:
    django.setup()
    from celery.bin.celery import main as celery

    from caiq.models import JobKind
    from caiq.services import jobs

    export, extension = jobs.EXPORTS[JobKind.EXPORT_XLSX]
    jobs.EXPORTS[JobKind.EXPORT_XLSX] = (_held(export), extension)
    sys.argv = ["celery", "-A", "config", "worker", *sys.argv[1:]]
    celery()


if __name__ == "__main__":
    main()
