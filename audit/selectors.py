"""Reading the log: the events of given organisations, newest first."""

from django.db.models import QuerySet

from .models import AuditEvent


def audit_events(*, organizations: QuerySet) -> QuerySet[AuditEvent]:
    """Callers pass the organisations the reader may audit; nothing else is reachable."""
    return AuditEvent.objects.filter(organization__in=organizations).order_by("-occurred_at", "-id")
