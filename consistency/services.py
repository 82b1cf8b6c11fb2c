"""Switching consistency rules off and on for an organisation (admins only)."""

from django.core.exceptions import ValidationError

from accounts.models import Membership, Role, require_role

from .models import DisabledRule
from .rules import RULE_IDS


def rule_set_enabled(*, membership: Membership, rule: str, enabled: bool) -> None:
    require_role(membership, Role.ADMIN, "switch consistency rules")
    if rule not in RULE_IDS:
        raise ValidationError(f"No consistency rule {rule!r}.")
    if enabled:
        DisabledRule.objects.filter(organization=membership.organization, rule=rule).delete()
    else:
        DisabledRule.objects.get_or_create(
            organization=membership.organization,
            rule=rule,
            defaults={"disabled_by": membership.user},
        )
