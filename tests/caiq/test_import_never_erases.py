"""An import never erases by omission: a blank cell leaves the stored value as it is, unless
the user asks for blanks to clear."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from caiq.models import AnswerChange, Job
from caiq.services.transfer import import_workbook
from tests.workbooks import official_bytes, to_bytes

from .test_transfer import fill_all

pytestmark = pytest.mark.django_db
SHEET = "CAIQv4.0.3"


def stored(questionnaire):
    return list(
        questionnaire.answers.order_by("question__position").values_list(
            "answer", "ssrm", "implementation", "csc_responsibilities", "revision"
        )
    )


def test_csas_blank_workbook_changes_nothing_and_says_so(official_questionnaire, team):
    membership = fill_all(official_questionnaire, team)
    before, history = stored(official_questionnaire), AnswerChange.objects.count()

    summary = import_workbook(
        questionnaire=official_questionnaire,
        data=official_bytes(),  # the blank template itself
        user=team.contributor,
        membership=membership,
    )

    assert stored(official_questionnaire) == before
    assert AnswerChange.objects.count() == history
    assert summary.message == "Nothing changed: the file's 261 answers are the ones stored."


def test_a_blank_cell_keeps_its_value_while_the_filled_cells_import(official_questionnaire, team):
    membership = fill_all(official_questionnaire, team)
    workbook = load_workbook(io.BytesIO(official_bytes()))
    workbook[SHEET]["C3"], workbook[SHEET]["D3"] = "No", "CSC-owned"  # E3, F3 left blank
    first = official_questionnaire.answers.get(question__code="A&A-01.1")

    summary = import_workbook(
        questionnaire=official_questionnaire,
        data=to_bytes(workbook),
        user=team.contributor,
        membership=membership,
    )

    first_after = official_questionnaire.answers.get(question__code="A&A-01.1")
    assert (first_after.answer, first_after.ssrm) == ("No", "CSC-owned")
    assert first_after.implementation == first.implementation != ""
    assert first_after.csc_responsibilities == first.csc_responsibilities != ""
    assert (summary.changed, summary.unchanged, summary.cleared) == (1, 260, 0)


def test_clearing_blanks_is_explicit_and_counted(official_questionnaire, team):
    membership = fill_all(official_questionnaire, team)

    summary = import_workbook(
        questionnaire=official_questionnaire,
        data=official_bytes(),
        user=team.contributor,
        membership=membership,
        clear_blank=True,
    )

    assert summary.cleared == 261
    assert summary.message == (
        "Imported: 0 new, 261 changed (261 with values cleared), 0 unchanged answers."
    )
    assert set(official_questionnaire.answers.values_list("answer", flat=True)) == {""}


def test_the_page_the_api_and_the_command_offer_the_choice(
    official_questionnaire, team, client, tmp_path, django_capture_on_commit_callbacks
):
    from rest_framework.test import APIClient

    fill_all(official_questionnaire, team)
    client.force_login(team.contributor)
    page = reverse("caiq:transfer", args=[official_questionnaire.pk])
    assert 'name="clear_blank"' in client.get(page).text
    start = reverse("caiq:job_start", args=[official_questionnaire.pk, "import_xlsx"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(start, {"workbook": SimpleUploadedFile("blank.xlsx", official_bytes())})
    kept = Job.objects.latest("pk")
    assert (kept.clear_blank, kept.message[:15]) == (False, "Nothing changed")

    api = APIClient()
    api.force_authenticate(team.contributor)
    upload = io.BytesIO(official_bytes())
    upload.name = "blank.xlsx"
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            f"/api/v1/questionnaires/{official_questionnaire.pk}/jobs/",
            {"kind": "import_xlsx", "workbook": upload, "clear_blank": "true"},
            format="multipart",
        )
    assert response.json()["clear_blank"] is True
    assert "261 with values cleared" in Job.objects.get(pk=response.json()["id"]).message

    path = tmp_path / "blank.xlsx"
    path.write_bytes(official_bytes())
    out = io.StringIO()
    call_command(
        "import_caiq", str(path), "--organization", "acme",
        "--questionnaire", str(official_questionnaire.pk), stdout=out,
    )  # fmt: skip
    assert "Nothing changed" in out.getvalue()
