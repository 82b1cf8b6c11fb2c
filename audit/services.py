"""Recording an event: called by the service that performs the act, inside its transaction,
so the act and its record commit together or not at all."""

from collections.abc import Iterable
from typing import Any

from django.db import models

from .context import current_address
from .models import AuditEvent, EventKind

# Without an actor the act came from a management command run by an operator.
COMMAND_LINE = "command line"


def _actor_label(actor) -> str:
    return getattr(actor, "email", "") or COMMAND_LINE


def audit_record(
    kind: EventKind,
    *,
    organization,
    actor,
    target: models.Model | None = None,
    target_label: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """One event; ``organization`` None for a platform event, ``actor`` None for the CLI."""
    return audit_record_many(
        kind,
        organizations=[organization],
        actor=actor,
        target=target,
        target_label=target_label,
        details=details,
    )[0]


def audit_record_many(
    kind: EventKind,
    *,
    organizations: Iterable,
    actor,
    target: models.Model | None = None,
    target_label: str = "",
    details: dict[str, Any] | None = None,
) -> list[AuditEvent]:
    """The same event in each of ``organizations`` (a personal token reaches all of its
    owner's), so every organisation's admins see it in their own log."""
    fields = {
        "actor": actor,
        "actor_label": _actor_label(actor),
        "kind": kind,
        "target_type": target._meta.model_name if target is not None else "",
        "target_id": str(target.pk) if target is not None else "",
        "target_label": (target_label or (str(target) if target is not None else ""))[:300],
        "details": details or {},
        "address": current_address(),
    }
    return AuditEvent.objects.bulk_create(
        AuditEvent(organization=organization, **fields) for organization in organizations
    )
