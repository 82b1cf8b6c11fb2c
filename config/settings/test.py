"""Tests: SQLite unless DATABASE_URL says otherwise; fast hashing; local outbox."""

import tempfile
from pathlib import Path

import dj_database_url

from .base import *  # noqa: F403
from .base import env

SECRET_KEY = "test-only-key"  # noqa: S105
DEBUG = False
DATABASES = {
    "default": dj_database_url.parse(env("DATABASE_URL", "sqlite://:memory:")),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A test database in a file (in memory-backed /dev/shm where there is one) rather than
    # SQLite's shared-cache in-memory database: threads with their own connections (a Celery
    # worker, racing requests, the live server) then wait for each other's locks instead of
    # failing with "database table is locked". WAL lets readers run beside a writer; IMMEDIATE
    # takes the write lock at BEGIN so a transaction never fails mid-way upgrading to one.
    _shm = "/dev/shm"  # noqa: S108 - only as the parent of a private mkdtemp folder
    _db_dir = tempfile.mkdtemp(prefix="caiq-test-db-", dir=_shm if Path(_shm).is_dir() else None)
    DATABASES["default"]["TEST"] = {"NAME": str(Path(_db_dir) / "test.sqlite3")}
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# The tests' webhook receivers listen on loopback; the SSRF tests switch this off.
WEBHOOKS_ALLOW_PRIVATE = True
WEBHOOK_CONNECT_TIMEOUT = 2.0
WEBHOOK_READ_TIMEOUT = 1.0
PRIVATE_STORAGE_ROOT = Path(tempfile.mkdtemp(prefix="caiq-test-private-"))
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_STORAGE_ROOT, "base_url": None},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "evidence": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_STORAGE_ROOT, "base_url": None},
    },
}
ALLOWED_HOSTS = ["*"]
# Serve static files from the app folders directly: tests never run collectstatic.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
