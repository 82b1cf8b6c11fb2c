from celery import shared_task

from .services import evidence_send_reminders


@shared_task(name="evidence.send_expiry_reminders", acks_late=True)
def send_expiry_reminders() -> int:
    """Daily (Celery beat): one e-mail per owner of expired or soon-expiring evidence."""
    return evidence_send_reminders()
