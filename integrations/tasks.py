from celery import shared_task

from . import services


@shared_task(name="integrations.deliver_endpoint", acks_late=True)
def deliver_endpoint(endpoint_id: int) -> int:
    return services.deliver_endpoint(endpoint_id)


@shared_task(name="integrations.deliver_due")
def deliver_due() -> int:
    """Every 15 s (Celery beat): retries that came due, and messages whose queueing failed."""
    return services.deliver_due()


@shared_task(name="integrations.prune_deliveries")
def prune_deliveries() -> int:
    """Daily (Celery beat): the delivery log keeps 30 days of finished messages."""
    return services.prune_deliveries()
