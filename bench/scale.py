"""Does anything cost more at 10,000 questionnaires than at 10? Timings at both, on PostgreSQL.

One organisation is seeded with ``seed_volume`` (bench/seed.py: 261 answers a
questionnaire, ~70% answered, history, reviews, assignments, comments, an evidence library
linked to ~20% of the answers) to the first size, measured, grown to the next size and
measured again. Every row works on the same questionnaire (the organisation's first, a draft)
and the same contributor, so only the volume around them changes:

- questionnaire list: ``GET /questionnaires/?per_page=10``, the first page, each row with its
  per-domain progress: 10 rows at every size (the default 25 a page would show 10 rows at 10
  questionnaires and 25 at 10,000, different work), with the count and page links of all
- questionnaire list, search: ``GET /questionnaires/?q=%23000``, the 9 questionnaires
  numbered #0001 to #0009 at every size (a search through all of them, 9 rows shown)
- dashboard: ``GET /``
- fill page: ``GET /questionnaires/<id>/``, its first view (one domain)
- answer save: htmx ``POST`` of one answer, alternating Yes and No
- API answer list: ``GET /api/v1/answers/?questionnaire=<id>&page_size=261``
- API updated_since pull: ``GET /api/v1/answers/?updated_since=<30 days ago>&page_size=100``,
  organisation-wide (no questionnaire filter), first page: 100 answers from 10
  questionnaires up (fewer below, when fewer changed in 30 days)
- export xlsx: ``export_xlsx`` of the questionnaire into the catalog's workbook
- import xlsx, unchanged: the exported workbook imported back (nothing changes)
- import xlsx, every row reworded: a workbook whose 261 implementation texts differ,
  alternating with the exported one, so every run writes answers and their history (all 261
  the first time, then the answered ones: a blank cell in the exported workbook never erases a
  description)

Server time through Django's test Client, in-process (no network), with the garbage-collector
tuning of config/wsgi.py (config/runtime.py); queries counted once per row and size, outside
the timed runs. Each size keeps its own database (the first one named by --database-url, the
next ones copies of the one before, grown further), so the sizes are timed interleaved: for
each row, blocks of 3 timed calls (after one untimed call that also re-opens the connection)
alternate between the sizes until --runs calls each. A machine whose load changes during the
run then slows both sizes alike instead of skewing the ratio. Settings: config.settings.test
(DEBUG off). The databases are DROPPED and created afresh (the name must contain "bench") and
dropped again at the end unless --keep.

Exits 0 when every row runs the same number of queries at every size and its median and its
fastest call at the largest size are within 1.2x of the smallest (rows that showed or pulled
different numbers of rows would be reported, not judged), 1 when a row grows, 2 when it could
not run. Each size's seeding time and database size are printed.

Run: .venv/bin/python bench/scale.py [--database-url postgres://postgres@127.0.0.1:5432/caiq_bench]
         [--sizes 10,10000] [--runs 15] [--json] [--keep]
"""

from __future__ import annotations

import argparse
import datetime
import json
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import configure, header, private_storage_cleanup

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/caiq_bench"
SLUG = "scale"
MAX_RATIO = 1.2
SINCE_DAYS = 30
PULL_PAGE = 100
WARM_UP = 3
# Reads first: the writes (save, changed imports) move answers into the updated_since window.
ORDER = ["list", "list_search", "dashboard", "fill", "api_list", "api_since", "export", "save",
         "import_same", "import_changed"]  # fmt: skip
BLOCK = 3  # timed calls in a row at one size before switching to the next
ROWS = {
    "list": "questionnaire list, page 1",
    "list_search": "questionnaire list, search",
    "dashboard": "dashboard",
    "fill": "fill page, first view",
    "save": "answer save (htmx POST)",
    "api_list": "API answer list (261)",
    "api_since": f"API updated_since pull ({PULL_PAGE})",
    "export": "export xlsx",
    "import_same": "import xlsx, unchanged",
    "import_changed": "import xlsx, every row reworded",
}


class Refused(Exception):
    """The benchmark cannot run here; the message says why and what to do."""


class Databases:
    """One database per size: the first named by the URL, the others ``<name>_<size>``."""

    def __init__(self, url: str, sizes: list[int]):
        self.parts = urlsplit(url)
        self.sqlite = self.parts.scheme.startswith("sqlite")
        first = self.parts.path if self.sqlite else self.parts.path.lstrip("/")
        stem, dot, suffix = first.rpartition(".") if self.sqlite else (first, "", "")
        self.names = {
            size: first if n == 0 else f"{stem}_{size}{dot}{suffix}" for n, size in enumerate(sizes)
        }
        self.sizes = sizes

    def _admin(self):
        import psycopg

        server = urlunsplit(self.parts._replace(scheme="postgresql", path="/postgres"))
        try:
            return psycopg.connect(server, autocommit=True, connect_timeout=5)
        except psycopg.OperationalError as exc:
            where = f"{self.parts.hostname or 'localhost'}:{self.parts.port or 5432}"
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise Refused(
                f"PostgreSQL at {where} does not answer ({first}). Start it, or point "
                "--database-url at one that runs."
            ) from exc

    def prepare(self) -> None:
        """Check the server, drop what earlier runs left, create the first database empty."""
        self.drop()
        if self.sqlite:
            return
        from psycopg import sql

        with self._admin() as admin:
            admin.execute(
                sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.names[self.sizes[0]]))
            )

    def copy(self, source: int, target: int) -> None:
        """Database ``target`` as a copy of ``source`` (no connection may be open to it)."""
        from django.db import connections

        connections.close_all()
        if self.sqlite:
            shutil.copyfile(self.names[source], self.names[target])
            return
        from psycopg import sql

        with self._admin() as admin:
            admin.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                    sql.Identifier(self.names[target]), sql.Identifier(self.names[source])
                )
            )

    def use(self, size: int) -> None:
        """Point Django's connection at the database of ``size`` (reconnects when it moves)."""
        from django.db import connection

        if connection.settings_dict["NAME"] != self.names[size]:
            connection.close()
            connection.settings_dict["NAME"] = self.names[size]

    def drop(self) -> None:
        if self.sqlite:
            for name in self.names.values():
                Path(name).unlink(missing_ok=True)
            return
        from psycopg import sql

        for name in self.names.values():
            if "bench" not in name:
                raise Refused(
                    f"--database-url names the database {name!r}: this script drops and "
                    "recreates it, so its name must contain 'bench'."
                )
        with self._admin() as admin:
            for name in self.names.values():
                admin.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )


def _volume(org) -> dict:
    from caiq.models import Answer, AnswerChange
    from evidence.models import Evidence, EvidenceLink

    answers = Answer.objects.filter(questionnaire__organization=org)
    return {
        "questionnaires": org.questionnaires.count(),
        "answers": answers.count(),
        "answered": answers.exclude(answer="").count(),
        "history": AnswerChange.objects.filter(answer__questionnaire__organization=org).count(),
        "evidence": Evidence.objects.filter(organization=org).count(),
        "evidence_links": EvidenceLink.objects.filter(evidence__organization=org).count(),
        "database_mb": _database_bytes() / 2**20,
    }


def _database_bytes() -> int:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            return cursor.fetchone()[0]
    return Path(connection.settings_dict["NAME"]).stat().st_size


@dataclass
class Size:
    """One size's database content and the calls that are timed against it."""

    size: int
    seed_seconds: float
    volume: dict
    actions: dict[str, Callable[[], object]]
    facts: dict[str, dict]  # per row: what was shown or pulled, to check the sizes compare
    finish: Callable[[], object]


def build(size: int) -> Size:
    """Grow the organisation to ``size`` questionnaires and prepare every row's call."""
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from accounts.models import Membership, User
    from bench.fill_page import REVISION
    from bench.seed import seed_volume
    from bench.workbook import _all_changed
    from caiq.models import Questionnaire
    from caiq.services.transfer import export_xlsx, import_workbook

    seeded = seed_volume(slug=SLUG, questionnaires=size)
    org = seeded.organization
    questionnaire = Questionnaire.objects.select_related("version").get(
        pk=seeded.questionnaire_ids[0]
    )
    if questionnaire.status == "submitted":
        raise RuntimeError("the first seeded questionnaire should be an editable draft")
    contributor = User.objects.get(email=f"member-0@{SLUG}.example")
    admin = Membership.objects.select_related("user", "organization").get(
        organization=org, user__email=f"admin@{SLUG}.example"
    )
    client = Client()
    client.force_login(contributor)

    def get(url: str, *, rows: int | None = None):
        def action():
            response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"GET {url} answered {response.status_code}")
            if rows is not None and len(response.json()["results"]) != rows:
                got = len(response.json()["results"])
                raise RuntimeError(f"GET {url} returned {got} answers, expected {rows}")

        return action

    since = (timezone.now() - datetime.timedelta(days=SINCE_DAYS)).strftime("%Y-%m-%dT%H:%M:%SZ")
    answers_url = "/api/v1/answers/"
    list_url = reverse("caiq:questionnaire_list")
    search_url = f"{list_url}?q=%23000"
    first_page_url = f"{list_url}?per_page=10"
    pull = f"{answers_url}?updated_since={since}&page_size={PULL_PAGE}"
    pulled = len(client.get(pull).json()["results"])  # a full page unless the org is tiny
    facts = {
        "list": {"shown": _shown(client, first_page_url)},
        "list_search": {"shown": _shown(client, search_url)},
        "api_since": {"rows": pulled},
    }

    answer = (
        questionnaire.answers.filter(answer__in=["Yes", "No"])
        .exclude(review_status="approved")
        .order_by("question__position")
        .first()
    )
    save_url = reverse("caiq:answer_save", args=[questionnaire.pk, answer.pk])
    state = {"revision": answer.revision, "value": answer.answer}

    def save():
        value = "No" if state["value"] == "Yes" else "Yes"
        response = client.post(
            save_url,
            {"answer": value, "revision": state["revision"]},
            headers={"HX-Request": "true"},
        )
        found = REVISION.search(response.content)
        if response.status_code != 200 or found is None:
            raise RuntimeError(f"POST {save_url} answered {response.status_code}")
        revision = int(found[2] or found[3])
        if revision != state["revision"] + 1:
            raise RuntimeError(f"the save did not write: revision {revision}")
        state["revision"], state["value"] = revision, value

    exported = export_xlsx(questionnaire)
    changed = _all_changed(exported, questionnaire.version.layout, "Reviewed.")

    def import_one(data: bytes):
        return import_workbook(
            questionnaire=questionnaire, data=data, user=admin.user, membership=admin
        )

    def import_same():
        summary = import_one(exported)
        if summary.new or summary.changed:
            raise RuntimeError(f"importing the export changed answers: {summary}")

    turn = {"next": changed}

    def import_changed():
        data = turn["next"]
        turn["next"] = exported if data is changed else changed
        summary = import_one(data)
        # All 261 the first time; from then on the answered ones, each way (a blank cell in the
        # exported workbook never erases the description an unanswered row was given).
        if summary.new + summary.changed == 0:
            raise RuntimeError(f"expected answers to change: {summary}")

    def finish():  # leave the answers as they were imported from the seed
        if turn["next"] is exported:
            import_one(exported)

    actions = {
        "list": get(first_page_url),
        "list_search": get(search_url),
        "dashboard": get(reverse("home")),
        "fill": get(reverse("caiq:fill", args=[questionnaire.pk])),
        "save": save,
        "api_list": get(f"{answers_url}?questionnaire={questionnaire.pk}&page_size=261", rows=261),
        "api_since": get(pull, rows=pulled),
        "export": lambda: export_xlsx(questionnaire),
        "import_same": import_same,
        "import_changed": import_changed,
    }
    return Size(size, seeded.seconds, _volume(org), actions, facts, finish)


def measure(sizes: list[Size], databases: Databases, runs: int) -> dict[int, dict]:
    """Every row at every size, interleaved in blocks so load drift hits the sizes alike."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    results: dict[int, dict] = {s.size: {} for s in sizes}
    for key in ORDER:
        samples: dict[int, list[float]] = {s.size: [] for s in sizes}
        for s in sizes:
            databases.use(s.size)
            for _ in range(WARM_UP):
                s.actions[key]()
            # Read the count before the next request: Django clears the log when one starts.
            with CaptureQueriesContext(connection) as captured:
                s.actions[key]()
            results[s.size][key] = {
                "queries": len(captured.captured_queries),
                **s.facts.get(key, {}),
            }
        while len(samples[sizes[0].size]) < runs:
            for s in sizes:
                databases.use(s.size)
                s.actions[key]()  # untimed: pays for the reconnection
                for _ in range(min(BLOCK, runs - len(samples[s.size]))):
                    started = time.perf_counter()
                    s.actions[key]()
                    samples[s.size].append((time.perf_counter() - started) * 1000)
        for s in sizes:
            values = samples[s.size]
            results[s.size][key] |= {
                "median_ms": statistics.median(values),
                "min_ms": min(values),
                "max_ms": max(values),
                "runs": len(values),
            }
    for s in sizes:
        databases.use(s.size)
        s.finish()
    return results


def _shown(client, url: str) -> int:
    """How many questionnaires a list page shows (each has one per-domain breakdown)."""
    return client.get(url).content.count(b'<summary class="muted">By domain</summary>')


def compare(measured: list[dict]) -> dict[str, dict]:
    """Largest size against the smallest, per row; rows that did different work are not judged."""
    first, last = measured[0]["rows"], measured[-1]["rows"]
    verdicts = {}
    for key in ROWS:
        ratio = last[key]["median_ms"] / first[key]["median_ms"]
        min_ratio = last[key]["min_ms"] / first[key]["min_ms"]
        same_queries = last[key]["queries"] == first[key]["queries"]
        comparable = all(
            first[key].get(field) == last[key].get(field) for field in ("shown", "rows")
        )
        verdicts[key] = {
            "ratio": ratio,
            "min_ratio": min_ratio,
            "same_queries": same_queries,
            "comparable": comparable,
            "ok": same_queries and (max(ratio, min_ratio) <= MAX_RATIO or not comparable),
        }
    return verdicts


def report(title: str, measured: list[dict], verdicts: dict, runs: int) -> None:
    print(title)
    for size in measured:
        v = size["volume"]
        print(
            f"  {size['size']:>5} questionnaires: seeded in {size['seed_seconds']:.1f} s; "
            f"{v['answers']:,} answers ({v['answered']:,} answered), {v['history']:,} history "
            f"rows, {v['evidence']} evidence items, {v['evidence_links']:,} links; database "
            f"{v['database_mb']:,.0f} MB"
        )
    print(
        f"  {runs} timed calls per row and size, interleaved between the sizes: median and "
        "fastest (min) in ms; q = queries per call; ratio = largest size / smallest"
    )
    print()
    sizes = [m["size"] for m in measured]
    print(
        f"  {'':30}" + "".join(f"{f'{s:,} questionnaires':^24}" for s in sizes) + f"{'ratio':^16}"
    )
    print(
        f"  {'':30}" + f"{'median':>10}{'min':>8}{'q':>6}" * len(sizes) + f"{'median':>8}{'min':>8}"
    )
    for key, label in ROWS.items():
        cells = "".join(
            f"{m['rows'][key]['median_ms']:>10.1f}{m['rows'][key]['min_ms']:>8.1f}"
            f"{m['rows'][key]['queries']:>6}"
            for m in measured
        )
        first, last = measured[0]["rows"][key], measured[-1]["rows"][key]
        verdict = verdicts[key]
        flag = "" if verdict["ok"] else "  GROWS"
        if not verdict["same_queries"]:
            flag += " (query count differs)"
        if not verdict["comparable"]:
            amounts = [m["rows"][key].get("shown", m["rows"][key].get("rows")) for m in measured]
            flag += f"  not judged: {' vs '.join(map(str, amounts))} rows"
        print(
            f"  {label:<30}{cells}{verdict['ratio']:>7.2f}x"
            f"{last['min_ms'] / first['min_ms']:>7.2f}x{flag}"
        )
    print()
    print(
        f"Overall: {'PASS' if all(v['ok'] for v in verdicts.values()) else 'FAIL'} "
        f"(target: at {sizes[-1]:,} within {MAX_RATIO}x of {sizes[0]:,}, median and min, "
        "same queries)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--sizes", default="10,10000", help="questionnaire counts, ascending")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--json", action="store_true", help="print one JSON object instead")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    try:
        sizes = [int(part) for part in args.sizes.split(",")]
    except ValueError:
        parser.error("--sizes takes comma-separated numbers, e.g. 10,1000")
    if len(sizes) < 2 or sizes != sorted(set(sizes)) or sizes[0] < 1:
        parser.error("--sizes needs at least two ascending, positive sizes")
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    databases = Databases(args.database_url, sizes)
    try:
        databases.prepare()
    except Refused as exc:
        print(f"Refused: {exc}", file=sys.stderr)
        return 2
    configure(args.database_url)
    from django.core.management import call_command
    from django.db import connections

    from config.runtime import tune_garbage_collector

    try:
        call_command("migrate", verbosity=0)
        built = []
        for n, size in enumerate(sizes):
            if n:  # grow a copy of the previous size, which stays for the interleaved runs
                databases.copy(sizes[n - 1], size)
                databases.use(size)
            built.append(build(size))
        title = header("scale benchmark")
        tune_garbage_collector()
        rows = measure(built, databases, args.runs)
        measured = [
            {
                "size": s.size,
                "seed_seconds": s.seed_seconds,
                "volume": s.volume,
                "rows": rows[s.size],
            }
            for s in built
        ]
    except Exception as exc:  # a failed run is reported, not a traceback
        print(f"ERROR: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    finally:
        connections.close_all()
        private_storage_cleanup()
        if not args.keep:
            databases.drop()
    verdicts = compare(measured)
    if args.json:
        print(
            json.dumps(
                {
                    "machine": title,
                    "runs": args.runs,
                    "max_ratio": MAX_RATIO,
                    "sizes": measured,
                    "verdicts": verdicts,
                    "labels": ROWS,
                },
                indent=1,
            )
        )
    else:
        report(title, measured, verdicts, args.runs)
    return 0 if all(v["ok"] for v in verdicts.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
