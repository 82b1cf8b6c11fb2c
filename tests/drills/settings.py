"""Settings for the drills' own processes (worker, web server, actions).

The test settings, but on a database and a storage folder that every process of a drill shares
(the test run's own database lives inside pytest's transactions), with persistent connections
checked before use as in production, and the Celery queue and transport options the drill picks.
"""

import json
import os
from pathlib import Path

import dj_database_url

from config.settings.base import s3_storage
from config.settings.test import *  # noqa: F403
from config.settings.test import CELERY_BROKER_TRANSPORT_OPTIONS, CELERY_BROKER_URL, STORAGES

DATABASES = {
    "default": dj_database_url.parse(
        os.environ["DATABASE_URL"], conn_max_age=60, conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A worker writes while the drill reads and an action writes: WAL, and wait for locks.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

PRIVATE_STORAGE_ROOT = Path(os.environ["DRILL_STORAGE"])
STORAGES = {
    **STORAGES,
    "default": {**STORAGES["default"], "OPTIONS": {"location": PRIVATE_STORAGE_ROOT}},
    "evidence": {**STORAGES["evidence"], "OPTIONS": {"location": PRIVATE_STORAGE_ROOT}},
}
if os.environ.get("FILE_STORAGE") == "s3":
    # What production builds for FILE_STORAGE=s3 (config/settings/base.py), on the S3_* values.
    STORAGES = {**STORAGES, "default": s3_storage("files"), "evidence": s3_storage("")}

if CELERY_BROKER_URL and CELERY_BROKER_URL.startswith("filesystem"):
    # The result backend defaults to the broker's URL, and a folder is no result store (no
    # result is stored anyway: CELERY_TASK_IGNORE_RESULT).
    CELERY_RESULT_BACKEND = None
# How long the main process waits for a lost pool process's result before WorkerLostError
# (default 10 s): the drill kills processes that have none to send, and need not wait.
CELERY_WORKER_LOST_WAIT = 1
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("DRILL_QUEUE", "celery")
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,
    **json.loads(os.environ.get("DRILL_TRANSPORT_OPTIONS", "{}")),
}
