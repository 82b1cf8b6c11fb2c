"""Settings per environment, driven by environment variables (run in fresh interpreters)."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_python(code: str, **env) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DATABASE_URL", "CACHE_URL", "REDIS_URL"}
        and not k.startswith(("DJANGO_", "CELERY_"))
    }
    return subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def probe(settings_module: str, expression: str, **env) -> subprocess.CompletedProcess:
    """Print ``expression`` (over ``s``, the settings) from a fresh interpreter."""
    return run_python(
        f"import os; os.environ['DJANGO_SETTINGS_MODULE'] = {settings_module!r}; "
        "import django; django.setup(); from django.conf import settings as s; "
        f"print({expression})",
        **env,
    )


def manage(*args: str, **env) -> subprocess.CompletedProcess:
    return run_python(
        "import sys; from django.core.management import execute_from_command_line; "
        f"execute_from_command_line(['manage.py', *{list(args)!r}])",
        **env,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = probe("config.settings.prod", "s.DEBUG")

    assert result.returncode != 0
    assert "SECRET_KEY must be set in production" in result.stderr


def test_the_deploy_check_on_production_settings_reports_nothing():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        "--settings",
        "config.settings.prod",
        SECRET_KEY=secrets.token_urlsafe(50),
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
    )

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_refuses_to_start_without_a_broker():
    result = probe("config.settings.prod", "s.DEBUG", SECRET_KEY=secrets.token_urlsafe(50))

    assert result.returncode != 0
    assert "CELERY_BROKER_URL must be set in production" in result.stderr
    assert "CELERY_TASK_ALWAYS_EAGER=true" in result.stderr


def test_production_runs_tasks_in_process_only_when_asked_to():
    result = probe(
        "config.settings.prod",
        "s.CELERY_TASK_ALWAYS_EAGER",
        SECRET_KEY=secrets.token_urlsafe(50),
        CELERY_TASK_ALWAYS_EAGER="true",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_the_cache_and_the_broker_are_separate_settings():
    result = probe(
        "config.settings.prod",
        "s.CELERY_BROKER_URL, s.CACHES['default']['LOCATION']",
        SECRET_KEY=secrets.token_urlsafe(50),
        CELERY_BROKER_URL="redis://broker:6379/0",
        CACHE_URL="redis://cache:6379/0",
    )

    assert result.stdout.split() == ["redis://broker:6379/0", "redis://cache:6379/0"]


def test_development_defaults_to_sqlite_under_the_data_folder(tmp_path):
    result = probe(
        "config.settings.dev",
        "s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME'], "
        "s.CELERY_TASK_ALWAYS_EAGER, s.STORAGES['default']['OPTIONS']['location']",
        DATA_DIR=str(tmp_path),
        CELERY_BROKER_URL="",
    )

    engine, name, eager, storage = result.stdout.split()
    assert engine == "django.db.backends.sqlite3"
    assert name == str(tmp_path / "db.sqlite3")
    assert eager == "True"
    assert storage == str(tmp_path / "private")


def test_a_broker_url_turns_celery_to_a_real_broker_and_database_url_is_honoured():
    result = probe(
        "config.settings.prod",
        "s.CELERY_TASK_ALWAYS_EAGER, s.DATABASES['default']['ENGINE'], s.ALLOWED_HOSTS",
        SECRET_KEY=secrets.token_urlsafe(50),
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
        DATABASE_URL="postgres://u@db:5432/caiq",
        ALLOWED_HOSTS="caiq.example.com,api.example.com",
    )

    assert result.stdout.split(" ", 2) == [
        "False",
        "django.db.backends.postgresql",
        "['caiq.example.com', 'api.example.com']\n",
    ]


def test_the_wsgi_entry_point_loads_and_tunes_the_garbage_collector():
    result = run_python(
        "import gc, config.wsgi as w; from config.runtime import GC_THRESHOLDS; "
        "print(callable(w.application), gc.get_threshold() == GC_THRESHOLDS,"
        " gc.get_freeze_count() > 0)",
        SECRET_KEY=secrets.token_urlsafe(50),
    )

    assert result.stdout.split() == ["True", "True", "True"], result.stderr
