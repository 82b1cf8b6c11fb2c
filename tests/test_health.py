"""GET /healthz: database, cache and worker checks, each bounded in time, no login, no secrets."""

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper

from config import health

ROOT = Path(__file__).resolve().parent.parent
SECRET = "s3cret-password"


def closed_port() -> int:
    """A port on loopback that nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def redis_answers() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


@pytest.fixture
def dead_redis_url() -> str:
    return f"redis://:{SECRET}@127.0.0.1:{closed_port()}/0"


def test_it_reports_ok_without_a_login_and_is_never_cached(client, db, settings):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"]
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["cache"] == ("ok" if settings.CACHE_URL else "local memory")
    # The test settings have no broker: Celery runs tasks in-process.
    assert (body["checks"]["broker"], body["checks"]["worker"]) == ("in-process", "in-process")


def test_a_failing_database_answers_503_naming_it_without_its_error_text(client, db):
    error = OperationalError(f"connection to server failed: password={SECRET}")
    with mock.patch.object(BaseDatabaseWrapper, "cursor", side_effect=error):
        response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["failing"] == ["database"]
    assert body["checks"]["database"] == "failed: OperationalError"
    assert SECRET not in response.text


def test_an_unreachable_redis_answers_503_naming_the_cache(client, db, settings, dead_redis_url):
    settings.CACHE_URL = dead_redis_url
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": dead_redis_url,
        }
    }

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["failing"] == ["cache"]
    assert response.json()["checks"]["cache"].startswith("failed: ")
    assert SECRET not in response.text
    assert str(dead_redis_url) not in response.text


def test_a_broker_without_a_worker_answers_503_naming_the_worker(
    client, db, settings, dead_redis_url
):
    # A real Redis where no worker listens (this run's own database), else nothing at all.
    live = redis_answers()
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/1" if live else dead_redis_url
    settings.CELERY_TASK_ALWAYS_EAGER = False

    started = time.monotonic()
    response = client.get("/healthz")
    elapsed = time.monotonic() - started

    assert response.status_code == 503
    assert response.json()["failing"] == (["worker"] if live else ["broker", "worker"])
    assert response.json()["checks"]["worker"] == (
        "failed: no worker answered within 1 s" if live else "failed: OperationalError"
    )
    assert elapsed < health.CHECK_TIMEOUT + 1


def test_an_unreachable_broker_answers_503_naming_it_without_its_url(
    client, db, settings, dead_redis_url
):
    settings.CELERY_BROKER_URL = dead_redis_url
    settings.CELERY_TASK_ALWAYS_EAGER = False

    response = client.get("/healthz?checks=broker")

    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "checks": {"broker": "failed: OperationalError"},
        "failing": ["broker"],
    }
    assert SECRET not in response.text


def test_a_check_that_hangs_is_reported_after_the_timeout(client, db, monkeypatch):
    monkeypatch.setattr(health, "CHECK_TIMEOUT", 0.2)
    monkeypatch.setitem(health.CHECKS, "cache", lambda: time.sleep(5) or "ok")

    started = time.monotonic()
    response = client.get("/healthz")

    assert time.monotonic() - started < 1.5
    assert response.status_code == 503
    assert response.json()["failing"] == ["cache"]
    assert response.json()["checks"]["cache"] == "failed: no answer within 0.2 s"


def test_a_light_check_runs_only_what_it_names(client, db, monkeypatch):
    worker = mock.Mock(side_effect=AssertionError("the worker check must not run"))
    monkeypatch.setitem(health.CHECKS, "worker", worker)

    response = client.get("/healthz?checks=database")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}
    worker.assert_not_called()


def test_an_unknown_check_or_a_post_is_refused(client, db):
    assert client.get("/healthz?checks=database,disk").status_code == 400
    assert client.post("/healthz").status_code == 405


def test_the_container_probe_passes_on_a_healthy_server_and_fails_on_a_dead_one(
    live_server, capsys
):
    healthy = health.probe(f"{live_server.url}/healthz?checks=database", timeout=5)
    dead = health.probe(f"http://127.0.0.1:{closed_port()}/healthz", timeout=5)

    assert (healthy, dead) == (0, 1)
    assert '"status": "ok"' in capsys.readouterr().out


def test_the_in_process_check_for_containers_without_http_exits_by_its_result():
    def local(names: str, **env) -> subprocess.CompletedProcess:
        clean = {k: v for k, v in os.environ.items() if k != "CELERY_BROKER_URL"}
        settings = {"DJANGO_SETTINGS_MODULE": "config.settings.test", "DATABASE_URL": "sqlite://"}
        return subprocess.run(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "config.health", "--local", names],
            cwd=ROOT,
            env={**clean, **settings, **env},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    eager = local("database,broker")
    dead = local("broker", CELERY_BROKER_URL=f"redis://127.0.0.1:{closed_port()}/0")

    assert (eager.returncode, json.loads(eager.stdout)) == (
        0,
        {"database": "ok", "broker": "in-process"},
    )
    assert (dead.returncode, json.loads(dead.stdout)) == (1, {"broker": "failed: OperationalError"})
