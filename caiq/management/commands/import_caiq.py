from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import Membership, Organization, Role
from caiq.models import CatalogVersion, Questionnaire
from caiq.services import questionnaire_create
from caiq.services.catalog import workbook_limits
from caiq.services.transfer import ImportRefused, import_workbook
from caiq.xlsx.catalog import CatalogRejected, find_questionnaire_sheet
from caiq.xlsx.guard import WorkbookRejected, open_workbook

SHOWN_PROBLEMS = 50


def problem_list(problems: list) -> str:
    lines = [f"  - {problem}" for problem in problems[:SHOWN_PROBLEMS]]
    if len(problems) > SHOWN_PROBLEMS:
        lines.append(f"  and {len(problems) - SHOWN_PROBLEMS} more")
    return "\n".join(lines)


class Command(BaseCommand):
    help = (
        "Import a completed CAIQ workbook into a questionnaire of an organisation, all or "
        "nothing, every change recorded in the answer history (source: import). "
        "--questionnaire ID updates an existing questionnaire of that organisation; --new NAME "
        "creates one for the workbook's CAIQ version (which must be loaded) and imports into it "
        "in the same transaction, so a refused import leaves no new questionnaire. The command "
        "acts as the organisation's first admin (the earliest admin membership) unless --as "
        "EMAIL names another member; creating needs an admin, importing a contributor or above."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="the completed CAIQ workbook (.xlsx)")
        parser.add_argument("--organization", required=True, help="the organisation's slug")
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument(
            "--questionnaire", type=int, metavar="ID", help="import into this questionnaire"
        )
        target.add_argument("--new", metavar="NAME", help="create a questionnaire of this name")
        parser.add_argument(
            "--service", default="", help="with --new: the cloud service (default: NAME)"
        )
        parser.add_argument(
            "--as",
            dest="acting_email",
            metavar="EMAIL",
            help="the member who acts (default: the organisation's first admin)",
        )
        parser.add_argument(
            "--clear-blank",
            action="store_true",
            help="blank cells clear stored values (by default they leave them as they are)",
        )

    def handle(self, *args, path: Path, organization: str, **options):
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from exc
        org = Organization.objects.filter(slug=organization).first()
        if org is None:
            raise CommandError(f"There is no organisation '{organization}'.")
        membership = self.acting_membership(org, options["acting_email"])
        try:
            with transaction.atomic():
                if options["new"] is not None:
                    questionnaire = questionnaire_create(
                        membership=membership,
                        version=self.workbook_version(data),
                        name=options["new"],
                        service_name=options["service"] or options["new"],
                    )
                else:
                    questionnaire = self.existing(org, options["questionnaire"])
                summary = import_workbook(
                    questionnaire=questionnaire,
                    data=data,
                    user=membership.user,
                    membership=membership,
                    clear_blank=options["clear_blank"],
                )
        except ImportRefused as exc:
            raise CommandError(
                f"Nothing was imported: {len(exc.errors)} problem(s) in {path.name}.\n"
                + problem_list(exc.errors)
            ) from exc
        except ValidationError as exc:
            raise CommandError("Nothing was imported: " + " ".join(exc.messages)) from exc
        except PermissionDenied as exc:
            raise CommandError(f"Nothing was imported: {exc}") from exc
        self.stdout.write(f"{questionnaire.name}: {summary.message}")
        if summary.altered_warning:
            self.stdout.write(f"Warning: {summary.altered_warning}")
            for line in summary.alterations:
                self.stdout.write(f"  {line}")

    def acting_membership(self, org: Organization, email: str | None) -> Membership:
        memberships = Membership.objects.filter(organization=org).select_related("user")
        if email:
            membership = memberships.filter(user__email__iexact=email.strip()).first()
            if membership is None:
                raise CommandError(f"{email} is not a member of {org}.")
            return membership
        membership = memberships.filter(role=Role.ADMIN).order_by("created_at", "pk").first()
        if membership is None:
            raise CommandError(f"{org} has no admin: name the acting member with --as EMAIL.")
        return membership

    def existing(self, org: Organization, questionnaire_id: int) -> Questionnaire:
        questionnaire = (
            Questionnaire.objects.filter(pk=questionnaire_id, organization=org)
            .select_related("version")
            .first()
        )
        if questionnaire is None:
            raise CommandError(f"{org} has no questionnaire {questionnaire_id}.")
        return questionnaire

    def workbook_version(self, data: bytes) -> CatalogVersion:
        try:
            workbook = open_workbook(data, limits=workbook_limits(), read_only=True)
            caiq_version = find_questionnaire_sheet(workbook)[1]
        except WorkbookRejected as exc:
            raise CommandError(f"Nothing was imported: {exc}") from exc
        except CatalogRejected as exc:
            raise CommandError(
                "Nothing was imported: the workbook is not a CAIQ questionnaire.\n"
                + problem_list(exc.problems)
            ) from exc
        version = CatalogVersion.objects.filter(caiq_version=caiq_version).first()
        if version is None:
            loaded = ", ".join(CatalogVersion.objects.values_list("caiq_version", flat=True))
            raise CommandError(
                f"The workbook is CAIQ v{caiq_version}, which is not loaded (loaded: "
                f"{loaded or 'none'}); import CSA's v{caiq_version} workbook with import_catalog "
                "first."
            )
        return version
