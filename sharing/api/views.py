"""Share links over the API: a questionnaire's links (every member reads them; admins make
them), one link, its access log, revoking it. A new link's URL is in the creating response
only. Another organisation's questionnaire or link is a 404."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import api_view
from rest_framework.response import Response

from caiq.api.views.common import ERRORS
from caiq.selectors import questionnaire_for_member

from .. import selectors, services
from .serializers import (
    ShareAccessSerializer,
    ShareLinkCreatedSerializer,
    ShareLinkCreateSerializer,
    ShareLinkSerializer,
)

LIMIT = 500


@extend_schema(
    tags=["share links"],
    methods=["GET"],
    summary="A questionnaire's share links",
    responses={200: ShareLinkSerializer(many=True), **ERRORS},
)
@extend_schema(
    tags=["share links"],
    methods=["POST"],
    summary="Share an approved or submitted questionnaire (admins)",
    description="The response's url is the only time the link is shown.",
    request=ShareLinkCreateSerializer,
    responses={201: ShareLinkCreatedSerializer, **ERRORS},
)
@api_view(["GET", "POST"])
def questionnaire_links(request, questionnaire_pk):
    questionnaire, membership = questionnaire_for_member(request.user, questionnaire_pk)
    if request.method == "GET":
        links = selectors.links_of_questionnaire(questionnaire)[:LIMIT]
        return Response(ShareLinkSerializer(links, many=True).data)
    given = ShareLinkCreateSerializer(data=request.data)
    given.is_valid(raise_exception=True)
    link, token = services.share_link_create(
        questionnaire=questionnaire,
        membership=membership,
        user=request.user,
        **given.validated_data,
    )
    link.url = request.build_absolute_uri(reverse("sharing:visit", args=[token]))
    return Response(ShareLinkCreatedSerializer(link).data, status=status.HTTP_201_CREATED)


def _link(request, pk):
    return get_object_or_404(selectors.with_counts(selectors.links_for_user(request.user)), pk=pk)


@extend_schema(
    tags=["share links"], summary="One share link", responses={200: ShareLinkSerializer, **ERRORS}
)
@api_view(["GET"])
def link_detail(request, pk):
    return Response(ShareLinkSerializer(_link(request, pk)).data)


@extend_schema(
    tags=["share links"],
    summary="What visitors did through a share link, newest first",
    responses={200: ShareAccessSerializer(many=True), **ERRORS},
)
@api_view(["GET"])
def link_accesses(request, pk):
    link = _link(request, pk)
    return Response(ShareAccessSerializer(selectors.accesses_of(link)[:LIMIT], many=True).data)


@extend_schema(
    tags=["share links"],
    summary="Revoke a share link (admins): it answers 404 from now on",
    request=None,
    responses={200: ShareLinkSerializer, **ERRORS},
)
@api_view(["POST"])
def link_revoke(request, pk):
    link = _link(request, pk)
    _questionnaire, membership = questionnaire_for_member(request.user, link.questionnaire_id)
    services.share_link_revoke(link=link, membership=membership, user=request.user)
    return Response(ShareLinkSerializer(_link(request, pk)).data)
