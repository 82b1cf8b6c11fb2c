from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from caiq.models import Questionnaire
from caiq.readiness import readiness
from caiq.services.transfer import export_csv, export_json, export_xlsx
from caiq.xlsx.writer import ExportError

EXPORTERS = {"xlsx": export_xlsx, "csv": export_csv, "json": export_json}
SHOWN_FINDINGS = 20


class Command(BaseCommand):
    help = (
        "Export a questionnaire's answers: CSA's workbook filled in (xlsx), or CSV or JSON. "
        "The format follows the file's extension unless --format says otherwise. Prints the "
        "questionnaire's STAR readiness; the file is written even when it is not ready."
    )

    def add_arguments(self, parser):
        parser.add_argument("questionnaire_id", type=int, help="the questionnaire's id")
        parser.add_argument("out", type=Path, help="the file to write")
        parser.add_argument(
            "--format",
            dest="file_format",
            choices=sorted(EXPORTERS),
            help="xlsx, csv or json (default: from the extension of OUT)",
        )

    def handle(self, *args, questionnaire_id: int, out: Path, file_format: str | None, **options):
        file_format = file_format or out.suffix.lstrip(".").lower()
        if file_format not in EXPORTERS:
            raise CommandError(
                f"Cannot tell the format from '{out.name}': use --format xlsx, csv or json."
            )
        questionnaire = (
            Questionnaire.objects.select_related("version", "organization")
            .filter(pk=questionnaire_id)
            .first()
        )
        if questionnaire is None:
            raise CommandError(f"There is no questionnaire {questionnaire_id}.")
        try:
            data = EXPORTERS[file_format](questionnaire)
        except (ExportError, OSError) as exc:
            raise CommandError(f"The export failed: {exc}") from exc
        try:
            out.write_bytes(data)
        except OSError as exc:
            raise CommandError(f"Cannot write {out}: {exc.strerror}.") from exc

        findings = readiness(questionnaire, today=timezone.localdate())
        status = f"not ready: {len(findings)} findings" if findings else "ready"
        self.stdout.write(
            f"Exported {questionnaire.name} (CAIQ v{questionnaire.version.caiq_version}, "
            f"{questionnaire.answers.count()} answers) to {out}; STAR readiness: {status}"
        )
        for finding in findings[:SHOWN_FINDINGS]:
            where = f"{finding.question}: " if finding.question else ""
            self.stdout.write(f"  - {where}{finding.message}")
        if len(findings) > SHOWN_FINDINGS:
            self.stdout.write(f"  and {len(findings) - SHOWN_FINDINGS} more")
