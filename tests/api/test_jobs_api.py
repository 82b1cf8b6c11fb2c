"""Jobs API: start an export or import, poll it, download the result; all scoped by organisation."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from caiq.models import Job, JobStatus
from caiq.services import questionnaire_create
from caiq.services.transfer import export_xlsx

pytestmark = pytest.mark.django_db


def start(client, questionnaire, capture, **data):
    with capture(execute=True):
        return client.post(f"/api/v1/questionnaires/{questionnaire.pk}/jobs/", data)


@pytest.fixture
def globex_job(team, membership_of, small_catalog, django_capture_on_commit_callbacks):
    from caiq.services.jobs import job_start

    membership = membership_of(team.outsider, team.other_org)
    questionnaire = questionnaire_create(
        membership=membership, version=small_catalog, name="Globex", service_name="Globex"
    )
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(
            questionnaire=questionnaire,
            membership=membership,
            user=team.outsider,
            kind="export_csv",
        )
    job.refresh_from_db()  # the task ran when the block ended
    return job


def test_an_export_starts_with_202_and_its_result_downloads_as_an_attachment(
    api_as, team, small_questionnaire, django_capture_on_commit_callbacks
):
    client = api_as(team.viewer)  # a viewer may export

    started = start(
        client, small_questionnaire, django_capture_on_commit_callbacks, kind="export_csv"
    )
    assert started.status_code == 202, started.json()
    assert started.json()["kind"] == "export_csv"
    polled = client.get(f"/api/v1/jobs/{started.json()['id']}/").json()
    download = client.get(polled["result_url"])

    assert polled["status"] == JobStatus.SUCCEEDED
    assert (polled["progress"], polled["ready"]) == (100, False)
    assert polled["result_url"].endswith(f"/api/v1/jobs/{polled['id']}/download/")
    assert download.status_code == 200
    assert download["Content-Type"].startswith("text/csv")
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"A&A-01.1" in b"".join(download.streaming_content)


def test_an_import_takes_a_multipart_workbook_and_reports_its_outcome(
    api_as, team, small_questionnaire, django_capture_on_commit_callbacks
):
    workbook = SimpleUploadedFile("caiq.xlsx", export_xlsx(small_questionnaire))

    started = start(
        api_as(team.contributor),
        small_questionnaire,
        django_capture_on_commit_callbacks,
        kind="import_xlsx",
        workbook=workbook,
    )

    assert started.status_code == 202, started.json()
    job = Job.objects.get(pk=started.json()["id"])
    assert job.status == JobStatus.SUCCEEDED
    assert job.message == "Nothing changed: the file's 10 answers are the ones stored."
    assert job.created_by == team.contributor


def test_a_viewer_cannot_import_and_an_import_needs_a_workbook(
    api_as, team, small_questionnaire, django_capture_on_commit_callbacks
):
    by_viewer = start(
        api_as(team.viewer),
        small_questionnaire,
        django_capture_on_commit_callbacks,
        kind="import_xlsx",
    )
    without_file = start(
        api_as(team.contributor),
        small_questionnaire,
        django_capture_on_commit_callbacks,
        kind="import_xlsx",
    )
    unknown_kind = start(
        api_as(team.contributor),
        small_questionnaire,
        django_capture_on_commit_callbacks,
        kind="delete_everything",
    )

    assert by_viewer.status_code == 403
    assert without_file.status_code == 400
    assert without_file.json()["error"]["details"] == {
        "non_field_errors": ["Choose a CAIQ workbook to import."]
    }
    assert unknown_kind.status_code == 400
    assert not Job.objects.exists()


def test_a_read_scope_token_cannot_start_jobs(
    api_as, team, small_questionnaire, django_capture_on_commit_callbacks
):
    response = start(
        api_as(team.admin, "read"),
        small_questionnaire,
        django_capture_on_commit_callbacks,
        kind="export_csv",
    )

    assert response.status_code == 403


def test_an_unfinished_job_has_no_download(api_as, team, small_questionnaire):
    client = api_as(team.viewer)
    response = client.post(
        f"/api/v1/questionnaires/{small_questionnaire.pk}/jobs/", {"kind": "export_json"}
    )  # on_commit never runs here: the job stays queued

    job_id = response.json()["id"]
    polled = client.get(f"/api/v1/jobs/{job_id}/").json()
    download = client.get(f"/api/v1/jobs/{job_id}/download/")

    assert (polled["status"], polled["result_url"]) == ("queued", None)
    assert download.status_code == 404
    assert download.json()["error"]["code"] == "not_found"


def test_other_organisations_jobs_are_invisible(api_as, team, globex_job):
    client = api_as(team.admin)

    assert client.get("/api/v1/jobs/").json()["count"] == 0
    assert client.get(f"/api/v1/jobs/{globex_job.pk}/").status_code == 404
    assert client.get(f"/api/v1/jobs/{globex_job.pk}/download/").status_code == 404
    assert api_as(team.outsider).get(f"/api/v1/jobs/{globex_job.pk}/download/").status_code == 200


def test_jobs_list_filters_by_questionnaire(
    api_as, team, questionnaire, small_questionnaire, django_capture_on_commit_callbacks
):
    client = api_as(team.viewer)
    start(client, questionnaire, django_capture_on_commit_callbacks, kind="export_json")
    mine = start(client, small_questionnaire, django_capture_on_commit_callbacks, kind="export_csv")

    body = client.get("/api/v1/jobs/", {"questionnaire": small_questionnaire.pk}).json()

    assert [job["id"] for job in body["results"]] == [mine.json()["id"]]


@pytest.mark.django_db(transaction=True)
def test_a_refused_import_answers_with_its_problems_not_as_a_queue_outage(
    api_client, team, small_questionnaire
):
    """With tasks in-process the job runs when job_start commits, before the view answers: it
    has failed already, and that is 202 with the problems in the body, not a queue outage."""
    from tests.hostile import not_a_zip

    from .conftest import make_token

    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_token(team.contributor, 'write')}")
    response = api_client.post(
        f"/api/v1/questionnaires/{small_questionnaire.pk}/jobs/",
        {"kind": "import_xlsx", "workbook": SimpleUploadedFile("bad.xlsx", not_a_zip())},
        format="multipart",
    )

    assert response.status_code == 202, response.json()
    body = api_client.get(f"/api/v1/jobs/{response.json()['id']}/").json()
    assert body["status"] == "failed"
    assert body["errors"] == ["This file is not an .xlsx workbook (it is not a zip archive)."]
