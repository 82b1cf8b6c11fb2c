import pytest

from accounts.models import Membership
from caiq.models import CatalogVersion, Questionnaire
from caiq.services import catalog_import, questionnaire_create
from caiq.xlsx.builder import Structure, build_caiq_xlsx
from tests.workbooks import sample_bytes


def ten_question_structure(version: str = "9.0.0") -> Structure:
    return Structure(
        caiq_version=version,
        domains=[
            ("A&A", "Audit & Assurance", [("A&A-01", ["A&A-01.1", "A&A-01.2", "A&A-01.3"])]),
            (
                "AIS",
                "Application & Interface Security",
                [("AIS-01", ["AIS-01.1", "AIS-01.2"]), ("AIS-02", ["AIS-02.1"])],
            ),
            (
                "BCR",
                "Business Continuity",
                [("BCR-01", ["BCR-01.1", "BCR-01.2", "BCR-01.3", "BCR-01.4"])],
            ),
        ],
    )


@pytest.fixture
def sample_catalog(db) -> CatalogVersion:
    return catalog_import(data=sample_bytes(), filename="sample.xlsx", is_sample=True).version


@pytest.fixture
def small_catalog(db) -> CatalogVersion:
    data = build_caiq_xlsx(ten_question_structure())
    return catalog_import(data=data, filename="small.xlsx").version


@pytest.fixture
def admin_membership(team) -> Membership:
    return Membership.objects.get(user=team.admin, organization=team.org)


@pytest.fixture
def questionnaire(team, admin_membership, sample_catalog) -> Questionnaire:
    return questionnaire_create(
        membership=admin_membership,
        version=sample_catalog,
        name="Acme Storage 2026",
        service_name="Acme Object Storage",
    )


@pytest.fixture
def small_questionnaire(team, admin_membership, small_catalog) -> Questionnaire:
    return questionnaire_create(
        membership=admin_membership, version=small_catalog, name="Small", service_name="Tiny"
    )


@pytest.fixture
def official_questionnaire(team, official_workbook, admin_membership) -> Questionnaire:
    """A questionnaire on the catalog of a workbook shaped like CSA's own (tests.workbooks)."""
    version = catalog_import(
        data=official_workbook.read_bytes(), filename=official_workbook.name
    ).version
    return questionnaire_create(
        membership=admin_membership, version=version, name="Official", service_name="S"
    )
