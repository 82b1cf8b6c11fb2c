"""Grow an organisation to N questionnaires of realistic data (bench/seed.py), for load tests.

Every answer of the catalog, a mix of Yes/No/NA with history, reviews, assignments, comments
and linked evidence, plus M members (contributors, 2 reviewers, an admin, a viewer) sharing one
password. Creates the organisation and the sample catalog when missing; running it again adds
only the questionnaires still missing. Uses the settings and database of the environment
(DJANGO_SETTINGS_MODULE, DATABASE_URL), like manage.py.

Run: .venv/bin/python bench/seed_volume.py --organization SLUG --questionnaires N
         [--members M] [--password P] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None, out=None) -> int:
    out = out or sys.stdout
    from django.core.exceptions import ValidationError

    from bench.seed import DEFAULT_MEMBERS, DEFAULT_PASSWORD, seed_volume

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--organization", required=True, metavar="SLUG")
    parser.add_argument("--questionnaires", required=True, type=int, metavar="N")
    parser.add_argument("--members", type=int, default=DEFAULT_MEMBERS, metavar="M")
    parser.add_argument("--password", default=DEFAULT_PASSWORD, metavar="P")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    try:
        seeded = seed_volume(
            slug=args.organization,
            questionnaires=args.questionnaires,
            members=args.members,
            password=args.password,
        )
    except ValidationError as exc:
        parser.error(" ".join(exc.messages))
    result = seeded.as_dict()
    if args.json:
        print(json.dumps(result), file=out)
        return 0
    print(
        f"{seeded.organization.name} ({args.organization}): {result['questionnaires']} "
        f"questionnaires ({seeded.added} added in {seeded.seconds:.1f} s), "
        f"{seeded.answers} answers, {len(seeded.members)} members (password: {args.password}).",
        file=out,
    )
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()
    sys.exit(main())
