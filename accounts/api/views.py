"""The accounts API: the audit log of the organisations the caller administers."""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.pagination import CursorPagination

from audit.models import AuditEvent
from audit.selectors import audit_events

from ..filters import AuditEventFilterSet
from ..selectors import audited_organizations
from .serializers import AuditEventSerializer


class AuditEventApiFilterSet(AuditEventFilterSet):
    organization = django_filters.CharFilter(
        field_name="organization__slug", help_text="An organisation's slug."
    )

    class Meta(AuditEventFilterSet.Meta):
        fields = ["organization", *AuditEventFilterSet.Meta.fields]


class AuditEventPagination(CursorPagination):
    # Events are never updated, so DRF's cursor (keyed on the time, ties by offset) is stable.
    ordering = ("-occurred_at", "-id")
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000


@extend_schema_view(
    list=extend_schema(
        summary="Audit events of the organisations you administer, newest first",
        description="Members and roles, invitations, API tokens, questionnaire status and "
        "submissions, workbook imports, evidence links and export downloads. Read-only. "
        "Other members (and tokens) get an empty list: only admins read the log.",
    )
)
class AuditEventViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = AuditEventSerializer
    filterset_class = AuditEventApiFilterSet
    pagination_class = AuditEventPagination
    queryset = AuditEvent.objects.none()  # for the schema: the real one is scoped per caller

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return AuditEvent.objects.none()
        organizations = audited_organizations(self.request.user)
        return audit_events(organizations=organizations).select_related("organization")
