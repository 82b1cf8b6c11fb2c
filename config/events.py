"""What happened, for whoever listens: the apps that do things publish events here, and the
integrations app (webhooks) subscribes, without the lower apps importing it.

``publish`` runs inside the caller's transaction, so a subscriber that writes (the webhook
outbox) commits or rolls back with the act itself: an event is never lost after its act
committed, and never sent for an act that rolled back.
"""

from typing import Any

from django.dispatch import Signal

# sender: the event's type ("answer.approved"); kwargs: organization_id, data
occurred = Signal()


def publish(event: str, *, organization_id: int, data: dict[str, Any]) -> None:
    occurred.send(sender=event, organization_id=organization_id, data=data)
