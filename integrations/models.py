"""Webhooks: an organisation's endpoints, the deliveries owed to each (an outbox, written in
the same transaction as the act it reports) and every attempt to deliver them."""

import base64
import secrets

from django.conf import settings
from django.db import models

from accounts.models import Organization


class WebhookEvent(models.TextChoices):
    ANSWER_APPROVED = "answer.approved", "Answer approved"
    QUESTIONNAIRE_STATUS_CHANGED = "questionnaire.status_changed", "Questionnaire status changed"
    EXPORT_FINISHED = "export.finished", "Export finished"
    EVIDENCE_EXPIRING = "evidence.expiring", "Evidence expiring within 30 days"
    EVIDENCE_EXPIRED = "evidence.expired", "Evidence expired"
    STAR_RENEWAL_DUE = "star.renewal_due", "STAR Registry entry due for renewal"
    SHARE_LINK_ACCESSED = "share_link.accessed", "Share link opened, NDA accepted or downloaded"


# Sent only by an admin's "Send a test message", to whichever events the endpoint takes.
TEST_EVENT = "webhook.test"


def new_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


class Endpoint(models.Model):
    """A URL of an organisation's that receives the events it subscribed to, signed with its
    secret. Switched off by its admins, or by the app after too many failures in a row."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.URLField("URL", max_length=500)
    description = models.CharField(max_length=200, blank=True)
    events = models.JSONField(default=list)
    secret = models.CharField(max_length=100, default=new_secret, editable=False)
    is_active = models.BooleanField("on", default=True)
    # Failed attempts since the last success; at WEBHOOK_DISABLE_AFTER the endpoint is switched
    # off and its organisation's admins are told.
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_reason = models.CharField(max_length=300, blank=True)
    # One worker delivers an endpoint's messages at a time (their order): it holds this lease.
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organization", "id"]

    def __str__(self) -> str:
        return self.url


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Delivered"
    FAILED = "failed", "Failed"


class Delivery(models.Model):
    """One message owed to one endpoint, delivered in ``id`` order: a later message waits
    while an earlier one is being retried. ``message_id`` is the ``webhook-id`` header; a
    manual redelivery is a new row with the same message id, so receivers can de-duplicate."""

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    message_id = models.CharField(max_length=40, db_index=True)
    event = models.CharField(max_length=40)
    payload = models.JSONField()
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=DeliveryStatus.values),
                name="webhook_delivery_status_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["endpoint", "status", "id"], name="webhook_delivery_queue_idx"),
            models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.message_id}"


class Attempt(models.Model):
    """One try at delivering a message: the status code (none when it never answered), how
    long it took and, on failure, why."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="tries")
    attempted_at = models.DateTimeField(auto_now_add=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.delivery_id}: {self.status_code or self.error}"
