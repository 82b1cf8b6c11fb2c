from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.services_demo import DEMO_PASSWORD, demo_seed
from caiq.services import CatalogImportError


class Command(BaseCommand):
    help = (
        "Create the demo organisation with one user per role and load a catalog: CSA's "
        "workbook when given, else the built-in sample (official IDs, placeholder text). "
        "Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--workbook", type=Path, help="CSA's official CAIQ .xlsx workbook")

    def handle(self, *args, workbook: Path | None = None, **options):
        try:
            seeded = demo_seed(workbook=workbook)
        except (CatalogImportError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(seeded.catalog_message)
        self.stdout.write(f"Demo organisation: {seeded.organization.name}")
        self.stdout.write(f"Demo users (password for all: {DEMO_PASSWORD}):")
        for email, role in seeded.users:
            self.stdout.write(f"  {email:<32} {role}")
