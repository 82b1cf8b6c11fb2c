"""Drill: PostgreSQL drops every connection (a restart); the web server's requests recover.

A real gunicorn serves the app with persistent, health-checked connections (CONN_MAX_AGE=60,
CONN_HEALTH_CHECKS) on the drill's PostgreSQL database. PostgreSQL then either terminates every
backend of that database (what a restart does to its clients), or, with DRILL_RESTART_POSTGRES=1
as root on a machine with pg_ctlcluster, really restarts. Requests during the outage may fail
but answer within seconds; once PostgreSQL is back they succeed again.
"""

import os
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django.db import connections

from .conftest import DATABASE_URL, ON_POSTGRES, Process, start_web, wait_until

pytestmark = [
    pytest.mark.drill,
    pytest.mark.skipif(
        not ON_POSTGRES, reason="needs PostgreSQL: DATABASE_URL does not point at one"
    ),
]

REQUEST_TIMEOUT = 10  # a request that takes longer than this during the outage "hangs"
RECOVERY_WINDOW = 10  # seconds after PostgreSQL is back within which requests must succeed


@dataclass
class Server:
    process: Process
    base: str
    token: str

    def get(self, path: str = "/api/v1/questionnaires/") -> tuple[int | str, float]:
        """The status of an API request that reads the database (token, questionnaires), or the
        error when none came, and how long it took."""
        request = urllib.request.Request(  # noqa: S310 - http on loopback
            self.base + path, headers={"Authorization": f"Bearer {self.token}"}
        )
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT) as response:  # noqa: S310
                outcome = response.status
        except urllib.error.HTTPError as error:
            outcome = error.code
        except (urllib.error.URLError, OSError) as error:
            outcome = repr(error)
        return outcome, time.monotonic() - started

    def recovers(self) -> list:
        """Requests until one succeeds, within RECOVERY_WINDOW; every outcome on the way."""
        outcomes = []

        def succeeded():
            outcomes.append(self.get())
            return outcomes[-1][0] == 200

        wait_until(succeeded, timeout=RECOVERY_WINDOW, what="a request succeeded", every=0.2)
        return outcomes


@pytest.fixture
def server(spawn, drill_database) -> Server:
    process, base = start_web(spawn, drill_database.env())
    server = Server(process, base, drill_database.seed["token"])

    def answers():
        if not process.alive:
            pytest.fail(f"gunicorn exited:\n{process.tail()}")
        return server.get("/account/login/")[0] == 200

    wait_until(answers, timeout=30, what="gunicorn answering", every=0.2)
    return server


def _admin_connection():
    import psycopg

    maintenance = urlsplit(DATABASE_URL)._replace(path="/postgres").geturl()
    return psycopg.connect(maintenance, autocommit=True, connect_timeout=3)


def terminate_backends(database: str) -> int:
    with _admin_connection() as db:
        rows = db.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (database,),
        ).fetchall()
    return sum(1 for (done,) in rows if done)


def postgres_accepts() -> bool:
    try:
        with _admin_connection() as db:
            db.execute("SELECT 1")
    except Exception:  # any failure to connect or answer: not back yet
        return False
    return True


def cluster_to_restart() -> list[str] | None:
    """``[version, name]`` of the local cluster on DATABASE_URL's port, when this process may
    restart it."""
    if os.environ.get("DRILL_RESTART_POSTGRES") != "1" or os.geteuid() != 0:
        return None
    if not shutil.which("pg_ctlcluster") or not shutil.which("pg_lsclusters"):
        return None
    port = str(urlsplit(DATABASE_URL).port or 5432)
    listing = subprocess.run(
        ["pg_lsclusters", "--no-header"],  # noqa: S607 - the Debian tool on PATH
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    for line in listing.splitlines():
        version, name, cluster_port, *_ = line.split()
        if cluster_port == port:
            return [version, name]
    return None


def test_requests_recover_after_postgres_terminates_every_connection(server, drill_database):
    database = urlsplit(drill_database.url).path.lstrip("/")
    before, _ = server.get()

    terminated = terminate_backends(database)
    outcomes = server.recovers()

    assert before == 200
    assert terminated >= 1, "the server keeps a persistent connection (CONN_MAX_AGE)"
    assert [status for status, _ in outcomes] == [200], (
        "the health check (CONN_HEALTH_CHECKS) replaces the dead connection before the request "
        f"uses it: {outcomes}"
    )
    assert server.process.alive


@pytest.mark.skipif(
    cluster_to_restart() is None,
    reason="restarts PostgreSQL only with DRILL_RESTART_POSTGRES=1, as root, with pg_ctlcluster "
    "and a local cluster on DATABASE_URL's port",
)
def test_requests_recover_after_postgres_restarts(server):
    before, _ = server.get()
    during = []

    try:
        restart = subprocess.Popen(  # noqa: S603 - the Debian tool on PATH
            ["pg_ctlcluster", *cluster_to_restart(), "restart", "--mode=fast"],  # noqa: S607
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        while restart.poll() is None:
            during.append(server.get())
            time.sleep(0.2)
        restart_output = restart.communicate()[0]
        wait_until(postgres_accepts, timeout=30, what="PostgreSQL accepting connections again")
        after = server.recovers()
    finally:
        # The restart closed this process's own connections too (those of pytest-django's
        # test database): drop them, so that the next test connects afresh.
        connections.close_all()

    assert before == 200
    assert restart.returncode == 0, restart_output
    slowest = max(seconds for _, seconds in during + after)
    assert slowest < REQUEST_TIMEOUT, f"a request hung during the outage: {during}"
    assert after[-1][0] == 200, after
    assert server.process.alive
