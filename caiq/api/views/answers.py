"""Answers: incremental pulls and ETag-guarded partial updates through answer_update."""

import re

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from accounts.models import Role
from accounts.selectors import scope_to_user
from config.api_errors import error_body

from ... import selectors
from ...models import (
    Answer,
    ChangeSource,
)
from ...services import (
    StaleAnswer,
    answer_approve,
    answer_request_changes,
    answer_update,
)
from ...sync import changes_after
from .. import filters, serializers
from ..pagination import KeysetCursorPagination, PagePagination
from .common import (
    ERRORS,
    FEED_DESCRIPTION,
    FEED_PARAMETERS,
    ID_PATTERN,
    IF_MATCH,
    _fake,
    _membership,
    feed_position,
)


def _precondition(status_code: int, code: str, message: str, answer: Answer | None) -> Response:
    details = None
    headers = {}
    if answer is not None:
        etag = serializers.answer_etag(answer.pk, answer.revision)
        details = {"revision": answer.revision, "etag": etag}
        headers["ETag"] = etag
    return Response(error_body(status_code, code, message, details), status_code, headers=headers)


def _if_match_revision(header: str, answer: Answer) -> int | None:
    """The revision named by an If-Match that matches ``answer``'s ETag, else None.

    Strong comparison (RFC 9110): weak tags and ``*`` never match, since ``*`` would let a
    client overwrite without saying what it read.
    """
    current = serializers.answer_etag(answer.pk, answer.revision)
    for tag in (part.strip() for part in header.split(",")):
        if tag == current:
            return answer.revision
    return None


def _if_match_seen(header: str, answer: Answer) -> int | None:
    """The revision of this answer that an If-Match names (one the reviewer read), else None.

    A review may go ahead from an older revision when only notes or assignment changed since,
    so any of this answer's revisions up to the current one is accepted here; the service then
    refuses if content changed after it.
    """
    for tag in (part.strip() for part in header.split(",")):
        answer_id, _, revision = tag.strip('"').partition("-")
        if (
            tag.startswith('"')
            and answer_id == str(answer.pk)
            and revision.isdigit()
            and int(revision) <= answer.revision
        ):
            return int(revision)
    return None


def _named_revision(request, answer: Answer, match, *, missing: str, mismatch: str):
    """The revision If-Match names (read by ``match``), or the 428 / 412 that refuses."""
    header = request.headers.get("If-Match")
    if not header:
        return _precondition(428, "precondition_required", missing, answer)
    revision = match(header, answer)
    if revision is None:
        return _precondition(412, "precondition_failed", mismatch, answer)
    return revision


REVIEW_RESPONSES = {
    200: OpenApiResponse(
        serializers.AnswerSerializer, description="Reviewed; `ETag` names the new revision."
    ),
    **ERRORS,
    412: OpenApiResponse(
        serializers.ErrorSerializer,
        description="The answer's content changed after the revision in If-Match; nothing was "
        "written. `details` holds the current revision and ETag.",
    ),
    428: OpenApiResponse(serializers.ErrorSerializer, description="If-Match missing."),
}


@extend_schema_view(
    list=extend_schema(
        summary="Answers across your organisations, in (updated_at, id) order",
        description="Cursor-paginated: follow `next` until it is null. Filter with "
        "`updated_since` (inclusive) to pull only what changed since a time. For a sync "
        "use `answers/changes/`: `updated_since` is stamped before a write commits, so a long "
        "import that commits after your pull can be missed by the next one.",
        responses={200: serializers.AnswerSerializer(many=True), **ERRORS},
    ),
    retrieve=extend_schema(
        responses={200: serializers.AnswerSerializer, **ERRORS},
        description="The `ETag` header (also the `etag` field) names this revision.",
    ),
)
class AnswerViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Reads are flat rows from ``.values()`` (no model instances: 261 answers would build
    1,300 of them across the joins); PATCH loads the one model instance the service needs.
    """

    serializer_class = serializers.AnswerSerializer
    lookup_value_regex = ID_PATTERN
    pagination_class = KeysetCursorPagination
    filterset_class = filters.AnswerFilterSet
    queryset = Answer.objects.none()
    http_method_names = ["get", "post", "patch", "head", "options"]

    def _scoped(self):
        return scope_to_user(
            Answer.objects.all(), self.request.user, via="questionnaire__organization"
        )

    def get_queryset(self):
        if _fake(self):
            return Answer.objects.none()
        return selectors.answers_for(self.request.user).values(
            *serializers.ANSWER_COLUMNS, **serializers.ANSWER_RELATED_COLUMNS
        )

    def _row_response(self, row: dict) -> Response:
        response = Response(self.get_serializer(row).data)
        response["ETag"] = serializers.answer_etag(row["id"], row["revision"])
        return response

    def retrieve(self, request, *args, **kwargs):
        return self._row_response(get_object_or_404(self.get_queryset(), pk=kwargs["pk"]))

    @extend_schema(
        parameters=[IF_MATCH],
        request=serializers.AnswerUpdateSerializer,
        responses={
            200: OpenApiResponse(
                serializers.AnswerSerializer, description="Saved; `ETag` names the new revision."
            ),
            **ERRORS,
            412: OpenApiResponse(
                serializers.ErrorSerializer,
                description="The answer changed since your If-Match; nothing was written. "
                "`details` holds the current revision and ETag.",
            ),
            428: OpenApiResponse(serializers.ErrorSerializer, description="If-Match missing."),
        },
        summary="Change an answer (contributors), guarded by If-Match",
    )
    def partial_update(self, request, *args, **kwargs):
        answer = get_object_or_404(
            self._scoped().select_related(
                "questionnaire", "question__control__domain", "assignee", "updated_by"
            ),
            pk=kwargs["pk"],
        )
        membership = _membership(request.user, answer.questionnaire.organization_id)
        # Role before preconditions: a viewer learns "not allowed", not "send If-Match".
        if not membership.has_role(Role.CONTRIBUTOR):
            raise exceptions.PermissionDenied("Only a contributor or above can edit answers.")
        base_revision = _named_revision(
            request,
            answer,
            _if_match_revision,
            missing="Send If-Match with the answer's ETag to change it.",
            mismatch=f"The answer changed since you read it (now revision {answer.revision}); "
            "nothing was written.",
        )
        if isinstance(base_revision, Response):
            return base_revision
        serializer = serializers.AnswerUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            answer = answer_update(
                answer=answer,
                membership=membership,
                user=request.user,
                values=serializer.validated_data,
                base_revision=base_revision,
                source=ChangeSource.API,
            )
        except StaleAnswer as stale:
            return _precondition(412, "precondition_failed", str(stale), stale.current)
        return self._row_response(serializers.answer_row(answer))

    @extend_schema(
        parameters=[
            *FEED_PARAMETERS,
            OpenApiParameter(
                "questionnaire", OpenApiTypes.INT, description="Only this questionnaire's answers."
            ),
        ],
        responses={200: serializers.AnswerChangesSerializer, **ERRORS},
        summary="The change feed: answers in the order their changes committed",
        description=FEED_DESCRIPTION,
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def changes(self, request):
        cursor, limit = feed_position(request)
        answers = selectors.answers_for(request.user)
        questionnaire = request.query_params.get("questionnaire")
        if questionnaire is not None:
            if not re.fullmatch(ID_PATTERN, questionnaire):
                raise exceptions.ValidationError({"questionnaire": ["A questionnaire id."]})
            answers = answers.filter(questionnaire_id=int(questionnaire))
        rows, cursor, more = changes_after(
            answers.values(
                *serializers.ANSWER_COLUMNS, "change_seq", **serializers.ANSWER_RELATED_COLUMNS
            ),
            cursor,
            limit=limit,
        )
        body = {"results": rows, "cursor": str(cursor), "more": more}
        return Response(serializers.AnswerChangesSerializer(body).data)

    def _review(self, request, pk, review) -> Response:
        """Approve or request changes on the revision named by If-Match (four eyes apply)."""
        answer = get_object_or_404(
            self._scoped().select_related("questionnaire", "question"), pk=pk
        )
        membership = _membership(request.user, answer.questionnaire.organization_id)
        if not membership.has_role(Role.REVIEWER):
            raise exceptions.PermissionDenied("Only a reviewer or an admin can review answers.")
        seen = _named_revision(
            request,
            answer,
            _if_match_seen,
            missing="Send If-Match with the ETag of the answer you reviewed.",
            mismatch="If-Match does not name a revision of this answer; nothing was written.",
        )
        if isinstance(seen, Response):
            return seen
        try:
            answer = review(answer=answer, membership=membership, base_revision=seen)
        except StaleAnswer as stale:
            return _precondition(412, "precondition_failed", str(stale), stale.current)
        return self._row_response(get_object_or_404(self.get_queryset(), pk=answer.pk))

    @extend_schema(
        parameters=[IF_MATCH],
        request=None,
        responses=REVIEW_RESPONSES,
        summary="Approve an answer (reviewers; not one whose content you changed)",
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def approve(self, request, pk=None):
        def review(**kwargs):
            return answer_approve(user=request.user, source=ChangeSource.API, **kwargs)

        return self._review(request, pk, review)

    @extend_schema(
        parameters=[IF_MATCH],
        request=serializers.RequestChangesSerializer,
        responses=REVIEW_RESPONSES,
        summary="Send an answer back with a comment saying what must change (reviewers)",
    )
    @action(detail=True, methods=["post"], url_path="request-changes", filter_backends=[])
    def request_changes(self, request, pk=None):
        def review(**kwargs):
            # The body is read once the answer is known to be the caller's: an outsider gets
            # 404 whatever they send.
            body = serializers.RequestChangesSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            return answer_request_changes(
                user=request.user,
                comment=body.validated_data["comment"],
                source=ChangeSource.API,
                **kwargs,
            )

        return self._review(request, pk, review)

    @extend_schema(
        responses={200: serializers.AnswerChangeSerializer(many=True), **ERRORS},
        summary="The answer's history: every save, newest first",
        filters=False,
    )
    @action(
        detail=True,
        methods=["get"],
        pagination_class=PagePagination,
        filter_backends=[],
        serializer_class=serializers.AnswerChangeSerializer,
    )
    def history(self, request, pk=None):
        answer = get_object_or_404(self._scoped(), pk=pk)
        changes = selectors.answer_history(answer).order_by("-changed_at", "-id")
        page = self.paginate_queryset(changes)
        data = serializers.AnswerChangeSerializer(page, many=True).data
        return self.get_paginated_response(data)


# --- Jobs -----------------------------------------------------------------------------------
