"""CSA's CCM mappings to other frameworks, per CCM version, as imported from the user's own CCM
workbook (frameworks.ccm reads it; nothing of CSA's text ships with the code).

Platform data like the CAIQ catalog: shared by every organisation, imported by staff. A
questionnaire's gap analysis joins these mappings to its answers through the CCM control IDs
(``caiq.Control.code``).
"""

from django.conf import settings
from django.db import models


class GapLevel(models.TextChoices):
    NO_GAP = "no", "No gap"
    PARTIAL = "partial", "Partial gap"
    FULL = "full", "Full gap"
    NONE = "", "Not stated"


class CcmVersion(models.Model):
    """One imported CCM workbook (e.g. v4.0.12) and where it came from."""

    version = models.CharField(max_length=20, unique=True)
    source_filename = models.CharField(max_length=255)
    source_sha256 = models.CharField(max_length=64)
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-imported_at"]
        verbose_name = "CCM version"

    def __str__(self) -> str:
        return f"CCM v{self.version}"


class Framework(models.Model):
    """A framework the CCM maps to (ISO/IEC 27001:2022, NIST 800-53 rev 5...), as CSA names it."""

    ccm_version = models.ForeignKey(CcmVersion, on_delete=models.CASCADE, related_name="frameworks")
    name = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["ccm_version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["ccm_version", "name"], name="framework_name_unique"),
            models.UniqueConstraint(
                fields=["ccm_version", "position"], name="framework_position_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Requirement(models.Model):
    """One requirement of a framework as the CCM cites it ("27001: A.5.35", "CA-2(1)")."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="requirements")
    code = models.CharField(max_length=100)

    class Meta:
        ordering = ["framework", "code"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="requirement_code_unique"),
        ]

    def __str__(self) -> str:
        return self.code


class ControlMapping(models.Model):
    """How one CCM control maps to one framework: its requirements (none: "No Mapping"), the
    gap level CSA states, and the addendum that explains the gap."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="mappings")
    control_id = models.CharField(max_length=12)
    domain = models.CharField(max_length=200)
    gap_level = models.CharField(max_length=10, choices=GapLevel.choices, blank=True)
    addendum = models.TextField(blank=True)
    requirements = models.ManyToManyField(Requirement, related_name="mappings", blank=True)

    class Meta:
        ordering = ["framework", "control_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "control_id"], name="mapping_control_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(gap_level__in=GapLevel.values), name="mapping_gap_level_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.control_id} → {self.framework}"
