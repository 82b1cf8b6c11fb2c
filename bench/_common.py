"""Helpers shared by the benchmarks: configuring Django, the machine header, cleaning up.

The older scripts (fill_page.py, api_answers.py, workbook.py) keep their own copies; what they
already define is imported from bench/fill_page.py rather than written again.
"""

from __future__ import annotations

import datetime
import os
import platform
import sys
from pathlib import Path

from bench.fill_page import _cpu_model, _engine, _private_storage_cleanup

ROOT = Path(__file__).resolve().parent.parent

__all__ = [
    "ROOT",
    "configure",
    "engine",
    "header",
    "private_storage_cleanup",
]

engine = _engine
private_storage_cleanup = _private_storage_cleanup


def configure(database_url: str) -> None:
    """config.settings.test (DEBUG off, fast hashing) on ``database_url``, then django.setup()."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    os.environ["DATABASE_URL"] = database_url
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django
    from django.conf import settings

    assert not settings.DEBUG, "timings need DEBUG off"
    django.setup()


def header(title: str) -> str:
    import django

    model = _cpu_model()
    return (
        f"{title} {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z} | "
        f"{platform.machine()}{f' ({model})' if model else ''} | {os.cpu_count()} CPUs | "
        f"Python {platform.python_version()} | Django {django.get_version()} | {engine()}"
    )
