"""Celery tasks: thin, load by id, call one service."""

from celery import shared_task
from django.conf import settings

from .services.jobs import job_reap_stuck, job_run
from .services.star import star_send_reminders


@shared_task(
    name="caiq.run_job",
    acks_late=True,
    reject_on_worker_lost=True,  # a killed worker's job is redelivered: job_run counts attempts
    time_limit=settings.CELERY_TASK_TIME_LIMIT,
    soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT,
)
def run_job(job_id: int) -> None:
    job_run(job_id=job_id)


@shared_task(name="caiq.reap_stuck_jobs")
def reap_stuck_jobs() -> int:
    return job_reap_stuck()


@shared_task(name="caiq.send_star_reminders", acks_late=True)
def send_star_reminders() -> int:
    """Daily (Celery beat): STAR Registry entries 60, 30 and 7 days before they deprecate."""
    return star_send_reminders()
