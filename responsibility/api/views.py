"""The customer responsibility matrix over the API: as JSON and as the XLSX file. The PDF is
a job like the workbook exports: ``POST /api/v1/questionnaires/<id>/jobs/`` with
``{"kind": "export_crm_pdf"}``, then poll it and download its result.

The questionnaire is reached through caiq's scoped selector: another organisation's is a 404."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.decorators import api_view
from rest_framework.response import Response

from caiq.api.views.common import ERRORS
from caiq.downloads import CONTENT_TYPES, attachment
from caiq.selectors import questionnaire_for_member

from .. import exports, selectors
from ..matrix import EMPTY_MESSAGE
from .serializers import MatrixSerializer


@extend_schema(
    tags=["questionnaires"],
    summary="A questionnaire's customer responsibility matrix",
    description="Every question whose SSRM owner involves the customer (CSC-owned, Shared CSP "
    "and CSC), with the CSC responsibilities and the CSP implementation, grouped by domain.",
    responses={200: MatrixSerializer, **ERRORS},
)
@api_view(["GET"])
def matrix(request, pk):
    questionnaire, _membership = questionnaire_for_member(request.user, pk)
    domains = selectors.customer_matrix(questionnaire)
    count = sum(len(d.rows) for d in domains)
    body = {
        "questionnaire": questionnaire.pk,
        "count": count,
        "message": "" if count else EMPTY_MESSAGE,
        "domains": domains,
    }
    return Response(MatrixSerializer(body).data)


@extend_schema(
    tags=["questionnaires"],
    summary="The customer responsibility matrix as an XLSX workbook",
    description="The print-ready PDF is a job: POST .../jobs/ with kind export_crm_pdf.",
    responses={(200, CONTENT_TYPES["xlsx"]): OpenApiResponse(OpenApiTypes.BINARY), **ERRORS},
)
@api_view(["GET"])
def matrix_xlsx(request, pk):
    questionnaire, _membership = questionnaire_for_member(request.user, pk)
    domains = selectors.customer_matrix(questionnaire)
    made = exports.download(questionnaire, domains, "xlsx")
    return attachment(made.body, made.name)
