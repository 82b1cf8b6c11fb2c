"""The evidence library over the API: list, read, upload, new versions, downloads, links.

Every object is reached through the tenancy-scoped selectors, so another organisation's item,
version or answer answers 404. Writes go through evidence.services, which check the role
(contributor or above); read-only tokens are stopped earlier by TokenScopePermission.
"""

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from accounts.models import Membership, User
from accounts.selectors import memberships_for, scope_to_user
from caiq.api.filters import UtcIsoDateTimeFilter
from caiq.api.serializers import ErrorSerializer  # one Error component for the whole API
from caiq.api.views.common import FEED_DESCRIPTION, FEED_PARAMETERS, feed_position
from caiq.models import Answer
from caiq.selectors import organization_people
from caiq.sync import changes_after

from .. import selectors, services
from ..downloads import download_response
from ..models import Evidence, EvidenceLink, EvidenceVersion
from ..validation import ALLOWED_TYPES, UploadRejected
from .serializers import (
    AnswerLinkResultSerializer,
    AnswerLinkSerializer,
    EvidenceChangesSerializer,
    EvidenceLinkCreateSerializer,
    EvidenceSerializer,
    EvidenceUploadSerializer,
    EvidenceVersionSerializer,
    VersionUploadSerializer,
)

FRESHNESS_CHOICES = (
    ("expired", "Expired"),
    ("expiring", "Expires within 30 days"),
    ("current", "Current or undated"),
    ("stale", "Expired or expiring"),
)
ERRORS = dict.fromkeys((400, 401, 403, 404), ErrorSerializer)
MAX_ID = 2**63 - 1
# What a download can be: the allow-listed types, or the fallback of evidence.downloads.
DOWNLOAD_TYPES = sorted({t.mime for t in ALLOWED_TYPES} | {"application/octet-stream"})


class EvidenceFilter(filters.FilterSet):
    freshness = filters.ChoiceFilter(choices=FRESHNESS_CHOICES, method="filter_freshness")
    owner = filters.CharFilter(
        field_name="owner__email", lookup_expr="iexact", help_text="Owner's e-mail address."
    )
    updated_since = UtcIsoDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        help_text="ISO 8601 date-time. For a sync use `evidence/changes/`: `updated_at` is "
        "stamped before a write commits, so a change that commits late can be missed.",
    )

    class Meta:
        model = Evidence
        fields = ("freshness", "owner", "updated_since")

    def filter_freshness(self, queryset, name, value):
        return queryset.filter(selectors.freshness_filter(value, timezone.localdate()))


class EvidencePagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


def _acting_membership(user: User, slug: str | None) -> Membership:
    """Which organisation a new item goes to: the one named, or the caller's only one."""
    memberships = memberships_for(user)
    if slug:
        membership = memberships.filter(organization__slug=slug).first()
        if membership is None:
            raise Http404("No such organisation.")
        return membership
    found = list(memberships[:2])
    if len(found) != 1:
        raise ValidationError(
            {"organization": "Name the organisation (its slug): you belong to several."}
            if found
            else {"organization": "You are not a member of any organisation."}
        )
    return found[0]


def _owner(membership: Membership, email: str | None) -> User | None:
    if not email:
        return None
    owner = organization_people(membership).filter(email__iexact=email).first()
    if owner is None:
        raise ValidationError({"owner": f"{email} is not a member of this organisation."})
    return owner


def _rejected(exc: UploadRejected) -> ValidationError:
    return ValidationError({"file": str(exc)})


@extend_schema(tags=["evidence"])
class EvidenceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = EvidenceSerializer
    filterset_class = EvidenceFilter
    pagination_class = EvidencePagination
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    lookup_value_converter = "int"
    queryset = Evidence.objects.none()  # for the schema: the real one is scoped per caller

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authentication and permissions first
        # An id past the database's integer range matches nothing; without this check the
        # database driver raises OverflowError (a 500) on such a lookup.
        if any(isinstance(value, int) and value > MAX_ID for value in kwargs.values()):
            raise Http404("No such object.")

    def get_queryset(self) -> QuerySet[Evidence]:
        return (
            selectors.evidence_for(self.request.user)
            .select_related("owner", "organization")
            .prefetch_related(
                Prefetch(
                    "versions",
                    queryset=EvidenceVersion.objects.select_related("stored_file").order_by(
                        "-number"
                    ),
                ),
                Prefetch("links", queryset=EvidenceLink.objects.only("evidence_id", "answer_id")),
            )
            .order_by("title", "pk")
        )

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": timezone.localdate()}

    def perform_content_negotiation(self, request, force=False):
        # A download answers with the file's own type whatever the client accepts; errors on
        # that route still come back as JSON.
        return super().perform_content_negotiation(
            request, force=force or self.action == "download"
        )

    def _scoped(self, pk) -> tuple[Evidence, Membership]:
        return selectors.evidence_or_404(self.request.user, pk)

    def _respond(self, evidence_pk, status_code):
        evidence = self.get_queryset().get(pk=evidence_pk)
        return Response(self.get_serializer(evidence).data, status=status_code)

    @extend_schema(
        summary="List evidence of the caller's organisations",
        responses={200: EvidenceSerializer(many=True), **ERRORS},
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        parameters=FEED_PARAMETERS,
        responses={200: EvidenceChangesSerializer, **ERRORS},
        summary="The change feed: evidence in the order its changes committed",
        description=FEED_DESCRIPTION + " An item moves forward when it is edited, gains a "
        "version, or gains or loses a link to an answer. `freshness` is computed when it is read: "
        "derive it from `valid_until` rather than waiting for the feed to announce a date passing.",
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def changes(self, request):
        cursor, limit = feed_position(request)
        rows, cursor, more = changes_after(self.get_queryset(), cursor, limit=limit)
        body = {"results": rows, "cursor": str(cursor), "more": more}
        return Response(EvidenceChangesSerializer(body, context=self.get_serializer_context()).data)

    @extend_schema(summary="One evidence item", responses={200: EvidenceSerializer, **ERRORS})
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        summary="Add evidence: upload a file (multipart) or record a link (JSON)",
        request={
            "multipart/form-data": EvidenceUploadSerializer,
            "application/json": EvidenceLinkCreateSerializer,
        },
        responses={201: EvidenceSerializer, **ERRORS},
    )
    def create(self, request, *args, **kwargs):
        is_upload = request.content_type.startswith("multipart/") or "file" in request.FILES
        serializer_class = EvidenceUploadSerializer if is_upload else EvidenceLinkCreateSerializer
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        membership = _acting_membership(request.user, data.get("organization"))
        try:
            evidence = services.evidence_create(
                membership=membership,
                user=request.user,
                title=data["title"],
                description=data["description"],
                upload=data.get("file"),
                url=data.get("url", ""),
                owner=_owner(membership, data.get("owner")),
                valid_from=data["valid_from"],
                valid_until=data["valid_until"],
            )
        except UploadRejected as exc:
            raise _rejected(exc) from exc
        return self._respond(evidence.pk, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Upload a new version of a file item",
        request={"multipart/form-data": VersionUploadSerializer},
        responses={201: EvidenceVersionSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def versions(self, request, pk=None):
        evidence, membership = self._scoped(pk)
        serializer = VersionUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            version = services.evidence_add_version(
                evidence=evidence,
                membership=membership,
                user=request.user,
                upload=serializer.validated_data["file"],
            )
        except UploadRejected as exc:
            raise _rejected(exc) from exc
        return Response(EvidenceVersionSerializer(version).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Download one version's file (always an attachment)",
        responses={
            (200, mime): OpenApiResponse(OpenApiTypes.BINARY, description="The file's bytes.")
            for mime in DOWNLOAD_TYPES
        }
        | {(code, "application/json"): ErrorSerializer for code in (401, 403, 404)},
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="versions/<int:number>/download",
        url_name="download",
    )
    def download(self, request, pk=None, number=None):
        return download_response(selectors.version_or_404(request.user, pk, number))

    @extend_schema(
        summary="Link the item to an answer of the same organisation",
        request=AnswerLinkSerializer,
        responses={201: AnswerLinkResultSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="links", url_name="links")
    def link(self, request, pk=None):
        evidence, membership = self._scoped(pk)
        serializer = AnswerLinkSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        answer = (
            scope_to_user(Answer.objects.all(), request.user, via="questionnaire__organization")
            .filter(
                pk=serializer.validated_data["answer"],
                questionnaire__organization_id=evidence.organization_id,
            )
            .select_related("questionnaire")
            .first()
        )
        if answer is None:
            raise Http404("No such answer.")
        link = services.evidence_link(
            evidence=evidence, answer=answer, membership=membership, user=request.user
        )
        return Response(AnswerLinkResultSerializer(link).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Remove the item's link to an answer",
        request=None,
        responses={204: None, **ERRORS},
    )
    @action(
        detail=True,
        methods=["delete"],
        url_path="links/<int:answer_id>",
        url_name="unlink",
    )
    def unlink(self, request, pk=None, answer_id=None):
        evidence, membership = self._scoped(pk)
        link = (
            EvidenceLink.objects.filter(evidence=evidence, answer_id=answer_id)
            .select_related("answer__questionnaire")
            .first()
        )
        if link is None:
            raise Http404("No such link.")
        services.evidence_unlink(link=link, membership=membership)
        return Response(status=status.HTTP_204_NO_CONTENT)
