"""The customer responsibility matrix: exactly the questions whose SSRM owner involves the
customer, grouped by domain, on the page, in the API, in the XLSX (read back with openpyxl) and
in the PDF job's file (its text extracted with pypdf); another organisation's is a 404; a
questionnaire without such answers says so."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from caiq.models import Job, JobKind, JobStatus
from caiq.services import answer_update
from responsibility.matrix import EMPTY_MESSAGE
from responsibility.xlsx import HEADER_ROW

pytestmark = pytest.mark.django_db

OWNERS = {
    "A&A-01.1": "CSC-owned",
    "A&A-01.2": "CSP-owned",
    "AIS-01.1": "Shared CSP and CSC",
    "AIS-02.1": "Shared CSP and 3rd-party",
    "BCR-01.2": "CSC-owned",
    "BCR-01.3": "3rd-party outsourced",
}
CUSTOMER = ["A&A-01.1", "AIS-01.1", "BCR-01.2"]


@pytest.fixture
def answered(small_questionnaire, admin_membership, team):
    for answer in small_questionnaire.answers.select_related("questionnaire", "question"):
        owner = OWNERS.get(answer.question.code)
        if owner:
            code = answer.question.code
            answer_update(
                answer=answer,
                membership=admin_membership,
                user=team.admin,
                values={
                    "answer": "Yes",
                    "ssrm": owner,
                    "csc_responsibilities": f"Customer task {code}",
                    "implementation": f"Provider part {code}",
                },
                base_revision=answer.revision,
            )
    return small_questionnaire


def _get(client, questionnaire, **params):
    return client.get(reverse("responsibility:matrix", args=[questionnaire.pk]), params)


def test_the_page_lists_exactly_the_customer_involved_answers_by_domain(answered, client, team):
    client.force_login(team.viewer)

    page = _get(client, answered)

    domains = page.context["domains"]
    assert [(d.code, [r.code for r in d.rows]) for d in domains] == [
        ("A&A", ["A&A-01.1"]),
        ("AIS", ["AIS-01.1"]),
        ("BCR", ["BCR-01.2"]),
    ]
    assert "Customer task AIS-01.1" in page.text
    assert "Provider part A&amp;A-01.2" not in page.text


def test_the_xlsx_holds_exactly_the_customer_involved_answers(answered, client, team):
    client.force_login(team.viewer)

    response = _get(client, answered, format="xlsx")

    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="customer-responsibilities-small.xlsx"'
    )
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    rows = list(sheet.iter_rows(min_row=HEADER_ROW, values_only=True))
    assert rows[0][:3] == ("Domain", "Control", "Question ID")
    assert [(r[2], r[4], r[5], r[6]) for r in rows[1:]] == [
        (code, OWNERS[code], f"Customer task {code}", f"Provider part {code}") for code in CUSTOMER
    ]


def _pdf(client, questionnaire, on_commit) -> PdfReader:
    """Start the PDF job from the matrix page, as a person does (tasks run eagerly in the
    tests), and download its result from the export page's job list."""
    page = _get(client, questionnaire)
    assert "Prepare the PDF" in page.text
    with on_commit(execute=True):  # the job is enqueued once its row is committed
        started = client.post(
            reverse("caiq:job_start", args=[questionnaire.pk, JobKind.EXPORT_RESPONSIBILITY_PDF])
        )
    assert started.status_code == 302
    job = Job.objects.get(questionnaire=questionnaire, kind=JobKind.EXPORT_RESPONSIBILITY_PDF)
    assert (job.status, job.message) == (JobStatus.SUCCEEDED, "Exported.")
    download = client.get(reverse("caiq:job_download", args=[questionnaire.pk, job.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert job.result_name == f"customer-responsibilities-{questionnaire.name.lower()}.pdf"
    return PdfReader(io.BytesIO(b"".join(download.streaming_content)))


def test_the_pdf_holds_exactly_the_customer_involved_answers(
    answered, client, team, django_capture_on_commit_callbacks
):
    client.force_login(team.viewer)

    reader = _pdf(client, answered, django_capture_on_commit_callbacks)

    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Customer responsibility matrix: Small" in text
    for code in OWNERS:
        assert (f"Customer task {code}" in text) == (code in CUSTOMER), code
        assert (f"Provider part {code}" in text) == (code in CUSTOMER), code
    assert "Page 1 of" in text
    # Its fonts are Debian's DejaVu, embedded.
    fonts = {
        str(font["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert any("DejaVu-Sans" in font for font in fonts), fonts


def test_the_api_serves_the_matrix_as_json_xlsx_and_a_pdf_job(
    answered, api_as, team, django_capture_on_commit_callbacks
):
    api = api_as(team.viewer)
    base = f"/api/v1/questionnaires/{answered.pk}/responsibility-matrix/"

    body = api.get(base).json()
    xlsx = api.get(f"{base}xlsx/")
    with django_capture_on_commit_callbacks(execute=True):
        job = api.post(
            f"/api/v1/questionnaires/{answered.pk}/jobs/", {"kind": "export_crm_pdf"}, format="json"
        )

    assert body["count"] == 3
    assert body["message"] == ""
    assert [r["code"] for d in body["domains"] for r in d["rows"]] == CUSTOMER
    assert body["domains"][1]["rows"][0]["csc_responsibilities"] == "Customer task AIS-01.1"
    assert xlsx.status_code == 200
    assert xlsx.content[:2] == b"PK"
    assert job.status_code == 202, job.content
    assert Job.objects.get(pk=job.json()["id"]).status == JobStatus.SUCCEEDED


def test_another_organisations_matrix_is_a_404_everywhere(answered, client, api_as, team):
    client.force_login(team.outsider)
    assert _get(client, answered).status_code == 404
    assert _get(client, answered, format="xlsx").status_code == 404
    start = reverse("caiq:job_start", args=[answered.pk, JobKind.EXPORT_RESPONSIBILITY_PDF])
    assert client.post(start).status_code == 404
    api = api_as(team.outsider)
    base = f"/api/v1/questionnaires/{answered.pk}/responsibility-matrix/"
    for path in (base, f"{base}xlsx/"):
        assert api.get(path).status_code == 404, path
    assert not Job.objects.filter(questionnaire=answered).exists()


def test_a_questionnaire_without_customer_answers_says_so_in_every_form(
    small_questionnaire, client, api_as, team, django_capture_on_commit_callbacks
):
    client.force_login(team.viewer)

    page = _get(client, small_questionnaire)
    sheet = load_workbook(
        io.BytesIO(_get(client, small_questionnaire, format="xlsx").content), read_only=True
    ).active
    pdf = _pdf(client, small_questionnaire, django_capture_on_commit_callbacks)
    body = api_as(team.viewer).get(
        f"/api/v1/questionnaires/{small_questionnaire.pk}/responsibility-matrix/"
    )

    assert EMPTY_MESSAGE in page.text
    assert [r[0] for r in sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True)] == [
        EMPTY_MESSAGE
    ]
    assert "No answer of this questionnaire gives the customer" in pdf.pages[0].extract_text()
    assert body.json()["count"] == 0
    assert body.json()["message"] == EMPTY_MESSAGE


def test_user_text_is_never_a_formula_in_the_xlsx(answered, client, team, admin_membership):
    answer = answered.answers.select_related("questionnaire", "question").get(
        question__code="A&A-01.1"
    )
    answer_update(
        answer=answer,
        membership=admin_membership,
        user=team.admin,
        values={"csc_responsibilities": '=HYPERLINK("http://x")'},
        base_revision=answer.revision,
    )
    client.force_login(team.viewer)

    sheet = load_workbook(io.BytesIO(_get(client, answered, format="xlsx").content)).active

    cell = sheet.cell(row=HEADER_ROW + 1, column=6)
    assert cell.data_type == "s"
    assert cell.value == '\'=HYPERLINK("http://x")'
