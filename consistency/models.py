"""Which consistency rules an organisation has switched off (consistency.rules)."""

from django.conf import settings
from django.db import models

from accounts.models import Organization


class DisabledRule(models.Model):
    """A consistency rule an organisation does not want: its findings are not shown."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="disabled_rules"
    )
    rule = models.CharField(max_length=60)
    disabled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    disabled_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "rule"], name="disabled_rule_unique")
        ]

    def __str__(self) -> str:
        return f"{self.rule} off for {self.organization_id}"
