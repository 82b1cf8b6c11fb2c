"""``GET /healthz``: can this deployment serve? Database, cache, Celery broker and worker.

For load balancers, container health checks and monitoring: no login, JSON, never cached. Each
check runs in its own thread and is abandoned after ``CHECK_TIMEOUT`` seconds, so the endpoint
answers within that time whatever hangs. 200 when every check passes, 503 naming the ones that
failed. ``?checks=database,cache`` runs only those (the web container's probe does not ask for
the worker: restarting web would not bring a worker back). Failures show the exception's class
only; details, which may name hosts, go to the log.

For the containers (docker-compose.yml): ``python -m config.health URL`` is the web probe,
``python -m config.health --local broker`` runs checks in-process (beat serves no HTTP).
"""

import json
import logging
import os
import sys
import threading
import urllib.request
import uuid
from collections.abc import Callable
from contextlib import contextmanager

import django
from django.conf import settings
from django.core.cache import caches
from django.db import connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from config.celery import app

logger = logging.getLogger(__name__)

CHECK_TIMEOUT = 3.0  # seconds, per check; the checks run side by side
WORKER_PING_TIMEOUT = 1.0


class CheckFailed(Exception):
    """A dependency answered, but not as it should (e.g. no worker replied)."""


def check_database() -> str:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        # This thread's own connection: closed now, never left open for the pool to find.
        connections.close_all()
    return "ok"


def check_cache() -> str:
    if not settings.CACHE_URL:
        return "local memory"
    cache = caches["default"]
    key, value = f"healthz:{uuid.uuid4().hex}", "ok"
    cache.set(key, value, timeout=10)
    if cache.get(key) != value:
        raise CheckFailed("the cache did not return what was written")
    cache.delete(key)
    return "ok"


@contextmanager
def _broker_connection():
    """A connection to the broker the settings name (not app.conf's copy), or an error at once."""
    with app.connection_for_write(url=settings.CELERY_BROKER_URL) as connection:
        connection.ensure_connection(max_retries=0, timeout=WORKER_PING_TIMEOUT)
        yield connection


def check_broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "in-process"
    with _broker_connection():
        return "ok"


def check_worker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "in-process"
    with _broker_connection() as connection:
        replies = app.control.ping(timeout=WORKER_PING_TIMEOUT, connection=connection)
    if not replies:
        raise CheckFailed(f"no worker answered within {WORKER_PING_TIMEOUT:g} s")
    return f"ok ({len(replies)} worker{'s' if len(replies) != 1 else ''})"


CHECKS: dict[str, Callable[[], str]] = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
    "worker": check_worker,
}


def run_checks(names: list[str], timeout: float) -> dict[str, tuple[bool, str]]:
    """Run the named checks side by side; each gives (passed, what to show)."""
    results: dict[str, tuple[bool, str]] = {}

    def run(name: str) -> None:
        try:
            results[name] = (True, CHECKS[name]())
        except CheckFailed as failure:
            results[name] = (False, f"failed: {failure}")
        except Exception as error:
            logger.warning("Health check %s failed", name, exc_info=True)
            results[name] = (False, f"failed: {type(error).__name__}")

    threads = {name: threading.Thread(target=run, args=(name,), daemon=True) for name in names}
    for thread in threads.values():
        thread.start()
    for thread in threads.values():
        thread.join(timeout)
    for name in names:
        if name not in results:
            logger.warning("Health check %s did not answer within %s s", name, timeout)
            results[name] = (False, f"failed: no answer within {timeout:g} s")
    return results


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    requested = request.GET.get("checks")
    names = [n.strip() for n in requested.split(",") if n.strip()] if requested else list(CHECKS)
    unknown = sorted(set(names) - set(CHECKS))
    if unknown or not names:
        return JsonResponse(
            {"error": f"unknown checks {unknown}; known: {sorted(CHECKS)}"}, status=400
        )
    results = run_checks(names, timeout=CHECK_TIMEOUT)
    failing = [name for name in names if not results[name][0]]
    body = {
        "status": "error" if failing else "ok",
        "checks": {name: results[name][1] for name in names},
    }
    if failing:
        body["failing"] = failing
    return JsonResponse(body, status=503 if failing else 200)


def probe(url: str, timeout: float = 10.0) -> int:
    """GET ``url`` as the outside world would; 0 when it answers 200, else 1.

    It sends the first ALLOWED_HOSTS name as Host and says it came through HTTPS (as the proxy
    does), so production's host check and HTTPS redirect let it through to the view.
    """
    if not url.startswith(("http://", "https://")):
        print(f"{url}: only http(s) URLs are probed", file=sys.stderr)
        return 1
    hosts = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
    host = hosts[0].lstrip(".") if hosts and hosts[0] != "*" else "localhost"
    request = urllib.request.Request(  # noqa: S310 - http(s) only, checked above
        url, headers={"Host": host, "X-Forwarded-Proto": "https"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310  # nosec B310
            print(response.read().decode())
            return 0 if response.status == 200 else 1
    except OSError as error:  # refused, timed out, or an HTTP error status
        body = getattr(error, "read", lambda: b"")()
        print(f"{url}: {error} {body.decode(errors='replace')}", file=sys.stderr)
        return 1


def local(names: list[str]) -> int:
    """Run the named checks in this process (with Django set up); 0 when all pass, else 1."""
    django.setup()
    unknown = sorted(set(names) - set(CHECKS))
    if unknown:
        print(f"unknown checks {unknown}; known: {sorted(CHECKS)}", file=sys.stderr)
        return 1
    results = run_checks(names, timeout=CHECK_TIMEOUT)
    print(json.dumps({name: text for name, (_, text) in results.items()}))
    return 0 if all(passed for passed, _ in results.values()) else 1


if __name__ == "__main__":
    if sys.argv[1:2] == ["--local"]:
        sys.exit(local(sys.argv[2].split(",") if len(sys.argv) > 2 else list(CHECKS)))
    sys.exit(probe(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000/healthz"))
