"""bench/load.py end to end at tiny settings: gunicorn, a Celery worker, PostgreSQL, Redis, Locust.

Runs only when the suite is given PostgreSQL and Redis (DATABASE_URL on PostgreSQL and REDIS_URL,
as CI's second pass does) and both answer. The load test gets a database of its own, the suite's
name with ``_load`` appended, which it drops and creates again, and drops at the end.
"""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _answers(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port or default_port), timeout=2):
            return True
    except OSError:
        return False


def _servers() -> tuple[str, str]:
    database, redis = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    parts = urlsplit(database)
    if parts.scheme not in ("postgres", "postgresql") or not redis:
        pytest.skip("needs DATABASE_URL on PostgreSQL and REDIS_URL")
    if not (_answers(database, 5432) and _answers(redis, 6379)):
        pytest.skip("PostgreSQL or Redis does not answer")
    name = parts.path.lstrip("/") or "postgres"
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}_load", "", "")), redis


def test_the_load_test_fills_answers_and_pulls_the_api_without_errors():
    database_url, redis_url = _servers()
    command = [sys.executable, "bench/load.py", "--json", "--users", "2", "--integrations", "1"]
    command += ["--duration", "5", "--questionnaires", "4"]
    command += ["--database-url", database_url, "--redis-url", redis_url]

    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        command, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )

    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout)
    assert report["errors"] == 0
    done = {row["name"] for row in report["by_request"] + report["warm_up"]["by_request"]}
    assert {"POST login", "GET fill page", "POST answer save (htmx)"} <= done
    assert any(name.startswith("GET /api/v1/answers/") for name in done)
    assert report["requests"] > 0


def _saturate(*options: str) -> dict:
    database_url, redis_url = _servers()
    command = [sys.executable, "bench/load.py", "--json", "--saturate", "--integrations", "1"]
    # 6 s windows: at 4 s, a CI machine busy with the rest of the suite once measured a step
    # with no request in it (or a failure: the report then said neither, hence the messages).
    command += ["--step-duration", "6", "--questionnaires", "4", *options]
    command += ["--database-url", database_url, "--redis-url", redis_url]
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        command, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


def test_saturation_measures_every_step_for_one_and_two_processes_while_within_the_limit():
    report = _saturate("--steps", "1,3", "--processes", "1,2", "--p95-limit", "100000")

    assert [run["processes"] for run in report["runs"]] == [1, 2]
    for run in report["runs"]:
        assert [step["users"] for step in run["steps"]] == [2, 4]
        why = {key: run.get(key) for key in ("steps", "error_kinds", "exceptions")}
        assert all(step["requests"] > 0 for step in run["steps"]), why
        assert all(step["failures"] == 0 for step in run["steps"]), why
        assert run["saturated_at"] is None
        assert run["last_within"]["users"] == 4
    assert len(report["runs"][1]["served"]) == 2


def test_saturation_stops_at_the_first_step_over_the_p95_limit():
    report = _saturate("--steps", "1,3", "--processes", "1", "--p95-limit", "0.001")

    (run,) = report["runs"]
    assert [step["users"] for step in run["steps"]] == [2]
    assert run["saturated_at"]["users"] == 2
    assert run["saturated_at"]["throughput_rps"] > 0
    assert run["last_within"] is None
