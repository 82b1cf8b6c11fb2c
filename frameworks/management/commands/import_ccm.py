"""manage.py import_ccm PATH: store the framework mappings of CSA's CCM workbook."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from frameworks.services import CcmImportError, ccm_import

GAPS = (("no", "no gap"), ("partial", "partial"), ("full", "full gap"), ("", "not stated"))


class Command(BaseCommand):
    help = (
        "Import the framework mappings (sheet 'Scope Applicability (Mappings)') of CSA's Cloud "
        "Controls Matrix workbook. Repeatable: the same file again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="CSA's CCM workbook (.xlsx)")

    def handle(self, *args, path, **options):
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from exc
        try:
            result = ccm_import(data=data, filename=Path(path).name)
        except CcmImportError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(result.message)
        for framework in result.ccm.frameworks:
            counts = framework.counts
            gaps = ", ".join(f"{counts['gaps'][key]} {label}" for key, label in GAPS)
            self.stdout.write(
                f"  {framework.name}: {counts['mapped_controls']} controls mapped, "
                f"{counts['unmapped_controls']} not, {counts['requirements']} requirements; "
                f"gap levels: {gaps}"
            )
