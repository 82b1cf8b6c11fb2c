"""Time the answers API list (261 answers, one page) against a plain Django JSON view.

``GET /api/v1/answers/?questionnaire=<id>&page_size=261`` goes through DRF: authentication,
throttle, FilterSet, keyset pagination, serializers. The baseline is the least a Django view
can do for the same rows: ``JsonResponse(list(Answer.objects.filter(...).values(...)))`` with
the same fields, the same tenancy filter and the same order, mounted next to the project's
URLs by a temporary URLconf (this module). Both are requested with Django's test Client by the
same signed-in user, in-process (no network), after 3 warm-up requests, timed with
time.perf_counter(); a third line times the API with a Bearer token, for information.

Data: bench/fill_page.py's seed (the sample catalog, 261 questions, 200 answered, assignments,
reviews) in an SQLite file in a temporary folder, config.settings.test with DEBUG off and the
WAL pragmas of the embedded setup; the garbage collector is tuned as config/wsgi.py does.

Exits 1 when the API's median is more than TARGET_RATIO times the baseline's, 2 on an error.

Run: DJANGO_SETTINGS_MODULE=config.settings.test .venv/bin/python bench/api_answers.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 2.0
WARM_UP = 3
PLAIN_URL = "bench/plain-answers/"

urlpatterns: list = []  # filled by _urlconf() once Django is set up


def _configure(folder: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    os.environ["DATABASE_URL"] = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
    sys.path.insert(0, str(ROOT))
    import django
    from django.conf import settings

    settings.DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    settings.ROOT_URLCONF = __name__
    assert not settings.DEBUG, "timings need DEBUG off"
    django.setup()
    # Run as a script this module is __main__; the URLconf must be importable by that name.
    sys.modules.setdefault(__name__, sys.modules["__main__"])


def plain_answers(request):
    """The baseline: the same rows and fields as the API, straight from .values()."""
    from django.db.models import F
    from django.http import HttpResponseForbidden, JsonResponse

    from accounts.selectors import scope_to_user
    from caiq.models import Answer

    if not request.user.is_authenticated:
        return HttpResponseForbidden()
    rows = (
        scope_to_user(Answer.objects.all(), request.user, via="questionnaire__organization")
        .filter(questionnaire_id=request.GET["questionnaire"])
        .order_by("updated_at", "id")
        .values(
            "id",
            "questionnaire_id",
            "answer",
            "ssrm",
            "implementation",
            "csc_responsibilities",
            "internal_notes",
            "review_status",
            "carry_over",
            "assignee_id",
            "updated_at",
            "revision",
            question_code=F("question__code"),
            control_code=F("question__control__code"),
            domain_code=F("question__control__domain__code"),
            assignee_email=F("assignee__email"),
            updated_by_email=F("updated_by__email"),
        )
    )
    return JsonResponse(list(rows), safe=False)


def _urlconf() -> None:
    from django.urls import include, path

    urlpatterns[:] = [path(PLAIN_URL, plain_answers), path("", include("config.urls"))]


def _measure(runs: int) -> dict:
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.tokens import api_token_create
    from bench.fill_page import _seed
    from config.runtime import tune_garbage_collector

    call_command("migrate", verbosity=0)
    questionnaire, user, _answer = _seed()
    _urlconf()
    total = questionnaire.answers.count()
    query = f"?questionnaire={questionnaire.pk}&page_size={total}"
    session = Client()
    session.force_login(user)
    _token, secret = api_token_create(name="bench", scope="read", created_by=None, user=user)
    bearer = Client(headers={"Authorization": f"Bearer {secret}"})
    targets = {
        "api": (session, f"/api/v1/answers/{query}"),
        "api_token": (bearer, f"/api/v1/answers/{query}"),
        "plain": (session, f"/{PLAIN_URL}{query}"),
    }

    def get(name):
        client, url = targets[name]
        started = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")
        return elapsed, response

    results = {}
    for name in targets:
        for _ in range(WARM_UP):
            get(name)
        with CaptureQueriesContext(connection) as captured:
            _elapsed, response = get(name)
        body = response.json()
        rows = body["results"] if isinstance(body, dict) else body
        if len(rows) != total:
            raise RuntimeError(f"{name} returned {len(rows)} of {total} answers")
        results[name] = {"queries": len(captured), "bytes": len(response.content)}
    tune_garbage_collector()
    # Interleaved, so that drift in machine load affects all three alike.
    samples = {name: [] for name in targets}
    for _ in range(runs):
        for name in targets:
            samples[name].append(get(name)[0] * 1000)
    for name, values in samples.items():
        results[name] |= {"median_ms": statistics.median(values), "min_ms": min(values)}
    results["answers"] = total
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    with tempfile.TemporaryDirectory(prefix="caiq-bench-api-") as folder:
        _configure(folder)
        try:
            result = _measure(args.runs)
        except Exception as exc:  # a failed run is reported, not a traceback
            print(f"ERROR: {exc!r}")
            return 2
        finally:
            from django.db import connections

            from bench.fill_page import _private_storage_cleanup

            connections.close_all()
            _private_storage_cleanup()

    import django

    labels = {
        "api": "API list, session (DRF)",
        "api_token": "API list, Bearer token (DRF)",
        "plain": "plain JsonResponse(.values())",
    }
    print(
        f"api_answers benchmark | Python {sys.version.split()[0]} | Django {django.get_version()}"
        f" | SQLite file | {result['answers']} answers in one page | {args.runs} runs"
    )
    for name, label in labels.items():
        r = result[name]
        print(
            f"  {label:<32} median {r['median_ms']:7.2f} ms  min {r['min_ms']:7.2f} ms"
            f"  {r['queries']:2d} queries  {r['bytes'] / 1024:.0f} KiB"
        )
    ratio = result["api"]["median_ms"] / result["plain"]["median_ms"]
    passed = ratio <= TARGET_RATIO
    print(
        f"  ratio API/plain (session, medians): {ratio:.2f}x  target <= {TARGET_RATIO:.1f}x: "
        f"{'PASS' if passed else 'FAIL'}"
    )
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
