"""Evidence: files and links that back answers, kept per organisation and reused across them.

A file's bytes are stored once per organisation (StoredFile, keyed by SHA-256) under a generated
name; an Evidence item points at its versions, each naming one stored file and the name it was
uploaded under. Links tie an item to any number of answers of the same organisation.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from accounts.models import Organization

EXPIRY_WARNING_DAYS = 30


class StoredFile(models.Model):
    """Bytes in evidence storage; one row per distinct content per organisation."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="stored_files"
    )
    sha256 = models.CharField("SHA-256", max_length=64)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)
    storage_name = models.CharField(max_length=255, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "sha256"], name="stored_file_content_unique_per_org"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sha256[:12]} ({self.size} bytes)"


class EvidenceKind(models.TextChoices):
    FILE = "file", "File"
    LINK = "link", "Link"


class Freshness(models.TextChoices):
    CURRENT = "current", "Current"
    EXPIRING = "expiring", "Expires soon"
    EXPIRED = "expired", "Expired"
    UNDATED = "undated", "No expiry date"


def freshness_of(valid_until: datetime.date | None, today: datetime.date) -> Freshness:
    """Whether evidence valid until ``valid_until`` is current, expiring soon or expired."""
    if valid_until is None:
        return Freshness.UNDATED
    if valid_until < today:
        return Freshness.EXPIRED
    if valid_until <= today + datetime.timedelta(days=EXPIRY_WARNING_DAYS):
        return Freshness.EXPIRING
    return Freshness.CURRENT


class Evidence(models.Model):
    """A policy, report, screenshot or link in an organisation's evidence library."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="evidence"
    )
    kind = models.CharField(max_length=10, choices=EvidenceKind.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    url = models.URLField("link", max_length=2000, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_evidence",
    )
    valid_from = models.DateField(null=True, blank=True)
    valid_until = models.DateField(null=True, blank=True)
    last_reminded_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The change feed's position (caiq/sync.py), set by a database trigger on every write.
    # Versions and links are part of an item as the API shows it: the services that add or
    # remove them write the item too, so it moves forward in the feed.
    change_seq = models.BigIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["title"]
        verbose_name_plural = "evidence"
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=EvidenceKind.values), name="evidence_kind_valid"
            ),
            models.CheckConstraint(
                condition=~Q(kind=EvidenceKind.LINK) | ~Q(url=""), name="evidence_link_has_url"
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_until__gte=F("valid_from")),
                name="evidence_validity_ordered",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "valid_until"], name="evidence_expiry_idx"),
            models.Index(fields=["change_seq", "id"], name="evidence_change_feed_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def freshness(self, today: datetime.date) -> Freshness:
        return freshness_of(self.valid_until, today)


class EvidenceVersion(models.Model):
    """One upload of a file item; earlier versions are kept."""

    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    stored_file = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="versions")
    original_filename = models.CharField(max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["evidence", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["evidence", "number"], name="evidence_version_number_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.evidence} v{self.number}"


class EvidenceLink(models.Model):
    """Evidence backing one answer (same organisation: checked by evidence.services)."""

    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="links")
    # Indexed by the composite below, which leads with it.
    answer = models.ForeignKey(
        "caiq.Answer", on_delete=models.CASCADE, related_name="evidence_links", db_index=False
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    linked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["evidence__title"]
        constraints = [
            models.UniqueConstraint(fields=["evidence", "answer"], name="evidence_link_unique"),
        ]
        # From answers to their evidence (fill page, stale-evidence flags) reading the index
        # only: the links table grows with every questionnaire, a page's answers do not.
        indexes = [models.Index(fields=["answer", "evidence"], name="evidence_link_answer_idx")]

    def __str__(self) -> str:
        return f"{self.evidence} → {self.answer_id}"
