"""Structured logs: one JSON object per line from Django, gunicorn and Celery in production."""

import io
import json
import logging
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from config.logs import JsonFormatter, RequestContextFilter, logging_config

ROOT = Path(__file__).resolve().parent.parent
FIRST_KEYS = ["timestamp", "level", "logger", "message"]


@pytest.fixture
def json_lines():
    """A handler like production's console handler, writing to a buffer; returns its lines."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestContextFilter())
    loggers = [logging.getLogger(name) for name in ("tests.logging", "django.request")]
    for logger in loggers:
        logger.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    for logger in loggers:
        logger.removeHandler(handler)


def production(**env) -> dict:
    """The environment of a production process: prod settings on a throwaway SQLite file."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "LOG_"))}
    return {
        **clean,
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "SECURE_SSL_REDIRECT": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "CELERY_BROKER_URL": "",
        "CELERY_TASK_ALWAYS_EAGER": "true",  # in-process, on purpose: no broker here
        "CACHE_URL": "",
        "REDIS_URL": "",
        **env,
    }


def parse(output: str) -> list[dict]:
    """Every line of ``output`` as JSON: a line that is not one fails here."""
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def test_a_record_is_one_json_object_with_the_standard_keys_first(json_lines):
    logging.getLogger("tests.logging").warning("Export of %s failed", "Q1", extra={"job": 7})

    [line] = json_lines()
    assert list(line)[:4] == FIRST_KEYS
    assert line["level"] == "WARNING"
    assert line["logger"] == "tests.logging"
    assert line["message"] == "Export of Q1 failed"
    assert line["job"] == 7
    assert line["timestamp"].endswith("+00:00")  # ISO 8601, UTC


def test_an_exception_is_kept_in_the_same_line(json_lines):
    try:
        raise ValueError("bad row")
    except ValueError:
        logging.getLogger("tests.logging").exception("Import failed")

    [line] = json_lines()
    assert line["message"] == "Import failed"
    assert "ValueError: bad row" in line["exc_info"]


def test_a_line_written_for_a_request_names_it_and_the_response_carries_its_id(
    client, db, json_lines
):
    response = client.get("/no/such/page/", headers={"X-Request-ID": "proxy-abc.123"})
    forged = client.get("/no/such/page/", headers={"X-Request-ID": '"}\n{"level": "fake'})

    first, second = json_lines()
    assert response["X-Request-ID"] == "proxy-abc.123"
    assert first["logger"] == "django.request"
    assert first["status_code"] == 404
    assert (first["request_id"], first["method"], first["path"]) == (
        "proxy-abc.123",
        "GET",
        "/no/such/page/",
    )
    # A request id that is not a plain token is replaced, never written into the log.
    assert second["request_id"] == forged["X-Request-ID"]
    assert len(second["request_id"]) == 32


def test_production_logs_json_and_development_plain_unless_told_otherwise(tmp_path):
    probe = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.LOGGING['handlers']['console']['formatter'])"
    )

    def formatter(settings_module: str, **env) -> str:
        result = subprocess.run(  # noqa: S603 - our own interpreter and code
            [sys.executable, "-c", probe],
            cwd=ROOT,
            env=production(DJANGO_SETTINGS_MODULE=settings_module, DATA_DIR=str(tmp_path), **env),
            capture_output=True,
            text=True,
            check=True,
        )
        return result.stdout.strip()

    assert formatter("config.settings.prod") == "json"
    assert formatter("config.settings.prod", LOG_FORMAT="plain") == "plain"
    assert formatter("config.settings.dev") == "plain"


def test_an_unknown_log_format_is_refused():
    with pytest.raises(Exception, match="LOG_FORMAT must be one of json, plain"):
        logging_config("xml")


def test_a_celery_worker_logs_json_lines_with_the_task(tmp_path):
    code = """
import logging
from config.celery import app
import django; django.setup()
app.log.setup(loglevel="INFO")  # what `celery worker` and `celery beat` do at start

@app.task(name="tests.log_something")
def log_something():
    logging.getLogger("caiq.tasks").info("working")

logging.getLogger("celery.worker").info("ready")
log_something.apply(task_id="task-1")
"""
    result = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=production(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}"),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    lines = parse(result.stderr)
    ready = next(line for line in lines if line["message"] == "ready")
    working = next(line for line in lines if line["message"] == "working")
    assert list(ready)[:4] == FIRST_KEYS
    assert (working["task_id"], working["task_name"]) == ("task-1", "tests.log_something")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_gunicorn_writes_its_access_and_error_lines_as_json(tmp_path):
    port = free_port()
    env = production(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        STATIC_ROOT=str(tmp_path),
        GUNICORN_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="1",
    )
    server = subprocess.Popen(  # noqa: S603 - our own gunicorn and config
        [str(Path(sys.executable).parent / "gunicorn"), "-c", "config/gunicorn.py", "config.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        body = _get_when_up(f"http://127.0.0.1:{port}/healthz?checks=database", server)
    finally:
        server.send_signal(signal.SIGTERM)
        stdout, stderr = server.communicate(timeout=30)

    assert json.loads(body)["status"] == "ok"
    lines = parse(stdout) + parse(stderr)
    assert {line["logger"] for line in lines} >= {"gunicorn.error", "gunicorn.access"}
    assert all(list(line)[:4] == FIRST_KEYS for line in lines)
    access = next(line for line in lines if line["logger"] == "gunicorn.access")
    assert access["method"] == "GET"
    assert access["path"] == "/healthz"
    assert access["status"] == "200"
    assert isinstance(access["duration_ms"], int)
    assert len(access["request_id"]) == 32


def _get_when_up(url: str, server: subprocess.Popen, within: float = 30.0) -> str:
    deadline = time.monotonic() + within
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback
                return response.read().decode()
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise
            time.sleep(0.2)
