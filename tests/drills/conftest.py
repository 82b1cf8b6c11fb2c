"""Fault drills: real processes (Celery workers, a web server, PostgreSQL, Redis) and real faults.

The helpers here start subprocesses on a database they all share, wait on bounded polls with
messages that say what did not happen, and kill every process they started, whatever the test
did. Subprocesses run with the settings in ``tests/drills/settings.py``.
"""

import contextlib
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

# The caiq personas' catalog and questionnaire, for the drills that run in this process.
from tests.caiq.conftest import admin_membership, questionnaire, sample_catalog  # noqa: F401

REPO = Path(__file__).resolve().parents[2]
DATABASE_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = DATABASE_URL.startswith(("postgres://", "postgresql://"))


def wait_until(predicate: Callable[[], Any], *, timeout: float, what: str, every: float = 0.1):
    """Poll until ``predicate()`` is truthy and return it; fail saying ``what`` did not happen."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {timeout} s")
        time.sleep(every)


def process_gone(pid: int) -> bool:
    """No such process, or only its zombie (a killed child whose parent died is not reaped)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "\nState:\tZ" in status


@dataclass
class Process:
    """A subprocess in a session of its own (so that its whole group can be killed), logging to a
    file."""

    name: str
    popen: subprocess.Popen
    log_path: Path

    @property
    def pid(self) -> int:
        return self.popen.pid

    @property
    def alive(self) -> bool:
        return self.popen.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.log().splitlines()[-lines:])

    def kill_group(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=10)


@pytest.fixture
def spawn(tmp_path) -> Iterator[Callable[..., Process]]:
    """``spawn(args, env=..., name=...)`` starts a process from the repository folder; every
    process started is killed (its whole group) when the test ends."""
    started: list[Process] = []

    def start(args: list[str], *, env: dict[str, str], name: str) -> Process:
        log_path = tmp_path / f"{name}.log"
        with log_path.open("wb") as log:
            popen = subprocess.Popen(  # noqa: S603 - our own interpreter and modules
                args,
                cwd=REPO,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        process = Process(name=name, popen=popen, log_path=log_path)
        started.append(process)
        return process

    try:
        yield start
    finally:
        for process in started:
            process.kill_group()


@contextlib.contextmanager
def closed_port() -> Iterator[int]:
    """A loopback port where nothing listens (bound, never listening): connections are refused,
    as they are by a host whose Redis is down."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_web(spawn, env: dict[str, str], name: str = "gunicorn", *, threads: int = 1):
    """gunicorn serving the app on a free loopback port, one worker: the process and its URL."""
    port = free_port()
    process = spawn(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            f"--bind=127.0.0.1:{port}",
            "--workers=1",
            f"--threads={threads}",
            "--timeout=30",
        ],
        env=env,
        name=name,
    )
    return process, f"http://127.0.0.1:{port}"


@dataclass(frozen=True)
class JobRow:
    status: str
    attempts: int
    message: str
    result: str
    finished_at: Any


@dataclass
class DrillDatabase:
    """A database (a SQLite file, or a PostgreSQL database of its own) and a storage folder that
    the drill's processes share, migrated and seeded with the demo organisation."""

    url: str
    storage: Path
    tmp: Path
    seed: dict = field(default_factory=dict)

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    def env(self, **extra: str) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "REDIS_URL"}
        }
        env.update(
            DJANGO_SETTINGS_MODULE="tests.drills.settings",
            DATABASE_URL=self.url,
            DRILL_STORAGE=str(self.storage),
            TMPDIR=str(self.tmp),  # the test settings' mkdtemp lands here, not in /tmp
            PYTHONUNBUFFERED="1",
            # Drills read the worker's INFO lines ("Task … received", "… ready.").
            LOG_FORMAT="plain",
            LOG_LEVEL="INFO",
        )
        env.update(extra)
        return env

    def action(self, *args: str, env: dict[str, str] | None = None, timeout: float = 120) -> dict:
        """Run ``tests.drills.actions`` and return its JSON answer."""
        done = subprocess.run(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "tests.drills.actions", *args],
            cwd=REPO,
            env=env or self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        assert done.returncode == 0, f"action {args} failed:\n{done.stdout}\n{done.stderr}"
        return json.loads(done.stdout.strip().splitlines()[-1])

    def job(self, pk: int) -> JobRow:
        """The job's row, read with a plain client: the drill's own process has no Django
        connection to this database."""
        query = "SELECT status, attempts, message, result, finished_at FROM caiq_job WHERE id = "
        if self.is_sqlite:
            with contextlib.closing(sqlite3.connect(self.url.removeprefix("sqlite:///"))) as db:
                row = db.execute(query + "?", (pk,)).fetchone()
        else:
            import psycopg

            with psycopg.connect(self.url, connect_timeout=5) as db:
                row = db.execute(query + "%s", (pk,)).fetchone()
        assert row is not None, f"job {pk} is not in the drill's database"
        return JobRow(*row)

    def wait_finished(self, pk: int, *, timeout: float = 60) -> JobRow:
        def finished():
            row = self.job(pk)
            return row if row.status in ("succeeded", "failed") else None

        return wait_until(finished, timeout=timeout, what=f"job {pk} finished")

    def result_exists(self, row: JobRow) -> bool:
        return bool(row.result) and (self.storage / row.result).is_file()


def _postgres_url(name: str) -> str:
    parts = urlsplit(DATABASE_URL)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _postgres_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(_postgres_url("postgres"), autocommit=True, connect_timeout=5) as db:
        db.execute(sql)


@pytest.fixture(scope="session")
def drill_database(tmp_path_factory) -> Iterator[DrillDatabase]:
    """One drill database for the session: PostgreSQL (a database named after the configured one)
    when DATABASE_URL points there, else a SQLite file."""
    tmp = tmp_path_factory.mktemp("drill")
    storage = tmp / "storage"
    storage.mkdir()
    if ON_POSTGRES:
        name = "drill_" + "".join(c for c in urlsplit(DATABASE_URL).path if c.isalnum())
        _postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _postgres_admin(f'CREATE DATABASE "{name}"')
        database = DrillDatabase(url=_postgres_url(name), storage=storage, tmp=tmp)
    else:
        database = DrillDatabase(url=f"sqlite:///{tmp / 'drill.sqlite3'}", storage=storage, tmp=tmp)
    try:
        database.seed = database.action("prepare")
        yield database
    finally:
        if ON_POSTGRES:
            _postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
