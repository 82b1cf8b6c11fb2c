"""Jobs on a real Celery worker (Celery's test worker in a thread), not in eager mode.

The broker is Redis when REDIS_URL is set (CI's second run, this machine's Redis), else
Kombu's in-memory transport.
"""

import os
import time

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker
from django.core.files.uploadedfile import SimpleUploadedFile

from caiq.models import Job, JobStatus
from caiq.services.jobs import job_run, job_start
from caiq.services.transfer import export_xlsx
from config import celery_app

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def worker(monkeypatch):
    """A fresh Celery app, made current, with a worker thread consuming from the broker.

    A fresh app rather than the project's: eager runs in earlier tests leave the shared app's
    state behind. Shared tasks (``run_job``) resolve through the current app, so the code under
    test publishes to this one.
    """
    broker = os.environ.get("REDIS_URL") or "memory://"
    app = Celery("caiq-worker-test")
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.update(task_always_eager=False, broker_url=broker, result_backend="cache+memory://")
    app.set_current()

    @app.task(name="caiq.run_job", acks_late=True, reject_on_worker_lost=True)
    def run_job(job_id: int) -> None:  # the same body as caiq.tasks.run_job
        job_run(job_id=job_id)

    # Publish through this app's own task, whatever another test left as the current app.
    monkeypatch.setattr("caiq.tasks.run_job", run_job)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            yield broker
    finally:
        celery_app.set_current()


def wait_for(job: Job, timeout: float = 30) -> Job:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.finished:
            return job
        time.sleep(0.1)
    pytest.fail(f"job {job.pk} still {job.status} after {timeout} s")


def test_an_export_and_an_import_run_on_a_real_worker(worker, team, membership_of, sample_catalog):
    from caiq.services import questionnaire_create

    admin = membership_of(team.admin, team.org)
    questionnaire = questionnaire_create(
        membership=admin, version=sample_catalog, name="On a worker", service_name="S"
    )

    export = wait_for(
        job_start(
            questionnaire=questionnaire, membership=admin, user=team.admin, kind="export_xlsx"
        )
    )
    imported = wait_for(
        job_start(
            questionnaire=questionnaire,
            membership=admin,
            user=team.admin,
            kind="import_xlsx",
            upload=SimpleUploadedFile("caiq.xlsx", export_xlsx(questionnaire)),
        )
    )

    assert export.status == JobStatus.SUCCEEDED, export.message
    assert imported.status == JobStatus.SUCCEEDED, imported.message
    assert imported.message == "Nothing changed: the file's 261 answers are the ones stored."
