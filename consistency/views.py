"""The organisation's consistency rules, switched on and off by its admins."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.models import Role
from accounts.selectors import membership_or_404

from . import selectors, services
from .rules import RULES


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def rule_settings(request, slug):
    membership = membership_or_404(request.user, slug)
    if not membership.has_role(Role.ADMIN):
        raise PermissionDenied("Only the organisation's admins switch consistency rules.")
    if request.method == "POST":
        rule = request.POST.get("rule", "")
        enabled = request.POST.get("enabled") == "1"
        try:
            services.rule_set_enabled(membership=membership, rule=rule, enabled=enabled)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"{rule}: {'on' if enabled else 'off'}.")
        return redirect("consistency:rules", slug=slug)
    off = selectors.disabled_rules(membership.organization_id)
    rules = [(rule, rule.id not in off) for rule in RULES]
    return render(
        request,
        "consistency/rules.html",
        {"organization": membership.organization, "rules": rules},
    )
