"""Webhooks: the outbox (a delivery per subscribed endpoint, written with the act), delivery in
order with retries and backoff, manual redelivery, switching endpoints on and off."""

import datetime
import json
import logging
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import Membership, Role, User, require_role
from accounts.selectors import admin_emails

from . import transport
from .models import TEST_EVENT, Attempt, Delivery, DeliveryStatus, Endpoint, WebhookEvent

logger = logging.getLogger(__name__)
# Retries: 30 s, 1 min, 2, 4, ... doubling up to 6 hours; after MAX_ATTEMPTS a message fails
# and the next one goes. Ten attempts span about 4 hours.
FIRST_RETRY_SECONDS = 30
LONGEST_RETRY_SECONDS = 6 * 60 * 60
MAX_ATTEMPTS = 10
LEASE_SECONDS = 120
# The delivery log keeps finished messages this long; pending ones stay until they finish.
KEEP_DAYS = 30


def _disable_after() -> int:
    return getattr(settings, "WEBHOOK_DISABLE_AFTER", 30)


def backoff(attempts: int) -> datetime.timedelta:
    """How long to wait after the ``attempts``-th failed try."""
    seconds = min(FIRST_RETRY_SECONDS * 2 ** (attempts - 1), LONGEST_RETRY_SECONDS)
    return datetime.timedelta(seconds=seconds)


# --- the outbox -------------------------------------------------------------------------------


def record_event(sender: str, *, organization_id: int, data: dict, **_kwargs) -> list[Delivery]:
    """config.events subscriber: one pending delivery per active endpoint of the organisation
    that subscribed to ``sender`` (the event type), in the caller's transaction; their sending
    is queued once it commits."""
    endpoints = [
        endpoint
        for endpoint in Endpoint.objects.filter(organization_id=organization_id, is_active=True)
        if sender in endpoint.events
    ]
    if not endpoints:
        return []
    now = timezone.now()
    body = {"type": sender, "timestamp": now.isoformat(), "data": data}
    deliveries = Delivery.objects.bulk_create(
        Delivery(
            endpoint=endpoint,
            message_id=f"msg_{uuid.uuid4().hex}",
            event=sender,
            payload=body,
            next_attempt_at=now,
        )
        for endpoint in endpoints
    )
    transaction.on_commit(lambda: _enqueue([e.pk for e in endpoints]))
    return deliveries


def _enqueue(endpoint_ids: list[int]) -> None:
    from .tasks import deliver_endpoint  # tasks import services

    for endpoint_id in endpoint_ids:
        try:
            deliver_endpoint.delay(endpoint_id)
        except Exception:  # the broker is down: the periodic sweep sends it later
            logger.exception("Could not queue webhook delivery for endpoint %s", endpoint_id)


# --- delivering -------------------------------------------------------------------------------


def _claim(endpoint_id: int, now) -> Endpoint | None:
    """The endpoint, if no other worker is delivering to it (a lease, not a lock: no
    transaction stays open while a receiver takes its time)."""
    claimed = Endpoint.objects.filter(
        Q(lease_until__isnull=True) | Q(lease_until__lt=now), pk=endpoint_id, is_active=True
    ).update(lease_until=now + datetime.timedelta(seconds=LEASE_SECONDS))
    return Endpoint.objects.get(pk=endpoint_id) if claimed else None


def deliver_endpoint(endpoint_id: int, *, now=None) -> int:
    """Send the endpoint's due messages, oldest first, until one fails (it is retried later,
    and the ones after it wait: order per endpoint). Returns how many were delivered."""
    clock = (lambda: now) if now is not None else timezone.now
    endpoint = _claim(endpoint_id, clock())
    if endpoint is None:
        return 0
    delivered = 0
    try:
        while True:
            delivery = (
                endpoint.deliveries.filter(status=DeliveryStatus.PENDING).order_by("id").first()
            )
            if delivery is None or delivery.next_attempt_at > clock():
                break
            if _attempt(endpoint, delivery, clock()):
                delivered += 1
            elif delivery.status != DeliveryStatus.FAILED or not endpoint.is_active:
                break  # retried later; the messages after it wait for it
    finally:
        Endpoint.objects.filter(pk=endpoint.pk).update(lease_until=None)
    return delivered


def _attempt(endpoint: Endpoint, delivery: Delivery, now) -> bool:
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    headers = transport.signed_headers(endpoint.secret, delivery.message_id, now, body)
    outcome = transport.send(
        endpoint.url,
        body,
        headers,
        allow_private=settings.WEBHOOKS_ALLOW_PRIVATE,
        connect_timeout=settings.WEBHOOK_CONNECT_TIMEOUT,
        read_timeout=settings.WEBHOOK_READ_TIMEOUT,
    )
    error = outcome.error or ("" if outcome.ok else f"Answered {outcome.status_code}.")
    with transaction.atomic():
        Attempt.objects.create(
            delivery=delivery,
            status_code=outcome.status_code,
            duration_ms=outcome.duration_ms,
            error=error[:300],
        )
        delivery.attempts += 1
        if outcome.ok:
            delivery.status, delivery.delivered_at = DeliveryStatus.SUCCEEDED, now
            endpoint.consecutive_failures = 0
        else:
            endpoint.consecutive_failures += 1
            if delivery.attempts >= MAX_ATTEMPTS:
                delivery.status = DeliveryStatus.FAILED
            else:
                delivery.next_attempt_at = now + backoff(delivery.attempts)
        delivery.save(update_fields=["status", "attempts", "next_attempt_at", "delivered_at"])
        Endpoint.objects.filter(pk=endpoint.pk).update(
            consecutive_failures=endpoint.consecutive_failures
        )
        if not outcome.ok and endpoint.consecutive_failures >= _disable_after():
            _disable(endpoint, f"{endpoint.consecutive_failures} failed attempts in a row")
    return outcome.ok


def _disable(endpoint: Endpoint, why: str) -> None:
    Endpoint.objects.filter(pk=endpoint.pk).update(is_active=False, disabled_reason=why)
    endpoint.is_active, endpoint.disabled_reason = False, why
    admins = admin_emails(endpoint.organization_id)
    if admins:
        transaction.on_commit(
            lambda: send_mail(
                subject=f"Webhook endpoint switched off: {endpoint.url}",
                message=(
                    f"The webhook endpoint {endpoint.url} was switched off after {why}. "
                    "Its messages wait; fix the receiver and switch the endpoint on again to "
                    "send them, in order.\n"
                ),
                from_email=None,
                recipient_list=admins,
            )
        )


def deliver_due(*, now=None) -> int:
    """The periodic sweep: every active endpoint with a message due (retries, and messages
    whose queueing failed)."""
    now = now or timezone.now()
    due = (
        Delivery.objects.filter(
            status=DeliveryStatus.PENDING, next_attempt_at__lte=now, endpoint__is_active=True
        )
        .values_list("endpoint_id", flat=True)
        .distinct()
    )
    return sum(deliver_endpoint(endpoint_id, now=now) for endpoint_id in list(due))


# --- what admins do ---------------------------------------------------------------------------


def _check_events(events: list[str]) -> list[str]:
    unknown = set(events) - set(WebhookEvent.values)
    if unknown:
        raise ValidationError(f"Unknown events: {', '.join(sorted(unknown))}.")
    if not events:
        raise ValidationError("Choose at least one event.")
    return [e for e in WebhookEvent.values if e in events]


def _check_url(url: str) -> None:
    try:
        transport.resolve(url, allow_private=settings.WEBHOOKS_ALLOW_PRIVATE)
    except transport.Refused as refused:
        raise ValidationError(str(refused)) from refused


def endpoint_create(
    *, membership: Membership, user: User, url: str, events: list[str], description: str = ""
) -> Endpoint:
    require_role(membership, Role.ADMIN, "manage webhooks")
    events = _check_events(events)
    _check_url(url)
    return Endpoint.objects.create(
        organization_id=membership.organization_id,
        url=url,
        events=events,
        description=description,
        created_by=user,
    )


def endpoint_update(
    *,
    endpoint: Endpoint,
    membership: Membership,
    url: str,
    events: list[str],
    description: str,
    is_active: bool,
) -> Endpoint:
    """Switching an endpoint on again clears its failures; its waiting messages then go."""
    require_role(membership, Role.ADMIN, "manage webhooks")
    endpoint.events = _check_events(events)
    if url != endpoint.url:
        _check_url(url)
    endpoint.url, endpoint.description = url, description
    if is_active and not endpoint.is_active:
        endpoint.consecutive_failures, endpoint.disabled_reason = 0, ""
        # Its waiting messages go now, not after the backoff of their last failure.
        endpoint.deliveries.filter(status=DeliveryStatus.PENDING).update(
            next_attempt_at=timezone.now()
        )
    endpoint.is_active = is_active
    endpoint.save()
    if is_active:
        transaction.on_commit(lambda: _enqueue([endpoint.pk]))
    return endpoint


def delivery_redeliver(*, delivery: Delivery, membership: Membership) -> Delivery:
    """Send a message again, after everything already waiting for its endpoint, with the same
    ``webhook-id`` (receivers de-duplicate on it)."""
    require_role(membership, Role.ADMIN, "redeliver webhooks")
    again = Delivery.objects.create(
        endpoint=delivery.endpoint,
        message_id=delivery.message_id,
        event=delivery.event,
        payload=delivery.payload,
        next_attempt_at=timezone.now(),
    )
    transaction.on_commit(lambda: _enqueue([delivery.endpoint_id]))
    return again


def prune_deliveries(*, now=None) -> int:
    """Daily: forget delivered and failed messages (with their attempts) older than KEEP_DAYS.
    Returns how many."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=KEEP_DAYS)
    old = Delivery.objects.filter(created_at__lt=cutoff).exclude(status=DeliveryStatus.PENDING)
    _total, by_model = old.delete()
    return by_model.get(Delivery._meta.label, 0)


def endpoint_send_test(*, endpoint: Endpoint, membership: Membership, user: User) -> Delivery:
    """A ``webhook.test`` message, queued like any other (after those waiting), to check a
    receiver and its signature check."""
    require_role(membership, Role.ADMIN, "test webhooks")
    now = timezone.now()
    delivery = Delivery.objects.create(
        endpoint=endpoint,
        message_id=f"msg_{uuid.uuid4().hex}",
        event=TEST_EVENT,
        payload={
            "type": TEST_EVENT,
            "timestamp": now.isoformat(),
            "data": {"endpoint": endpoint.pk, "sent_by": user.email},
        },
        next_attempt_at=now,
    )
    transaction.on_commit(lambda: _enqueue([endpoint.pk]))
    return delivery


def endpoint_delete(*, endpoint: Endpoint, membership: Membership) -> None:
    """The endpoint and its log; its waiting messages are not sent."""
    require_role(membership, Role.ADMIN, "manage webhooks")
    endpoint.delete()
