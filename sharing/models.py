"""Share links, the one-time codes of their e-mail gate, and the log of what visitors did."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone


class ShareLink(models.Model):
    """An approved or submitted questionnaire shared with someone outside the organisation.

    The link's secret is shown once when it is made and kept only as its SHA-256
    (``token_hash``), as API tokens are: a copy of the database opens no link. A link works
    until ``expires_at``, unless revoked, and only while its questionnaire is approved or
    submitted; otherwise it answers 404 like a link that never existed. Optionally a visitor
    must first confirm an e-mail address with a one-time code (``require_email``, limited to
    ``allowed_domains`` when given) and accept ``nda_text``.
    """

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="share_links"
    )
    questionnaire = models.ForeignKey(
        "caiq.Questionnaire", on_delete=models.CASCADE, related_name="share_links"
    )
    recipient = models.CharField(max_length=200, help_text="Who the link is for.")
    token_hash = models.CharField(max_length=64, unique=True)
    # The first characters of the secret, so admins can tell links apart in lists and logs.
    token_prefix = models.CharField(max_length=8)
    expires_at = models.DateTimeField()
    require_email = models.BooleanField(default=False)
    # E-mail domains a visitor's address must be in, space-separated; blank: any address.
    allowed_domains = models.CharField(max_length=500, blank=True)
    nda_text = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="share_links_created",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="share_links_revoked",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["questionnaire", "-created_at"], name="sharelink_questionnaire_idx"
            ),
            models.Index(fields=["organization", "-created_at"], name="sharelink_org_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("created_at")), name="sharelink_expires_after_created"
            ),
            models.CheckConstraint(
                condition=Q(revoked_by__isnull=True) | Q(revoked_at__isnull=False),
                name="sharelink_revoked_by_needs_revoked_at",
            ),
            models.CheckConstraint(
                condition=Q(require_email=True) | Q(allowed_domains=""),
                name="sharelink_domains_need_email_gate",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient} ({self.token_prefix}…)"

    def state(self, now=None) -> str:
        """ "revoked", "expired" or "active" (the questionnaire's status aside)."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= (now or timezone.now()):
            return "expired"
        return "active"

    def domains(self) -> list[str]:
        return self.allowed_domains.split()


class ShareCode(models.Model):
    """A one-time code e-mailed to a visitor of an e-mail-gated link: kept as its SHA-256,
    valid for ten minutes, good for one use and a few wrong guesses."""

    link = models.ForeignKey(ShareLink, on_delete=models.CASCADE, related_name="codes")
    email = models.EmailField()
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["link", "email", "-created_at"], name="sharecode_lookup_idx")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("created_at")), name="sharecode_expires_after_created"
            ),
        ]

    def __str__(self) -> str:
        return f"code for {self.email}"


class AccessKind(models.TextChoices):
    CODE_SENT = "code_sent", "Asked for a code"
    EMAIL_CONFIRMED = "email_confirmed", "Confirmed an e-mail address"
    NDA_ACCEPTED = "nda_accepted", "Accepted the NDA"
    VIEWED = "viewed", "Viewed the answers"
    DOWNLOADED = "downloaded", "Downloaded the workbook"


class ShareAccess(models.Model):
    """One thing a visitor did through a share link: every view and download is one row, with
    the e-mail address the visitor confirmed (when the link asks for one) and where from."""

    link = models.ForeignKey(ShareLink, on_delete=models.CASCADE, related_name="accesses")
    kind = models.CharField(max_length=20, choices=AccessKind.choices)
    email = models.EmailField(blank=True)
    address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name_plural = "share accesses"
        indexes = [models.Index(fields=["link", "-at"], name="shareaccess_link_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=AccessKind.values), name="shareaccess_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"
