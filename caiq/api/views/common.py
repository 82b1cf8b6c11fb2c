"""Shared pieces of the caiq API views: error responses, schema helpers, lookups."""

import re

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer

from accounts.models import Membership, User
from accounts.selectors import memberships_for

from ...sync import BadCursor, Cursor
from .. import serializers

ERRORS = {
    400: OpenApiResponse(serializers.ErrorSerializer, description="Invalid input."),
    403: OpenApiResponse(serializers.ErrorSerializer, description="Role or token scope too weak."),
    401: OpenApiResponse(serializers.ErrorSerializer, description="No or an invalid token."),
    404: OpenApiResponse(
        serializers.ErrorSerializer, description="Not found in your organisations."
    ),
}


def read_schema(serializer_class, *, list_summary: str = "", retrieve_summary: str = ""):
    """Schema of a list + retrieve pair, with the error responses every call may get."""
    return extend_schema_view(
        list=extend_schema(
            summary=list_summary or None, responses={200: serializer_class(many=True), **ERRORS}
        ),
        retrieve=extend_schema(
            summary=retrieve_summary or None, responses={200: serializer_class, **ERRORS}
        ),
    )


# Ids fit a signed 64-bit column; longer digit strings never match a route (404, not a 500).
ID_PATTERN = "[0-9]{1,18}"


def _fake(view) -> bool:
    """drf-spectacular builds the schema with a fake view and no user."""
    return getattr(view, "swagger_fake_view", False)


def _membership(user: User, organization_id: int) -> Membership:
    return memberships_for(user).get(organization_id=organization_id)


class DownloadRenderer(JSONRenderer):
    """Lets a download be asked for with any Accept header; only its errors are rendered (JSON)."""

    media_type = "*/*"
    format = "download"


IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description='The answer\'s ETag as you read it, e.g. "42-7". Required: 428 without it, '
    "412 (nothing written) when the answer changed since.",
)


# --- Change feeds (caiq.sync) ------------------------------------------------------------------

FEED_MAX = 1000
FEED_PARAMETERS = [
    OpenApiParameter(
        "cursor",
        OpenApiTypes.STR,
        description="The `cursor` of your last pull; empty for the first.",
    ),
    OpenApiParameter("limit", OpenApiTypes.INT, description=f"Up to {FEED_MAX} (default 100)."),
]
FEED_DESCRIPTION = (
    "Pull with the `cursor` of the last pull to get everything changed since, each at its latest "
    "state. Unlike `updated_since`, stamped before a write commits and so able to miss an import "
    "that commits late, the feed never skips a change: a cursor is only handed out once every "
    "change before it is visible."
)


def feed_position(request) -> tuple[Cursor, int]:
    """The cursor and limit a change-feed pull asks for; a 400 naming the bad one."""
    try:
        cursor = Cursor.parse(request.query_params.get("cursor"))
    except BadCursor as bad:
        raise exceptions.ValidationError({"cursor": [str(bad)]}) from bad
    limit = request.query_params.get("limit", "100")
    if not re.fullmatch(r"[0-9]{1,4}", limit) or not 1 <= int(limit) <= FEED_MAX:
        raise exceptions.ValidationError({"limit": [f"A number from 1 to {FEED_MAX}."]})
    return cursor, int(limit)
