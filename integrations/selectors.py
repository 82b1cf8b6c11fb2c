"""An organisation's webhook endpoints and their delivery log; 404 for anyone else's."""

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from accounts.models import Membership

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
