"""Does the answer library cost more in an organisation of 1,000 questionnaires than of 10?

Two organisations are seeded side by side in one PostgreSQL database with ``seed_volume``
(bench/seed.py: 261 answers a questionnaire, ~70% answered, history with reviews and
approvals): the baseline with 10 questionnaires, the other with 1,000. In each, a contributor
opens the library panel of the same question (``A&A-01.1``) of the organisation's first
questionnaire, as the fill page does (htmx ``GET .../answers/<id>/library/``): the
organisation's other answers to that question, approved first, then newest, with who approved
them. The bulk-fill preview (``GET /questionnaires/<id>/fill-from/?source=<second>``) is timed
the same way and reported, not judged: its plan reads two questionnaires whatever the
organisation's size, but its page offers the organisation's questionnaires edited last as
sources (up to 100 choices: 9 in the baseline), and the seeded questionnaires it fills from
and into differ between the organisations (the script prints how many answers each preview
lists), so it shows more at the larger size.

Server time through Django's test Client, in-process, with config.settings.test (DEBUG off);
queries counted once per row and size, outside the timed runs. The sizes are timed
interleaved, blocks of 3 calls each after an untimed one, so a change in the machine's load
slows both alike.

Exits 0 when the panel runs the same number of queries at both sizes and its median at 1,000 is
within 1.2x of its median at 10, 1 otherwise, 2 when it could not run. The database is DROPPED
and created afresh (its name must contain "bench") and dropped at the end unless --keep.

Run: .venv/bin/python bench/library.py [--database-url postgres://postgres@127.0.0.1:5432/caiq_bench_library]
         [--sizes 10,1000] [--runs 30] [--keep]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import configure, header, private_storage_cleanup
from bench.scale import Databases, Refused

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/caiq_bench_library"
QUESTION = "A&A-01.1"
MAX_RATIO = 1.2
BLOCK = 3
ROWS = {
    "panel": "library panel (htmx GET), one question",
    "preview": "bulk-fill preview, one source",
}
JUDGED = {"panel"}


def _world(size: int) -> dict:
    """Seed the organisation of ``size`` questionnaires; return its timed calls."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from accounts.models import User
    from bench.seed import seed_volume
    from caiq.models import Answer

    slug = f"library-{size}"
    started = time.perf_counter()
    seeded = seed_volume(slug=slug, questionnaires=size)
    seconds = time.perf_counter() - started
    first, second = seeded.questionnaire_ids[:2]
    answer = Answer.objects.get(questionnaire_id=first, question__code=QUESTION)
    client = Client()
    client.force_login(User.objects.get(email=f"member-0@{slug}.example"))
    urls = {
        "panel": reverse("library:answer", args=[first, answer.pk]),
        "preview": f"{reverse('library:bulk_fill', args=[first])}?source={second}",
    }

    def call(row: str):
        def action():
            response = client.get(urls[row], headers={"HX-Request": "true"})
            if response.status_code != 200:
                raise RuntimeError(f"GET {urls[row]} answered {response.status_code}")
            return response

        return action

    calls = {row: call(row) for row in ROWS}
    queries, shown = {}, {}
    for row, action in calls.items():
        with CaptureQueriesContext(connection) as captured:
            response = action()
        queries[row] = len(captured)
        marker = b'class="suggestion"' if row == "panel" else b'<tr><th scope="row">'
        shown[row] = response.content.count(marker)
    answered = (
        Answer.objects.filter(questionnaire__organization=seeded.organization)
        .filter(question__code=QUESTION)
        .exclude(answer="")
        .count()
    )
    return {
        "calls": calls,
        "queries": queries,
        "shown": shown,
        "seconds": seconds,
        "answered": answered,
    }


def _measure(worlds: dict[int, dict], runs: int) -> dict:
    samples = {size: {row: [] for row in ROWS} for size in worlds}
    for row in ROWS:
        done = 0
        while done < runs:
            for size, world in worlds.items():
                action = world["calls"][row]
                action()  # untimed
                for _ in range(BLOCK):
                    started = time.perf_counter()
                    action()
                    samples[size][row].append((time.perf_counter() - started) * 1000)
            done += BLOCK
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--sizes", default="10,1000")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    databases = Databases(args.database_url, sizes[:1])
    try:
        databases.prepare()
    except Refused as refused:
        print(refused, file=sys.stderr)
        return 2
    configure(args.database_url)
    from django.core.management import call_command

    print(header("bench/library.py"))
    try:
        call_command("migrate", verbosity=0)
        worlds = {size: _world(size) for size in sizes}
        samples = _measure(worlds, args.runs)
    finally:
        private_storage_cleanup()
        if not args.keep:
            from django.db import connections

            connections.close_all()
            databases.drop()
    base, top = sizes[0], sizes[-1]
    for size, world in worlds.items():
        print(
            f"{size:>5} questionnaires: seeded in {world['seconds']:.0f} s; "
            f"{world['answered']} answers to {QUESTION}; "
            f"the panel shows {world['shown']['panel']}, the preview "
            f"{world['shown']['preview']} answers to fill"
        )
    print(f"\n{'row':<42} {'size':>5} {'median ms':>10} {'min ms':>8} {'queries':>8}")
    ok = True
    for row, label in ROWS.items():
        for size in sizes:
            values = samples[size][row]
            print(
                f"{label:<42} {size:>5} {statistics.median(values):>10.2f} "
                f"{min(values):>8.2f} {worlds[size]['queries'][row]:>8}"
            )
        ratio = statistics.median(samples[top][row]) / statistics.median(samples[base][row])
        same = worlds[top]["queries"][row] == worlds[base]["queries"][row]
        verdict = "PASS" if same and ratio <= MAX_RATIO else "FAIL"
        if row in JUDGED:
            ok &= verdict == "PASS"
        else:
            verdict = "reported (shows more sources)"
        print(
            f"{'':<42} {top}/{base}: {ratio:.2f}x median, "
            f"{'same' if same else 'different'} queries -> {verdict}"
        )
    print("\nPASS" if ok else "\nFAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
