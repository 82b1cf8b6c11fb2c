"""Jobs: a row per import/export, run by a task after commit; every run ends finished."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from caiq.models import Job, JobStatus
from caiq.services.jobs import MAX_ATTEMPTS, job_reap_stuck, job_run, job_start
from caiq.services.transfer import export_xlsx
from tests.hostile import HOSTILE_WORKBOOKS

pytestmark = pytest.mark.django_db


@pytest.fixture
def contributor(team, membership_of):
    return membership_of(team.contributor, team.org)


def start(questionnaire, membership, kind, upload=None, *, capture):
    with capture(execute=True):
        job = job_start(
            questionnaire=questionnaire,
            membership=membership,
            user=membership.user,
            kind=kind,
            upload=upload,
        )
    job.refresh_from_db()
    return job


def test_an_export_job_runs_after_commit_and_keeps_its_result(
    questionnaire, contributor, django_capture_on_commit_callbacks
):
    job = start(
        questionnaire, contributor, "export_xlsx", capture=django_capture_on_commit_callbacks
    )

    assert job.status == JobStatus.SUCCEEDED
    assert (job.attempts, job.progress) == (1, 100)
    assert job.ready is False
    assert "not ready: " in job.message
    assert job.result_name == "CAIQv4.0.3-Acme-Storage-2026.xlsx"
    with job.result.open("rb") as handle:
        assert handle.read(2) == b"PK"


def test_an_import_job_reports_its_summary(
    questionnaire, contributor, django_capture_on_commit_callbacks
):
    upload = SimpleUploadedFile("caiq.xlsx", export_xlsx(questionnaire))

    job = start(
        questionnaire,
        contributor,
        "import_xlsx",
        upload,
        capture=django_capture_on_commit_callbacks,
    )

    assert job.status == JobStatus.SUCCEEDED
    assert job.message == "Nothing changed: the file's 261 answers are the ones stored."


@pytest.mark.parametrize("case", ["zip_bomb", "xml_entity_attack", "not_a_zip"])
def test_a_refused_import_fails_with_its_reasons_and_writes_nothing(
    questionnaire, contributor, django_capture_on_commit_callbacks, case
):
    upload = SimpleUploadedFile("evil.xlsx", HOSTILE_WORKBOOKS[case]())

    job = start(
        questionnaire,
        contributor,
        "import_xlsx",
        upload,
        capture=django_capture_on_commit_callbacks,
    )

    assert job.status == JobStatus.FAILED
    assert job.message.startswith("Nothing was imported")
    assert job.errors
    assert not questionnaire.answers.exclude(revision=1).exists()


def test_a_viewer_may_export_but_not_import(questionnaire, team, membership_of):
    from django.core.exceptions import PermissionDenied

    viewer = membership_of(team.viewer, team.org)

    with pytest.raises(PermissionDenied):
        job_start(
            questionnaire=questionnaire,
            membership=viewer,
            user=team.viewer,
            kind="import_xlsx",
            upload=SimpleUploadedFile("a.xlsx", b"PK"),
        )


def test_running_a_finished_job_again_changes_nothing(
    questionnaire, contributor, django_capture_on_commit_callbacks
):
    job = start(
        questionnaire, contributor, "export_csv", capture=django_capture_on_commit_callbacks
    )
    finished_at = job.finished_at

    job_run(job_id=job.pk)

    job.refresh_from_db()
    assert (job.attempts, job.finished_at) == (1, finished_at)


def test_a_job_interrupted_too_often_fails_instead_of_staying_running(questionnaire, contributor):
    job = Job.objects.create(
        organization=questionnaire.organization,
        questionnaire=questionnaire,
        kind="export_json",
        status=JobStatus.RUNNING,
        attempts=MAX_ATTEMPTS,
        created_by=contributor.user,
    )

    job_run(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert f"interrupted {MAX_ATTEMPTS} times" in job.message


def test_a_job_whose_worker_died_is_retried_by_the_reaper(
    questionnaire, contributor, django_capture_on_commit_callbacks
):
    import datetime

    from django.utils import timezone

    job = Job.objects.create(
        organization=questionnaire.organization,
        questionnaire=questionnaire,
        kind="export_json",
        status=JobStatus.RUNNING,
        attempts=1,
        started_at=timezone.now() - datetime.timedelta(hours=2),
        created_by=contributor.user,
    )

    with django_capture_on_commit_callbacks(execute=True):
        reaped = job_reap_stuck()

    job.refresh_from_db()
    assert reaped == 1
    assert (job.status, job.attempts) == (JobStatus.SUCCEEDED, 2)
