"""An organisation's webhook endpoints and their delivery log; 404 for anyone else's. A
questionnaire's answers as the OSCAL export reads them."""

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from accounts.models import Membership
from caiq.models import Questionnaire

from . import oscal
from .models import Delivery, DeliveryStatus, Endpoint

LOG_SIZE = 50


def endpoints(membership: Membership) -> QuerySet[Endpoint]:
    return Endpoint.objects.filter(organization_id=membership.organization_id).annotate(
        waiting=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.PENDING))
    )


def endpoint_or_404(membership: Membership, pk: int) -> Endpoint:
    endpoint = Endpoint.objects.filter(organization_id=membership.organization_id, pk=pk).first()
    if endpoint is None:
        raise Http404("No such webhook endpoint.")
    return endpoint


def delivery_log(endpoint: Endpoint) -> list[Delivery]:
    """The endpoint's latest deliveries, newest first, each with its attempts."""
    return list(endpoint.deliveries.prefetch_related("tries")[:LOG_SIZE])


def delivery_or_404(endpoint: Endpoint, pk: int) -> Delivery:
    delivery = endpoint.deliveries.filter(pk=pk).first()
    if delivery is None:
        raise Http404("No such delivery.")
    return delivery


OSCAL_FIELDS = (
    "question__code",
    "question__control__code",
    "question__control__domain__code",
    "answer",
    "ssrm",
    "implementation",
    "csc_responsibilities",
    "updated_at",
)


def oscal_export(questionnaire: Questionnaire) -> oscal.Export:
    """The questionnaire's answers in catalog order, in one query; ``questionnaire`` comes with
    its version and organisation (caiq.selectors.questionnaire_for_member reads them).

    Saving an answer leaves the questionnaire's ``updated_at`` as it is, so the document was
    last modified by whichever is later: the questionnaire or its latest answer."""
    values = questionnaire.answers.order_by("question__position").values_list(*OSCAL_FIELDS)
    rows, last_modified = [], questionnaire.updated_at
    for *row, updated_at in values:
        rows.append(oscal.Row(*row))
        last_modified = max(last_modified, updated_at)
    version = questionnaire.version
    return oscal.Export(
        questionnaire_id=questionnaire.pk,
        name=questionnaire.name,
        service_name=questionnaire.service_name,
        organization=questionnaire.organization.name,
        status=questionnaire.status,
        caiq_version=version.caiq_version,
        ccm_version=version.ccm_version,
        last_modified=last_modified,
        rows=rows,
    )
