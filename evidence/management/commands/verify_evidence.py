from django.core.management.base import BaseCommand, CommandError

from evidence.integrity import evidence_verify


class Command(BaseCommand):
    help = (
        "Re-hash every stored evidence file and report any that is missing or whose bytes no "
        "longer match its SHA-256. Exits non-zero when there is a problem."
    )

    def handle(self, *args, **options):
        report = evidence_verify()
        for problem in report.problems:
            self.stdout.write(problem.describe())
        if report.problems:
            self.stdout.write(report.summary())
            raise CommandError(f"{len(report.problems)} problem(s) in the evidence store.")
        self.stdout.write(self.style.SUCCESS(report.summary()))
