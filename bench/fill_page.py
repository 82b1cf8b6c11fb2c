"""Time the fill page of a 261-question questionnaire and one answer save, on SQLite and PostgreSQL,
side by side with the floor each could reach (bench/_baseline.py), in the same process.

Targets (issue 14): the first view (one domain) within 3x a minimal ``.values()`` view of the
same rows, and at most 150 KB of HTML; every page of "all questions" at most 150 KB; an answer
save within 2x a minimal update-plus-history view. Timed runs alternate the page, its floor, the
save and its floor, so a busy machine slows both sides alike.

"Server time" is the time Django's test Client takes to handle a request in-process (no network,
no browser), measured with time.perf_counter() after 3 warm-up requests. Each database runs in a
fresh interpreter (Django's settings can be configured only once per process) against a fresh
database: a file in a temporary folder for SQLite, and a `caiq_bench_<random>` database, dropped
at the end, on the PostgreSQL server of BENCH_POSTGRES_URL (default: postgres@127.0.0.1:5432).

Settings are config.settings.test (DEBUG off, MD5 hasher, in-memory cache) with DATABASE_URL
pointing at that real database; SQLite gets the WAL pragmas and immediate transactions that
config.settings.dev (the embedded setup) gives it. The questionnaire is built through the
project's services: the sample catalog, an organisation of 8 members, 200 of 261 answers filled
with realistic text, some of them assigned, commented, ready for review or approved.

Queries are counted once per request type with CaptureQueriesContext, outside the timed runs.
Exits 1 when a target is missed, 2 when a run fails.

Run: .venv/bin/python bench/fill_page.py [--database sqlite|postgres|both] [--runs N]
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import random
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIOS = {"page": 3.0, "save": 2.0}
MAX_PAGE_BYTES = 150 * 1024
LABELS = {"page": "fill page, first view (one domain)", "save": "answer save POST (htmx)"}
FLOOR_LABELS = {"page": "minimal .values() view, same rows", "save": "minimal update + history"}
WARM_UP = 3
QUESTIONS_ANSWERED = 200
POSTGRES_SERVER = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
RESULT_MARKER = "@@fill-page-result "
REVISION = re.compile(rb'id="revision-(\d+)" value="(\d+)"|value="(\d+)" id="revision-(\d+)"')

IMPLEMENTATION_TEXTS = [
    "Documented in the {topic} policy (v3.2), approved by the CISO and reviewed every year. "
    "Procedures are published on the intranet and owners are named for each of them.",
    "Enforced by the platform: {topic} settings are defined as code in our Terraform modules, "
    "peer reviewed, and drift is detected nightly; exceptions need a ticket approved by security.",
    "Covered by our ISO/IEC 27001:2022 certified ISMS. The {topic} controls were last audited in "
    "March by an accredited body with no major non-conformity; evidence is available under NDA.",
    "Quarterly reviews of {topic} by the service owner, with findings tracked to closure in Jira. "
    "Results are reported to the risk committee, and overdue actions are escalated.",
    "Automated checks run in CI/CD for every change touching {topic}; a failed check blocks the "
    "release. Logs of each run are kept for 13 months in the central log store.",
]
NA_TEXTS = [
    "Not applicable: the service does not process {topic}; the customer keeps it on premises.",
    "Not applicable to a SaaS offering: {topic} is operated by the underlying IaaS provider.",
]
CSC_TEXTS = [
    "Customers configure {topic} for their own tenants and users from the admin console.",
    "Customers are responsible for their own accounts, keys and data classification.",
    "",
    "",
]
NOTES = ["", "", "Check with legal before the next submission.", "Evidence in SharePoint/CAIQ"]
COMMENTS = [
    "Can we link the policy document here?",
    "This matches what we told the auditor last year.",
    "Please mention the logging retention period.",
]


# --- Child: one database, in this process ------------------------------------------------------


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def _summary(samples: list[float], queries: int, **extra) -> dict:
    return {
        "median_ms": statistics.median(samples),
        "p90_ms": _percentile(samples, 0.9),
        "min_ms": min(samples),
        "max_ms": max(samples),
        "queries": queries,
        **extra,
    }


def _configure(database_url: str, sqlite: bool) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    os.environ["DATABASE_URL"] = database_url
    sys.path.insert(0, str(ROOT))
    import django
    from django.conf import settings

    if sqlite:
        # What config.settings.dev gives the embedded SQLite setup.
        settings.DATABASES["default"]["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
        }
    assert not settings.DEBUG, "timings need DEBUG off"
    settings.ROOT_URLCONF = "bench._baseline"  # the project's URLs plus the two floors
    django.setup()


def _seed():
    """The sample catalog, an organisation of 8, and a questionnaire with 200 answers filled."""
    from django.db import connection

    from accounts.models import Membership, Organization, Role, User
    from caiq import services
    from caiq.models import Answer, CspAnswer, SsrmOwnership
    from caiq.xlsx.builder import SAMPLE_FILENAME, sample_workbook_bytes

    rng = random.Random(2026)  # noqa: S311 - test data, not secrets
    version = services.catalog_import(
        data=sample_workbook_bytes(), filename=SAMPLE_FILENAME, is_sample=True
    ).version
    org = Organization.objects.create(name="Bench Cloud", slug="bench")
    people = {}
    # No passwords: the client signs in with force_login.
    for key, role in [
        ("admin", Role.ADMIN),
        ("reviewer", Role.REVIEWER),
        ("contributor", Role.CONTRIBUTOR),
        *[(f"contributor{n}", Role.CONTRIBUTOR) for n in range(2, 5)],
        *[(f"viewer{n}", Role.VIEWER) for n in range(1, 3)],
    ]:
        user = User.objects.create_user(
            email=f"{key}@bench.caiq.test", password=None, name=key.title()
        )
        people[key] = Membership.objects.create(user=user, organization=org, role=role)
    admin, reviewer, contributor = people["admin"], people["reviewer"], people["contributor"]
    questionnaire = services.questionnaire_create(
        membership=admin,
        version=version,
        name="Bench Object Storage 2026",
        service_name="Bench Object Storage",
        owner=admin.user,
        due_date=datetime.date(2026, 12, 31),
    )
    answer_ids = list(
        questionnaire.answers.order_by("question__position").values_list("pk", flat=True)
    )
    filled = sorted(rng.sample(answer_ids, QUESTIONS_ANSWERED))
    writers = [admin, contributor, people["contributor2"], people["contributor3"]]
    for pk in filled:
        answer = Answer.objects.select_related("questionnaire", "question__control").get(pk=pk)
        topic = answer.question.control.title.lower()
        choice = rng.choices([CspAnswer.YES, CspAnswer.NO, CspAnswer.NA], [75, 12, 13])[0]
        if choice == CspAnswer.NA:
            values = {"answer": choice, "implementation": rng.choice(NA_TEXTS).format(topic=topic)}
        else:
            values = {
                "answer": choice,
                "ssrm": rng.choice(SsrmOwnership.values),
                "implementation": rng.choice(IMPLEMENTATION_TEXTS).format(topic=topic),
                "csc_responsibilities": rng.choice(CSC_TEXTS).format(topic=topic),
            }
        values["internal_notes"] = rng.choice(NOTES)
        writer = rng.choice(writers)
        services.answer_update(
            answer=answer,
            membership=writer,
            user=writer.user,
            values=values,
            base_revision=answer.revision,
        )
    # Review: some approved by the reviewer, some waiting, a few sent back.
    rng.shuffle(filled)
    for pk in filled[:70]:
        answer = Answer.objects.get(pk=pk)
        services.answer_approve(answer=answer, membership=reviewer, user=reviewer.user)
    for pk in filled[70:110]:
        answer = Answer.objects.get(pk=pk)
        services.answer_mark_ready(answer=answer, membership=contributor, user=contributor.user)
    for pk in filled[110:120]:
        answer = Answer.objects.get(pk=pk)
        services.answer_request_changes(
            answer=answer, membership=reviewer, user=reviewer.user, comment=rng.choice(COMMENTS)
        )
    for pk in rng.sample(answer_ids, 30):
        services.comment_add(
            answer=Answer.objects.get(pk=pk),
            membership=contributor,
            user=contributor.user,
            body=rng.choice(COMMENTS),
        )
    # Assignment: a few domains to named contributors.
    domains = list(
        questionnaire.answers.values_list("question__control__domain__code", flat=True)
        .distinct()
        .order_by("question__control__domain__code")
    )
    for code, member in zip(domains[:6], [contributor, people["contributor2"]] * 3, strict=True):
        services.answers_assign(
            answers=questionnaire.answers.filter(question__control__domain__code=code),
            assignee=member.user,
            membership=admin,
            user=admin.user,
        )
    # The answer the save runs change: answered, unapproved, so each save is a plain edit.
    save_answers = list(
        questionnaire.answers.filter(answer__in=[CspAnswer.YES, CspAnswer.NO])
        .exclude(review_status="approved")
        .order_by("question__position")[:3]
    )
    # Statistics, as a live database has them (PostgreSQL's autovacuum analyses tables soon after
    # rows arrive): without them the planner assumes one row per table.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return questionnaire, contributor.user, save_answers


def _engine() -> str:
    from django.db import connection

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            journal = cursor.fetchone()[0]
        return f"SQLite {connection.Database.sqlite_version} (file, journal_mode={journal})"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
    return f"PostgreSQL {server} (127.0.0.1, psycopg {connection.Database.__version__})"


def _saver(client, url: str, answer, values=("Yes", "No")) -> callable:
    """A save of ``answer`` at ``url`` that flips between ``values`` and checks the revision
    moved on."""
    state = {"revision": answer.revision, "value": answer.answer}

    def save():
        value = values[1] if state["value"] == values[0] else values[0]
        data = {"answer": value, "revision": state["revision"]}
        started = time.perf_counter()
        response = client.post(url, data, headers={"HX-Request": "true"})
        elapsed = time.perf_counter() - started
        found = REVISION.search(response.content)
        if response.status_code != 200 or found is None:
            raise RuntimeError(f"POST {url} answered {response.status_code}")
        pk, revision = (found[1], found[2]) if found[1] else (found[4], found[3])
        if int(pk) != answer.pk or int(revision) != state["revision"] + 1:
            raise RuntimeError(f"the save did not write: revision {revision}")
        state["revision"], state["value"] = int(revision), value
        return elapsed, response

    save.state = state
    return save


def _getter(client, url: str) -> callable:
    def get():
        started = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")
        return elapsed, response

    return get


def _walk_all_questions(client, url: str) -> dict:
    """Every page of "all questions": how many, and the largest response."""
    sizes, articles = [], 0
    while url:
        response = client.get(url)
        sizes.append(len(response.content))
        articles += response.content.count(b'<article class="answer')
        following = re.search(rb'<a href="([^"]+)"[^>]*rel="next">Next', response.content)
        url = following[1].decode().replace("&amp;", "&") if following else None
    return {"pages": len(sizes), "max_bytes": max(sizes), "articles": articles}


def _count(connection, request) -> int:
    from django.test.utils import CaptureQueriesContext

    # Count now: captured_queries reads the live log, which the next request clears.
    with CaptureQueriesContext(connection) as captured:
        request()
    return len(captured)


def _measure(runs: int) -> dict:
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from caiq import selectors
    from caiq.views.fill import _first_domain
    from config.runtime import tune_garbage_collector

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    questionnaire, user, (answer, floor_answer, counted_answer) = _seed()
    seconds = time.perf_counter() - started

    client = Client()
    client.force_login(user)
    page_url = reverse("caiq:fill", args=[questionnaire.pk])
    domain = _first_domain(selectors.domain_progress(questionnaire))
    requests = {
        "page": _getter(client, page_url),
        "page_floor": _getter(
            client, reverse("bench-minimal-fill", args=[questionnaire.pk, domain])
        ),
        "save": _saver(
            client, reverse("caiq:answer_save", args=[questionnaire.pk, answer.pk]), answer
        ),
        "save_floor": _saver(
            client,
            reverse("bench-minimal-save", args=[questionnaire.pk, floor_answer.pk]),
            floor_answer,
        ),
        # Answered <-> unanswered: this save moves the progress counts, so it also sends them.
        "save_counted": _saver(
            client,
            reverse("caiq:answer_save", args=[questionnaire.pk, counted_answer.pk]),
            counted_answer,
            values=("Yes", ""),
        ),
    }
    for _ in range(WARM_UP):
        for request in requests.values():
            request()
    queries = {key: _count(connection, request) for key, request in requests.items()}
    _elapsed, page = requests["page"]()
    _elapsed, floor_page = requests["page_floor"]()
    if page.content.count(b'<article class="answer') != floor_page.content.count(b"<article "):
        raise RuntimeError("the page and its floor rendered different questions")
    walk = _walk_all_questions(client, f"{page_url}?domain=all")
    # As config/wsgi.py does once the app is loaded (config/runtime.py).
    tune_garbage_collector()
    times = {key: [] for key in requests}
    for _ in range(runs):  # interleaved: a slow moment slows both sides of a ratio alike
        for key, request in requests.items():
            times[key].append(request()[0] * 1000)

    answer.refresh_from_db()
    if answer.revision != requests["save"].state["revision"]:
        raise RuntimeError("the revision in the database differs from the one the page returned")
    summaries = {key: _summary(times[key], queries[key]) for key in requests}
    summaries["page"]["bytes"] = len(page.content)
    summaries["page_floor"]["bytes"] = len(floor_page.content)
    summaries["page"]["questions"] = page.content.count(b'<article class="answer')
    for key in ("page", "save"):
        ratio = summaries[key]["median_ms"] / summaries[f"{key}_floor"]["median_ms"]
        summaries[key]["ratio"] = ratio
        summaries[key]["passed"] = ratio <= TARGET_RATIOS[key]
    summaries["page"]["passed"] &= len(page.content) <= MAX_PAGE_BYTES
    summaries["save_counted"]["ratio"] = (
        summaries["save_counted"]["median_ms"] / summaries["save_floor"]["median_ms"]
    )
    walk["passed"] = walk["max_bytes"] <= MAX_PAGE_BYTES and walk["articles"] == 261
    return {
        "engine": _engine(),
        "runs": runs,
        "seed_seconds": seconds,
        "domain": domain,
        "answers": questionnaire.answers.count(),
        "answered": questionnaire.answers.exclude(answer="").count(),
        **summaries,
        "all_questions": walk,
    }


def _private_storage_cleanup() -> None:
    # config.settings.test makes a fresh folder per process for uploaded files (the catalog).
    from django.conf import settings

    folder = Path(settings.PRIVATE_STORAGE_ROOT)
    if folder.name.startswith("caiq-test-private-"):
        shutil.rmtree(folder, ignore_errors=True)


def run_sqlite(runs: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="caiq-bench-") as folder:
        _configure(f"sqlite:///{Path(folder) / 'bench.sqlite3'}", sqlite=True)
        try:
            return _measure(runs)
        finally:
            from django.db import connections

            connections.close_all()
            _private_storage_cleanup()


def run_postgres(runs: int) -> dict:
    import psycopg
    from psycopg import sql

    name = f"caiq_bench_{secrets.token_hex(4)}"
    server = psycopg.conninfo.conninfo_to_dict(POSTGRES_SERVER)
    with psycopg.connect(POSTGRES_SERVER, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        user = server.get("user", "postgres")
        password = f":{server['password']}" if server.get("password") else ""
        host, port = server.get("host", "127.0.0.1"), server.get("port", "5432")
        _configure(f"postgresql://{user}{password}@{host}:{port}/{name}", sqlite=False)
        try:
            return _measure(runs)
        finally:
            from django.db import connections

            connections.close_all()
            _private_storage_cleanup()
    finally:
        with psycopg.connect(POSTGRES_SERVER, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


# --- Parent: header, children, report ----------------------------------------------------------


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return ""


def header(engines: list[str]) -> str:
    import django

    processor = platform.processor() or "unknown"
    model = _cpu_model()
    return (
        f"fill_page benchmark {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z} | "
        f"{processor}/{platform.machine()}{f' ({model})' if model else ''} | "
        f"{os.cpu_count()} CPUs | Python {platform.python_version()} | "
        f"Django {django.get_version()} | {'; '.join(engines) or 'no database reached'}"
    )


def report(results: dict[str, dict]) -> bool:
    print(header([r["engine"] for r in results.values() if "engine" in r]))
    passed = True
    for database, result in results.items():
        print()
        if "error" in result:
            print(f"[{database}] ERROR: {result['error']}")
            passed = False
            continue
        print(
            f"[{database}] {result['engine']}: {result['answers']} questions, "
            f"{result['answered']} answered; {result['runs']} timed runs after {WARM_UP} "
            f"warm-up requests (data set up in {result['seed_seconds']:.1f} s)"
        )
        for key in ("page", "save"):
            r, floor = result[key], result[f"{key}_floor"]
            size = f", {r['bytes'] / 1024:.0f} KiB" if "bytes" in r else ""
            floor_size = f", {floor['bytes'] / 1024:.0f} KiB" if "bytes" in floor else ""
            what = f" ({r['questions']} questions of {result['domain']})" if key == "page" else ""
            print(
                f"  {LABELS[key]:<36} median {r['median_ms']:7.1f} ms  p90 {r['p90_ms']:7.1f} ms"
                f"  {r['queries']:2d} queries{size}{what}"
            )
            print(
                f"  {FLOOR_LABELS[key]:<36} median {floor['median_ms']:7.1f} ms  "
                f"p90 {floor['p90_ms']:7.1f} ms  {floor['queries']:2d} queries{floor_size}"
            )
            limit = f" and <= {MAX_PAGE_BYTES // 1024} KiB" if key == "page" else ""
            verdict = "PASS" if r["passed"] else "FAIL"
            print(
                f"  -> {r['ratio']:.2f}x the floor (target <= {TARGET_RATIOS[key]:.0f}x{limit}): "
                f"{verdict}"
            )
            passed = passed and r["passed"]
        counted = result["save_counted"]
        print(
            f"  {'save that moves the counts (Yes <-> blank), sending them':<36}\n"
            f"  {'':<36} median {counted['median_ms']:7.1f} ms  p90 {counted['p90_ms']:7.1f} ms"
            f"  {counted['queries']:2d} queries  -> {counted['ratio']:.2f}x the same floor "
            "(reported, no target)"
        )
        walk = result["all_questions"]
        verdict = "PASS" if walk["passed"] else "FAIL"
        print(
            f"  all questions: {walk['articles']} in {walk['pages']} responses, the largest "
            f"{walk['max_bytes'] / 1024:.0f} KiB "
            f"(target <= {MAX_PAGE_BYTES // 1024} KiB): {verdict}"
        )
        passed = passed and walk["passed"]
    print()
    print("Overall:", "PASS" if passed else "FAIL")
    return passed


def run_child(database: str, runs: int) -> dict:
    """This script again, in a fresh interpreter, for one database; its result as a dict."""
    command = [sys.executable, __file__, "--database", database, "--runs", str(runs), "--json"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)  # noqa: S603
    for line in done.stdout.splitlines():
        if line.startswith(RESULT_MARKER):
            return json.loads(line.removeprefix(RESULT_MARKER))
    tail = (done.stderr or done.stdout).strip().splitlines()[-15:]
    return {"error": f"exit {done.returncode}\n" + "\n".join(tail)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    if args.json:  # a child: measure in this process, hand back one machine-readable line
        runner = {"sqlite": run_sqlite, "postgres": run_postgres}[args.database]
        print(RESULT_MARKER + json.dumps(runner(args.runs)), flush=True)
        return 0

    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    results = {database: run_child(database, args.runs) for database in databases}
    if any("error" in result for result in results.values()):
        report(results)
        return 2
    return 0 if report(results) else 1


if __name__ == "__main__":
    sys.exit(main())
