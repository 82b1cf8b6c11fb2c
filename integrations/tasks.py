from celery import shared_task

from . import services


@shared_task(name="integrations.deliver_endpoint", acks_late=True)
def deliver_endpoint(endpoint_id: int) -> int:
    return services.deliver_endpoint(endpoint_id)


@shared_task(name="integrations.deliver_due")
def deliver_due() -> int:
    """Every 15 s (Celery beat): retries that came due, and messages whose queueing failed."""
    return services.deliver_due()
