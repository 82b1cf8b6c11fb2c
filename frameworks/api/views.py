"""The frameworks over the API: the imported frameworks, and a questionnaire's gap analysis.

The questionnaire is reached through caiq's scoped selector: another organisation's is a 404."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import api_view
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from caiq.api.views.common import ERRORS
from caiq.models import SsrmOwnership
from caiq.selectors import questionnaire_for_member

from .. import selectors
from .serializers import FrameworkSerializer, GapAnalysisSerializer

EMPTY = {
    "framework": None,
    "requirements_total": 0,
    "covered": 0,
    "uncovered": 0,
    "coverage_percent": 0,
    "requirements": [],
}


@extend_schema(
    tags=["frameworks"],
    summary="The frameworks CSA's CCM maps to, as imported",
    responses={200: FrameworkSerializer(many=True), **ERRORS},
)
@api_view(["GET"])
def framework_list(request):
    return Response(FrameworkSerializer(selectors.framework_choices(), many=True).data)


@extend_schema(
    tags=["frameworks"],
    summary="A questionnaire's gap analysis against one framework",
    parameters=[
        OpenApiParameter(
            "framework",
            OpenApiTypes.INT,
            description="A framework id (GET /api/v1/frameworks/); by default the first of the "
            "newest CCM version. With no mappings imported, the analysis is empty.",
        ),
        OpenApiParameter("domain", OpenApiTypes.STR, description="A CCM domain, e.g. A&A."),
        OpenApiParameter("owner", OpenApiTypes.STR, enum=SsrmOwnership.values),
        OpenApiParameter("status", OpenApiTypes.STR, enum=["covered", "uncovered"]),
    ],
    responses={200: GapAnalysisSerializer, **ERRORS},
)
@api_view(["GET"])
def gap_analysis(request, pk):
    questionnaire, _membership = questionnaire_for_member(request.user, pk)
    owner = request.query_params.get("owner", "")
    if owner and owner not in SsrmOwnership.values:
        raise ValidationError({"owner": [f"One of {', '.join(SsrmOwnership.values)}."]})
    if request.query_params.get("status", "") not in ("", "covered", "uncovered"):
        raise ValidationError({"status": ["covered or uncovered."]})
    chosen = request.query_params.get("framework", "")
    framework = (
        selectors.framework_or_404(chosen) if chosen else selectors.framework_choices().first()
    )
    if framework is None:  # nothing imported yet: an empty analysis, not an error
        return Response(GapAnalysisSerializer(EMPTY).data)
    analysis = selectors.gap_analysis(questionnaire, framework)
    shown = analysis.filtered(
        domain=request.query_params.get("domain", ""),
        owner=owner,
        status=request.query_params.get("status", ""),
    )
    body = {
        "framework": framework,
        "requirements_total": len(analysis.requirements),
        "covered": analysis.covered,
        "uncovered": len(analysis.uncovered),
        "coverage_percent": analysis.coverage_percent,
        "requirements": shown,
    }
    return Response(GapAnalysisSerializer(body).data)
