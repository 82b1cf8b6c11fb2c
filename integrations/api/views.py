"""A questionnaire as an OSCAL component definition (docs/oscal.md), the file the page offers.

The questionnaire is reached through caiq's scoped selector: another organisation's is a 404."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.decorators import api_view

from caiq.api.views.common import ERRORS
from caiq.downloads import CONTENT_TYPES, attachment
from caiq.selectors import questionnaire_for_member

from .. import exports


@extend_schema(
    tags=["questionnaires"],
    summary="A questionnaire as an OSCAL component definition (JSON)",
    description="NIST OSCAL JSON: the cloud service as one component, each CCM control an "
    "implemented requirement, each CAIQ question one statement with its question ID "
    "(caiq-question-id), answer (caiq-answer) and SSRM owner (responsible roles). "
    "Identifiers are stable across exports. The download is in the audit log.",
    responses={(200, CONTENT_TYPES["json"]): OpenApiResponse(OpenApiTypes.OBJECT), **ERRORS},
)
@api_view(["GET"])
def oscal(request, pk):
    questionnaire, _membership = questionnaire_for_member(request.user, pk)
    made = exports.oscal_download(questionnaire=questionnaire, user=request.user)
    return attachment(made.body, made.name)
