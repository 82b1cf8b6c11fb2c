"""Background jobs: start one (enqueued after commit), run it (idempotent), reap dead ones.

A job is a row first and a Celery message second: the page shows the row, the task only
carries its id. Running a job twice is harmless: a finished job is left alone, and a job found
"running" was interrupted (its worker died), so it counts as one more attempt, up to
MAX_ATTEMPTS, after which it fails with a message instead of staying "running" forever.
"""

import datetime
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from accounts.models import Membership, Role, User, require_role
from audit.context import bound_address, current_address
from config.events import publish

from ..models import Job, JobKind, JobStatus, Questionnaire
from ..readiness import readiness
from ..selectors import answer_rows
from . import transfer

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 3
EXPORTS = {
    JobKind.EXPORT_XLSX: (transfer.export_xlsx, "xlsx"),
    JobKind.EXPORT_CSV: (transfer.export_csv, "csv"),
    JobKind.EXPORT_JSON: (transfer.export_json, "json"),
}
# Exports of higher apps, registered at start-up (responsibility.apps): kind -> a function of
# the questionnaire returning (file name, bytes). They are not CSA's workbook: no STAR check.
OTHER_EXPORTS: dict = {}


def _enqueue(job: Job) -> None:
    from ..tasks import run_job  # tasks import services: import here to avoid a cycle

    try:
        run_job.delay(job.pk)
    except OperationalError:
        logger.exception("Could not enqueue job %s", job.pk)
        Job.objects.filter(pk=job.pk, status=JobStatus.QUEUED).update(
            status=JobStatus.FAILED,
            finished_at=timezone.now(),
            message="The job queue is not reachable right now; nothing was changed. Try again "
            "in a few minutes.",
        )


def job_start(
    *,
    questionnaire: Questionnaire,
    membership: Membership,
    user: User,
    kind: str,
    upload=None,
    clear_blank: bool = False,
) -> Job:
    """Record a job and enqueue its task once the row is committed."""
    needed = Role.CONTRIBUTOR if kind == JobKind.IMPORT_XLSX else Role.VIEWER
    require_role(membership, needed, "do that")
    if kind not in JobKind.values:
        raise ValidationError(f"Unknown job kind {kind!r}.")
    job = Job(
        organization_id=questionnaire.organization_id,
        questionnaire=questionnaire,
        kind=kind,
        created_by=user,
        clear_blank=clear_blank and kind == JobKind.IMPORT_XLSX,
        requested_from=current_address(),
    )
    if kind == JobKind.IMPORT_XLSX:
        if upload is None:
            raise ValidationError("Choose a CAIQ workbook to import.")
        if upload.size > settings.WORKBOOK_MAX_BYTES:
            limit = settings.WORKBOOK_MAX_BYTES // (1024 * 1024)
            raise ValidationError(f"The file is larger than the {limit} MB limit.")
        job.source_name = upload.name[:255]
        job.source.save("source", ContentFile(upload.read()), save=False)
    with transaction.atomic():
        job.save()
        transaction.on_commit(lambda: _enqueue(job))
    return job


def _claim(job_id: int) -> Job | None:
    """Mark the job running for one more attempt; None when there is nothing to do."""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.finished:
            return None
        if job.attempts >= MAX_ATTEMPTS:
            job.status, job.finished_at = JobStatus.FAILED, timezone.now()
            job.message = (
                f"The job was interrupted {job.attempts} times (its worker stopped) and was "
                "given up; start it again."
            )
            job.save()
            return None
        job.status, job.attempts, job.progress = JobStatus.RUNNING, job.attempts + 1, 10
        job.started_at = timezone.now()
        job.save()
        return job


def _finish(job: Job, status: str, message: str, **fields) -> None:
    job.status, job.message, job.finished_at = status, message, timezone.now()
    job.progress = 100
    for key, value in fields.items():
        setattr(job, key, value)
    job.save()


def job_run(*, job_id: int) -> None:
    """Do the job's work; every outcome ends in SUCCEEDED or FAILED with a message."""
    job = _claim(job_id)
    if job is None:
        return
    questionnaire = job.questionnaire
    try:
        if job.kind == JobKind.IMPORT_XLSX:
            with bound_address(job.requested_from):
                _run_import(job, questionnaire)
        else:
            _run_export(job, questionnaire)
    except transfer.ImportRefused as refused:
        _finish(
            job,
            JobStatus.FAILED,
            f"Nothing was imported: {len(refused.errors)} problem(s) found.",
            errors=[str(e) for e in refused.errors[:500]],
        )
    except Exception:
        # Logged with its traceback for operators; the user sees a plain outcome, not a 500.
        logger.exception("Job %s failed", job.pk)
        _finish(job, JobStatus.FAILED, "The job failed unexpectedly; nothing was changed.")


def _run_export(job: Job, questionnaire: Questionnaire) -> None:
    if job.kind in OTHER_EXPORTS:
        job.result_name, data = OTHER_EXPORTS[job.kind](questionnaire)
        job.result.save("result", ContentFile(data), save=False)
        _finish(job, JobStatus.SUCCEEDED, "Exported.")
        _export_finished(job)
        return
    export, extension = EXPORTS[JobKind(job.kind)]
    rows = answer_rows(questionnaire)  # read once, for the readiness check and the export
    findings = readiness(questionnaire, today=timezone.localdate(), rows=rows)
    data = export(questionnaire, rows)
    job.result_name = transfer.export_filename(questionnaire, extension)
    job.result.save("result", ContentFile(data), save=False)
    state = "STAR-ready" if not findings else f"not ready: {len(findings)} finding(s)"
    _finish(job, JobStatus.SUCCEEDED, f"Exported ({state}).", ready=not findings)
    _export_finished(job)


def _export_finished(job: Job) -> None:
    publish(
        "export.finished",
        organization_id=job.organization_id,
        data={
            "job": job.pk,
            "questionnaire": job.questionnaire_id,
            "kind": job.kind,
            "file": job.result_name,
            "star_ready": job.ready,
        },
    )


def _run_import(job: Job, questionnaire: Questionnaire) -> None:
    with job.source.open("rb") as handle:
        data = handle.read()
    membership = None
    if job.created_by_id:
        membership = Membership.objects.filter(
            user_id=job.created_by_id, organization_id=job.organization_id
        ).first()
        if membership is None:
            raise transfer.ImportRefused(
                ["The person who started the import left the organisation."]
            )
    summary = transfer.import_workbook(
        questionnaire=questionnaire,
        data=data,
        user=job.created_by,
        membership=membership,
        clear_blank=job.clear_blank,
    )
    message = summary.message
    if summary.altered_warning:
        message += f" {summary.altered_warning}"
    _finish(job, JobStatus.SUCCEEDED, message, warnings=summary.alterations[:500])


def job_reap_stuck(*, now: datetime.datetime | None = None) -> int:
    """Jobs "running" past the task time limit lost their worker: retry them or fail them."""
    now = now or timezone.now()
    limit = datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    stuck = list(Job.objects.filter(status=JobStatus.RUNNING, started_at__lt=now - limit))
    for job in stuck:
        Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(status=JobStatus.QUEUED)
        transaction.on_commit(lambda job=job: _enqueue(job))
    return len(stuck)
