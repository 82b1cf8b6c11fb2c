"""Questionnaires of the caller's organisations, their workflow actions, readiness and jobs."""

from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import Membership, User
from accounts.selectors import memberships_for

from ... import selectors
from ...models import (
    CatalogVersion,
    Job,
    JobStatus,
    Questionnaire,
)
from ...readiness import readiness, readiness_warnings
from ...services import (
    questionnaire_approve,
    questionnaire_create,
    questionnaire_mark_submitted,
    questionnaire_request_review,
)
from ...services.jobs import job_start
from ...sync import changes_after
from .. import filters, serializers
from ..pagination import PagePagination
from .common import (
    ERRORS,
    FEED_DESCRIPTION,
    FEED_PARAMETERS,
    ID_PATTERN,
    _fake,
    feed_position,
    read_schema,
)


class QueueUnavailable(exceptions.APIException):
    """The job row was recorded but its task could not be enqueued (the broker is down)."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "queue_unavailable"


@read_schema(
    serializers.QuestionnaireSerializer,
    list_summary="Questionnaires of your organisations, with progress counts",
)
class QuestionnaireViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = serializers.QuestionnaireSerializer
    lookup_value_regex = ID_PATTERN
    pagination_class = PagePagination
    filterset_class = filters.QuestionnaireFilterSet
    queryset = Questionnaire.objects.none()

    def get_queryset(self):
        if _fake(self):
            return Questionnaire.objects.none()
        # Progress is counted for what is shown (attach_progress on the page or the object):
        # annotating the queryset would aggregate every answer of every questionnaire.
        return (
            selectors.questionnaires_for(self.request.user)
            .select_related("organization", "version", "owner")
            .order_by("-created_at", "-id")
        )

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None:
            selectors.attach_progress(page, by_domain=False)
        return page

    def get_object(self):
        questionnaire = super().get_object()
        selectors.attach_progress([questionnaire], by_domain=False)
        return questionnaire

    def _answer(self, questionnaire: Questionnaire, code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=questionnaire.pk)
        selectors.attach_progress([fresh], by_domain=False)
        return Response(self.get_serializer(fresh).data, status=code)

    @extend_schema(
        parameters=FEED_PARAMETERS,
        responses={200: serializers.QuestionnaireChangesSerializer, **ERRORS},
        summary="The change feed: questionnaires in the order their changes committed",
        description=FEED_DESCRIPTION + " Progress counts change with answers: follow "
        "`answers/changes/` for those.",
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def changes(self, request):
        cursor, limit = feed_position(request)
        rows, cursor, more = changes_after(self.get_queryset(), cursor, limit=limit)
        selectors.attach_progress(rows, by_domain=False)
        body = {"results": rows, "cursor": str(cursor), "more": more}
        return Response(serializers.QuestionnaireChangesSerializer(body).data)

    def _member_object(self) -> tuple[Questionnaire, Membership]:
        return selectors.questionnaire_for_member(self.request.user, int(self.kwargs["pk"]))

    @extend_schema(
        request=serializers.QuestionnaireCreateSerializer,
        responses={201: serializers.QuestionnaireSerializer, **ERRORS},
        summary="Create a questionnaire (admins), with one empty answer per question",
    )
    def create(self, request):
        data = self._validated(serializers.QuestionnaireCreateSerializer)
        membership = self._creating_membership(data.get("organization"))
        version = CatalogVersion.objects.filter(caiq_version=data["version"]).first()
        if version is None:
            raise exceptions.ValidationError({"version": ["No catalog of that CAIQ version."]})
        owner = None
        if data.get("owner"):
            owner = User.objects.filter(
                email__iexact=data["owner"],
                memberships__organization_id=membership.organization_id,
            ).first()
            if owner is None:
                raise exceptions.ValidationError(
                    {"owner": [f"No member of {membership.organization} has that address."]}
                )
        questionnaire = questionnaire_create(
            membership=membership,
            version=version,
            name=data["name"],
            service_name=data["service_name"],
            owner=owner,
            due_date=data.get("due_date"),
        )
        return self._answer(questionnaire, status.HTTP_201_CREATED)

    def _validated(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _creating_membership(self, slug: str | None) -> Membership:
        memberships = memberships_for(self.request.user)
        if slug:
            membership = memberships.filter(organization__slug=slug).first()
            if membership is None:
                raise exceptions.ValidationError({"organization": ["No such organisation."]})
            return membership
        found = list(memberships[:2])
        if len(found) != 1:
            raise exceptions.ValidationError(
                {"organization": ["Name the organisation (its slug): you belong to several."]}
            )
        return found[0]

    @extend_schema(
        request=None,
        responses={200: serializers.QuestionnaireSerializer, **ERRORS},
        summary="Send a draft to review (contributors)",
    )
    @action(detail=True, methods=["post"], url_path="request-review")
    def request_review(self, request, pk=None):
        questionnaire, membership = self._member_object()
        questionnaire_request_review(questionnaire=questionnaire, membership=membership)
        return self._answer(questionnaire)

    @extend_schema(
        request=None,
        responses={200: serializers.QuestionnaireSerializer, **ERRORS},
        summary="Approve a questionnaire whose answers are all approved (reviewers)",
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        questionnaire, membership = self._member_object()
        questionnaire_approve(questionnaire=questionnaire, membership=membership)
        return self._answer(questionnaire)

    @extend_schema(
        request=serializers.MarkSubmittedSerializer,
        responses={200: serializers.QuestionnaireSerializer, **ERRORS},
        summary="Record the STAR Registry submission (admins); the questionnaire becomes read-only",
    )
    @action(detail=True, methods=["post"], url_path="mark-submitted")
    def mark_submitted(self, request, pk=None):
        questionnaire, membership = self._member_object()
        data = self._validated(serializers.MarkSubmittedSerializer)
        questionnaire_mark_submitted(
            questionnaire=questionnaire,
            membership=membership,
            submitted_at=data.get("submitted_at"),
            star_registry_url=data.get("star_registry_url", ""),
            star_level=data["star_level"],
        )
        return self._answer(questionnaire)

    @extend_schema(
        responses={200: serializers.ReadinessSerializer, **ERRORS},
        summary="STAR readiness: what CSA's reviewers would reject",
    )
    @action(detail=True, methods=["get"])
    def readiness(self, request, pk=None):
        questionnaire, _membership = self._member_object()
        rows = selectors.answer_rows(questionnaire)  # read once, for findings and warnings
        findings = readiness(questionnaire, today=timezone.localdate(), rows=rows)
        body = {
            "ready": not findings,
            "findings": findings,
            "warnings": readiness_warnings(questionnaire, rows),
        }
        return Response(serializers.ReadinessSerializer(body).data)

    @extend_schema(
        request={"multipart/form-data": serializers.JobStartSerializer},
        responses={
            202: serializers.JobSerializer,
            503: OpenApiResponse(
                serializers.ErrorSerializer,
                description="The job queue is unreachable: the job was recorded as failed.",
            ),
            **ERRORS,
        },
        summary="Start an export, or an import of a CAIQ workbook (multipart `workbook`)",
    )
    @action(detail=True, methods=["post"], url_path="jobs")
    def jobs(self, request, pk=None):
        questionnaire, membership = self._member_object()
        data = self._validated(serializers.JobStartSerializer)
        job = job_start(
            questionnaire=questionnaire,
            membership=membership,
            user=request.user,
            kind=data["kind"],
            upload=data.get("workbook"),
            clear_blank=data["clear_blank"],
        )
        job = Job.objects.select_related("created_by").get(pk=job.pk)
        if job.status == JobStatus.FAILED and job.attempts == 0:
            # Enqueueing failed on commit (the job never ran): a 202 would tell an integration
            # to poll a dead job. A job that ran and failed (a refused workbook, with tasks
            # in-process) is answered like any other: 202, its body carrying the problems.
            raise QueueUnavailable({"detail": job.message, "job": job.pk})
        body = serializers.JobSerializer(job, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_202_ACCEPTED)
