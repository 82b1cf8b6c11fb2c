"""The audit log page of an organisation, for its admins.

404 to outsiders, 403 to members who are not admins (as the token page); read-only: the page
has no form that writes, and the model refuses changes.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_safe

from audit.models import EventKind
from audit.selectors import audit_events

from .filters import AuditEventFilterSet
from .models import Organization, Role
from .selectors import membership_or_404

PAGE_SIZE = 50


@login_required
@require_safe
def audit_log(request, slug):
    membership = membership_or_404(request.user, slug)
    if not membership.has_role(Role.ADMIN):
        raise PermissionDenied("Only the organisation's admins can read its audit log.")
    organization = membership.organization
    events = audit_events(organizations=Organization.objects.filter(pk=organization.pk))
    filters = AuditEventFilterSet(request.GET, queryset=events)
    page = Paginator(filters.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "organization": organization,
        "filters": filters,
        "page": page,
        "query": query.urlencode(),
        "kinds": EventKind,
    }
    return render(request, "accounts/audit_log.html", context)
