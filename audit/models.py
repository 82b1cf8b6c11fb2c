"""What the audit log holds: one append-only row per security-relevant act."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class EventKind(models.TextChoices):
    # A new kind changes the audit_kind_valid constraint: its migration must end by restoring
    # the append-only trigger that SQLite's table rebuild drops (audit/migrations/_trigger.py).
    MEMBER_JOINED = "member.joined", "Member joined"
    MEMBER_ROLE_CHANGED = "member.role_changed", "Member's role changed"
    MEMBER_REMOVED = "member.removed", "Member removed"
    INVITATION_CREATED = "invitation.created", "Invitation sent"
    INVITATION_REVOKED = "invitation.revoked", "Invitation revoked"
    TOKEN_CREATED = "token.created", "API token created"
    TOKEN_CHANGED = "token.changed", "API token renamed or its expiry changed"
    TOKEN_REVOKED = "token.revoked", "API token revoked"
    CATALOG_IMPORTED = "catalog.imported", "Catalog imported"
    QUESTIONNAIRE_CREATED = "questionnaire.created", "Questionnaire created"
    QUESTIONNAIRE_STATUS_CHANGED = "questionnaire.status_changed", "Questionnaire status changed"
    QUESTIONNAIRE_SUBMITTED = "questionnaire.submitted", "Questionnaire submitted"
    ANSWERS_IMPORTED = "answers.imported", "Answers imported"
    EVIDENCE_LINKED = "evidence.linked", "Evidence linked"
    EVIDENCE_UNLINKED = "evidence.unlinked", "Evidence unlinked"
    EXPORT_DOWNLOADED = "export.downloaded", "Export downloaded"
    SHARE_LINK_CREATED = "share_link.created", "Share link created"
    SHARE_LINK_REVOKED = "share_link.revoked", "Share link revoked"
    SSO_CHANGED = "sso.changed", "Single sign-on settings changed"


class AuditEvent(models.Model):
    """One act: who (``actor``, and their e-mail at the time), when, what, on which object, and
    from which address.

    Rows are only ever added: ``save`` refuses an existing row, ``delete`` refuses outright, and
    a database trigger (migration 0002) refuses ``UPDATE`` from any path, ``QuerySet.update``
    included. ``organization`` is empty for platform events (catalog imports), which only
    platform operators see. Deleting an organisation deletes its log with it.
    """

    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="audit_events",
    )
    occurred_at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_events",
    )
    # Kept as text too: the log must still say who after the account is deleted.
    actor_label = models.CharField(max_length=254)
    kind = models.CharField(max_length=40, choices=EventKind.choices)
    target_type = models.CharField(max_length=40, blank=True)
    target_id = models.CharField(max_length=40, blank=True)
    target_label = models.CharField(max_length=300, blank=True)
    details = models.JSONField(default=dict, blank=True)
    address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(
                fields=["organization", "-occurred_at", "-id"], name="audit_org_recent_idx"
            ),
            models.Index(fields=["organization", "kind", "-occurred_at"], name="audit_kind_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=EventKind.values), name="audit_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_label}: {self.get_kind_display()}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("Audit events are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit events are never deleted one by one.")
