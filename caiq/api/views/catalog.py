"""The CAIQ catalog, read-only for every authenticated caller."""

from rest_framework import viewsets

from ... import selectors
from ...models import (
    CatalogVersion,
    Control,
    Domain,
    Question,
)
from .. import filters, serializers
from ..pagination import PagePagination
from .common import ID_PATTERN, read_schema


@read_schema(serializers.CatalogVersionSerializer)
class CatalogVersionViewSet(viewsets.ReadOnlyModelViewSet):
    """Loaded CAIQ catalog versions with their domain, control and question counts."""

    serializer_class = serializers.CatalogVersionSerializer
    lookup_value_regex = ID_PATTERN
    pagination_class = PagePagination
    queryset = CatalogVersion.objects.none()
    filter_backends = []

    def get_queryset(self):
        return selectors.catalog_versions()


@read_schema(serializers.DomainSerializer)
class DomainViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.DomainSerializer
    lookup_value_regex = ID_PATTERN
    pagination_class = PagePagination
    filterset_class = filters.DomainFilterSet
    queryset = Domain.objects.select_related("version").order_by("version_id", "position")


@read_schema(serializers.ControlSerializer)
class ControlViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.ControlSerializer
    lookup_value_regex = ID_PATTERN
    pagination_class = PagePagination
    filterset_class = filters.ControlFilterSet
    queryset = Control.objects.select_related("version", "domain").order_by(
        "version_id", "position"
    )


@read_schema(serializers.QuestionSerializer)
class QuestionViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.QuestionSerializer
    lookup_value_regex = ID_PATTERN
    pagination_class = PagePagination
    filterset_class = filters.QuestionFilterSet
    queryset = Question.objects.select_related("version", "control__domain").order_by(
        "version_id", "position"
    )


# --- Questionnaires -------------------------------------------------------------------------
