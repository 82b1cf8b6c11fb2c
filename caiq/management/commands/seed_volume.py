import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from caiq.services.volume import DEFAULT_MEMBERS, DEFAULT_PASSWORD, seed_volume


class Command(BaseCommand):
    help = (
        "Grow an organisation to N questionnaires of realistic data for load tests: every "
        "answer of the catalog, a mix of Yes/No/NA with history, reviews, assignments, "
        "comments and linked evidence, plus M members (contributors, 2 reviewers, an admin, a "
        "viewer) sharing one password. Creates the organisation and the sample catalog when "
        "missing; running it again adds only the questionnaires still missing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--organization", required=True, metavar="SLUG")
        parser.add_argument("--questionnaires", required=True, type=int, metavar="N")
        parser.add_argument("--members", type=int, default=DEFAULT_MEMBERS, metavar="M")
        parser.add_argument("--password", default=DEFAULT_PASSWORD, metavar="P")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args, organization, questionnaires, members, password, **options):
        as_json = options["json"]

        def progress(done: int) -> None:
            if not as_json and options["verbosity"] > 1:
                self.stderr.write(f"  {done} questionnaires")

        try:
            seeded = seed_volume(
                slug=organization,
                questionnaires=questionnaires,
                members=members,
                password=password,
                progress=progress,
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        if as_json:
            self.stdout.write(json.dumps(seeded.as_dict()))
            return
        result = seeded.as_dict()
        self.stdout.write(
            f"{seeded.organization.name} ({organization}): {result['questionnaires']} "
            f"questionnaires ({seeded.added} added in {seeded.seconds:.1f} s), "
            f"{seeded.answers} answers, {len(seeded.members)} members "
            f"(password: {password})."
        )
