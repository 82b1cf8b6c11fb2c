"""The CAIQ catalog: CSA's versions, domains, controls and questions (not tenant data).

Codes follow docs/caiq-format.md: domain ``A&A``, control ``A&A-01``, question ``A&A-01.1``.
Each row carries its catalog version so that uniqueness is a plain constraint per version, and
v4.0.3 and v4.1 live side by side. ``position`` keeps the workbook's order.
"""

from django.conf import settings
from django.db import models

DOMAIN_CODE_RE = r"^[A-Z&]{3}$"
CONTROL_CODE_RE = r"^[A-Z&]{3}-[0-9]{2}$"
QUESTION_CODE_RE = r"^[A-Z&]{3}-[0-9]{2}\.[0-9]+$"


def template_upload_to(instance: "CatalogVersion", filename: str) -> str:
    # The stored name is ours; the user's file name is kept in source_filename only.
    return f"catalog-templates/{instance.source_sha256}.xlsx"


class CatalogVersion(models.Model):
    """One CAIQ release, imported from CSA's workbook, whose file is kept as the export template.

    ``is_sample`` marks the built-in demo catalog: official IDs and structure with placeholder
    text, for trying the app before loading CSA's workbook.
    """

    caiq_version = models.CharField("CAIQ version", max_length=20)
    ccm_version = models.CharField("CCM version", max_length=20, blank=True)
    sheet_name = models.CharField(max_length=31)
    source_filename = models.CharField(max_length=255)
    source_sha256 = models.CharField("source SHA-256", max_length=64)
    template = models.FileField(upload_to=template_upload_to, max_length=255)
    # Where the answer columns and question rows are in the template (found by header text).
    layout = models.JSONField(default=dict)
    is_sample = models.BooleanField(default=False)
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="catalog_versions_imported",
    )

    class Meta:
        ordering = ["-caiq_version"]
        constraints = [
            models.UniqueConstraint(fields=["caiq_version"], name="catalog_version_unique"),
        ]

    def __str__(self) -> str:
        suffix = " (sample)" if self.is_sample else ""
        return f"CAIQ v{self.caiq_version}{suffix}"


class Domain(models.Model):
    """A CCM domain (17 in v4), e.g. ``A&A`` Audit & Assurance."""

    version = models.ForeignKey(CatalogVersion, on_delete=models.CASCADE, related_name="domains")
    code = models.CharField(max_length=3)
    title = models.CharField(max_length=255)
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="domain_code_unique"),
            models.UniqueConstraint(fields=["version", "position"], name="domain_position_unique"),
            models.CheckConstraint(
                condition=models.Q(code__regex=DOMAIN_CODE_RE), name="domain_code_format"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Control(models.Model):
    """A CCM control, e.g. ``A&A-01``; its specification and title are CSA text from the file."""

    version = models.ForeignKey(CatalogVersion, on_delete=models.CASCADE, related_name="controls")
    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="controls")
    code = models.CharField(max_length=6)
    title = models.CharField(max_length=500)
    specification = models.TextField()
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="control_code_unique"),
            models.UniqueConstraint(fields=["version", "position"], name="control_position_unique"),
            models.CheckConstraint(
                condition=models.Q(code__regex=CONTROL_CODE_RE), name="control_code_format"
            ),
        ]

    def __str__(self) -> str:
        return self.code


class Question(models.Model):
    """A CAIQ question, e.g. ``A&A-01.1``; ``row`` is its row in the version's workbook."""

    version = models.ForeignKey(CatalogVersion, on_delete=models.CASCADE, related_name="questions")
    control = models.ForeignKey(Control, on_delete=models.CASCADE, related_name="questions")
    code = models.CharField(max_length=12)
    text = models.TextField()
    position = models.PositiveIntegerField()
    row = models.PositiveIntegerField()

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="question_code_unique"),
            models.UniqueConstraint(
                fields=["version", "position"], name="question_position_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(code__regex=QUESTION_CODE_RE), name="question_code_format"
            ),
        ]

    def __str__(self) -> str:
        return self.code
