"""Filters of the audit log, shared by its page and its API endpoint."""

import django_filters

from audit.models import AuditEvent, EventKind

from .widgets import IsoDateInput


class AuditEventFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=EventKind.choices, label="Event", empty_label="Any")
    actor = django_filters.CharFilter(
        field_name="actor_label", lookup_expr="iexact", label="By (e-mail)"
    )
    since = django_filters.DateFilter(
        field_name="occurred_at", lookup_expr="date__gte", label="From", widget=IsoDateInput()
    )
    until = django_filters.DateFilter(
        field_name="occurred_at", lookup_expr="date__lte", label="To", widget=IsoDateInput()
    )

    class Meta:
        model = AuditEvent
        fields = ["kind", "actor", "since", "until"]
