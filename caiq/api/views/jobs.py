"""Import and export jobs: poll and download results."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer

from accounts.selectors import scope_to_user

from ...downloads import job_result_response
from ...models import (
    Job,
)
from .. import filters, serializers
from ..pagination import PagePagination
from .common import ERRORS, ID_PATTERN, DownloadRenderer, _fake, read_schema


@read_schema(
    serializers.JobSerializer,
    list_summary="Import and export jobs of your organisations, newest first",
    retrieve_summary="Poll a job: status, progress, message, errors, result URL",
)
class JobViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.JobSerializer
    lookup_value_regex = ID_PATTERN
    pagination_class = PagePagination
    filterset_class = filters.JobFilterSet
    queryset = Job.objects.none()

    def get_queryset(self):
        if _fake(self):
            return Job.objects.none()
        return (
            scope_to_user(Job.objects.all(), self.request.user)
            .select_related("created_by")
            .order_by("-created_at", "-id")
        )

    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The export, as an attachment."
            ),
            **ERRORS,
        },
        summary="Download a finished export",
        parameters=[OpenApiParameter("format", exclude=True)],
    )
    @action(
        detail=True,
        methods=["get"],
        filter_backends=[],
        renderer_classes=[JSONRenderer, DownloadRenderer],
    )
    def download(self, request, pk=None):
        return job_result_response(self.get_object(), self.request.user)
