"""The embedded demo: an organisation, one user per role, and a catalog to browse.

Idempotent, so the run command can call it on every start. Demo accounts are for a laptop;
production settings never call this.
"""

from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from caiq.models import CatalogVersion
from caiq.services import catalog_import
from caiq.xlsx.builder import SAMPLE_FILENAME, sample_workbook_bytes

from .models import Membership, Organization, Role, User

DEMO_PASSWORD = "demo-password-123"  # noqa: S105 - printed to the developer on purpose
DEMO_DOMAIN = "demo.caiq.test"


@dataclass(frozen=True)
class DemoSeed:
    organization: Organization
    users: list[tuple[str, str]]
    catalog_message: str


def demo_seed(*, workbook: Path | None = None) -> DemoSeed:
    if workbook is not None:
        catalog_message = catalog_import(data=workbook.read_bytes(), filename=workbook.name).message
    elif CatalogVersion.objects.exists():
        # A catalog is loaded already (perhaps CSA's own): the sample must not compete with it.
        catalog_message = "Catalog: " + ", ".join(str(v) for v in CatalogVersion.objects.all())
    else:
        catalog_message = catalog_import(
            data=sample_workbook_bytes(), filename=SAMPLE_FILENAME, is_sample=True
        ).message
    with transaction.atomic():
        org, _ = Organization.objects.get_or_create(
            slug="demo", defaults={"name": "Demo Cloud Provider"}
        )
        users = []
        for role in Role:
            email = f"{role.value}@{DEMO_DOMAIN}"
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(
                    email=email,
                    password=DEMO_PASSWORD,
                    name=f"Demo {role.label}",
                    # The demo admin also runs the catalog upload page and Django's admin.
                    is_staff=role == Role.ADMIN,
                    is_superuser=role == Role.ADMIN,
                )
            Membership.objects.get_or_create(user=user, organization=org, defaults={"role": role})
            users.append((email, role.label))
        _demo_questionnaire(org)
    return DemoSeed(organization=org, users=users, catalog_message=catalog_message)


def _demo_questionnaire(org: Organization) -> None:
    """One questionnaire to open right away, on the newest catalog version loaded."""
    from caiq.services import questionnaire_create

    version = CatalogVersion.objects.order_by("-imported_at").first()
    if version is None or org.questionnaires.exists():
        return
    admin = Membership.objects.get(organization=org, user__email=f"admin@{DEMO_DOMAIN}")
    questionnaire_create(
        membership=admin,
        version=version,
        name="Demo Object Storage 2026",
        service_name="Demo Object Storage",
    )
