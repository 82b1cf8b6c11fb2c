from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from caiq.services import CatalogImportError, catalog_import


class Command(BaseCommand):
    help = "Import a CAIQ catalog version from CSA's official .xlsx workbook."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="CSA's CAIQ workbook (.xlsx)")

    def handle(self, *args, path: Path, **options):
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from exc
        try:
            result = catalog_import(data=data, filename=path.name)
        except CatalogImportError as exc:
            details = "\n".join(f"  - {problem}" for problem in exc.problems[1:21])
            raise CommandError(f"{exc}\n{details}".rstrip()) from exc
        self.stdout.write(result.message)
