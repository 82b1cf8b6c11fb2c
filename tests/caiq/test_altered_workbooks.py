"""An import says where the file was altered outside the answers (CSA refuses such a file),
and a workbook that is not a CAIQ v4 is refused at once, named as what it is."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from rest_framework.test import APIClient

from caiq.services import CatalogImportError, catalog_import
from caiq.services.jobs import job_run, job_start
from caiq.services.transfer import ImportRefused, export_xlsx, import_workbook
from tests.workbooks import to_bytes

from .test_transfer import fill_all

pytestmark = pytest.mark.django_db
SHEET = "CAIQv4.0.3"


def altered(data: bytes) -> bytes:
    """One header cell, one question text and one control ID changed, as a user might."""
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook[SHEET]
    sheet["E2"] = "CSP Implementation Description (Required)"
    sheet["B4"] = "A question we reworded"
    sheet["I5"] = "A&A-99"
    return to_bytes(workbook)


def test_the_warning_lists_exactly_the_cells_that_were_changed(official_questionnaire, team):
    membership = fill_all(official_questionnaire, team)

    summary = import_workbook(
        questionnaire=official_questionnaire,
        data=altered(export_xlsx(official_questionnaire)),
        user=team.contributor,
        membership=membership,
    )

    assert summary.alterations == [
        "Row 2, column E (CSP Implementation Description (Optional/Recommended)): CSA's workbook "
        "has “CSP Implementation Description (Optional/Recommended)”, this file has “CSP "
        "Implementation Description (Required)”.",
        "Row 4, column B (Question): CSA's workbook has “Placeholder question text for "
        "A&A-01.2: second line?”, this file has “A question we reworded”.",
        "Row 5, column I (CCM Control ID): CSA's workbook has “A&A-02”, this file has “A&A-99”.",
    ]
    assert summary.altered_warning.startswith("This file differs from CSA's workbook in 3 cells")
    assert summary.unchanged == 261  # the answers still import


def test_an_unaltered_export_gets_no_warning(official_questionnaire, team):
    membership = fill_all(official_questionnaire, team)

    summary = import_workbook(
        questionnaire=official_questionnaire,
        data=export_xlsx(official_questionnaire),
        user=team.contributor,
        membership=membership,
    )

    assert summary.alterations == []
    assert summary.altered_warning == ""


def test_a_spreadsheet_programs_resave_is_not_an_alteration(official_questionnaire, team):
    """openpyxl drops CSA's empty inline strings on saving: empty stays empty."""
    membership = fill_all(official_questionnaire, team)
    resaved = to_bytes(load_workbook(io.BytesIO(export_xlsx(official_questionnaire))))

    summary = import_workbook(
        questionnaire=official_questionnaire, data=resaved, user=None, membership=membership
    )

    assert summary.alterations == []


def test_the_job_page_api_and_command_show_the_warning(
    official_questionnaire, team, tmp_path, client
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from accounts.models import Membership

    membership = Membership.objects.get(user=team.admin, organization=team.org)
    data = altered(export_xlsx(official_questionnaire))
    job = job_start(
        questionnaire=official_questionnaire,
        membership=membership,
        user=team.admin,
        kind="import_xlsx",
        upload=SimpleUploadedFile("altered.xlsx", data),
    )
    job_run(job_id=job.pk)
    job.refresh_from_db()

    assert job.status == "succeeded"
    assert "This file differs from CSA's workbook in 3 cells outside the answers" in job.message
    assert len(job.warnings) == 3
    client.force_login(team.viewer)
    page = client.get(reverse("caiq:jobs", args=[official_questionnaire.pk])).content.decode()
    assert "3 altered cells" in page
    assert "Row 5, column I (CCM Control ID): CSA&#x27;s workbook has “A&amp;A-02”" in page
    api = APIClient()
    api.force_authenticate(team.viewer)
    body = api.get(f"/api/v1/jobs/{job.pk}/").json()
    assert body["warnings"] == job.warnings
    assert "This file differs from CSA's workbook" in body["message"]
    path = tmp_path / "altered.xlsx"
    path.write_bytes(data)
    out = io.StringIO()
    call_command(
        "import_caiq",
        str(path),
        "--organization",
        "acme",
        "--questionnaire",
        str(official_questionnaire.pk),
        stdout=out,
    )
    assert "Warning: This file differs from CSA's workbook in 3 cells" in out.getvalue()
    assert "Row 5, column I (CCM Control ID)" in out.getvalue()


def legacy_caiq() -> bytes:
    workbook = Workbook()
    workbook.active.title = "CSA CAIQ v3.0.1"
    workbook.active.append(["Control Domain", "Control ID", "Question ID"])
    for number in range(1, 296):
        workbook.active.append(["Application & Interface Security", "AIS-01", f"AIS-01.{number}"])
    return to_bytes(workbook)


def ccm_workbook() -> bytes:
    workbook = Workbook()
    workbook.active.title = "Introduction"
    for name in ("CCM", "Implementation Guidelines", "Scope Applicability (Mappings)", "CAIQ"):
        workbook.create_sheet(name)
    return to_bytes(workbook)


def test_a_caiq_v3_workbook_is_refused_named_as_what_it_is(official_questionnaire):
    with pytest.raises(ImportRefused) as refused:
        import_workbook(
            questionnaire=official_questionnaire, data=legacy_caiq(), user=None, membership=None
        )
    with pytest.raises(CatalogImportError) as refused_catalog:
        catalog_import(data=legacy_caiq(), filename="caiq-v3.xlsx")

    expected = "This is a CAIQ v3.0.1 workbook; only CAIQ v4.x can be imported"
    assert str(refused.value).startswith(expected)
    assert str(refused_catalog.value).startswith(expected)


def test_a_ccm_workbook_is_refused_named_as_what_it_is(official_questionnaire):
    with pytest.raises(ImportRefused) as refused:
        import_workbook(
            questionnaire=official_questionnaire, data=ccm_workbook(), user=None, membership=None
        )

    assert str(refused.value).startswith("This is the Cloud Controls Matrix (CCM) workbook")
