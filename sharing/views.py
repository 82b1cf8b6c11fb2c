"""Share links of an organisation: every member sees them (who a questionnaire went to, how
often it was opened, the access log); admins make them (the address shown once) and revoke
them. 404 to outsiders; 403 to members who are not admins when they try to write."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.middleware import request_memberships
from accounts.models import Role
from accounts.selectors import membership_or_404
from caiq.selectors import questionnaire_for_member

from . import selectors, services
from .forms import ShareLinkForm

ADMINS_ONLY = "Only the organisation's admins can share questionnaires."


def _questionnaire(request, pk):
    return questionnaire_for_member(request.user, pk, memberships=request_memberships(request))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def questionnaire_links(request, pk):
    questionnaire, membership = _questionnaire(request, pk)
    if request.method == "POST" and not membership.has_role(Role.ADMIN):
        raise PermissionDenied(ADMINS_ONLY)
    form = ShareLinkForm(request.POST or None, initial=ShareLinkForm.initial_values())
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            link, token = services.share_link_create(
                questionnaire=questionnaire,
                membership=membership,
                user=request.user,
                recipient=form.cleaned_data["recipient"],
                expires_at=form.expires_at(),
                require_email=form.cleaned_data["require_email"],
                allowed_domains=form.cleaned_data["allowed_domains"],
                nda_text=form.cleaned_data["nda_text"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            # Shown on this response only: the secret is not kept, so no later page can show it.
            created = {
                "link": link,
                "url": request.build_absolute_uri(reverse("sharing:visit", args=[token])),
            }
            form = ShareLinkForm(initial=ShareLinkForm.initial_values())
    return render(
        request,
        "sharing/questionnaire_links.html",
        {
            "questionnaire": questionnaire,
            "shareable": questionnaire.status in services.SHAREABLE,
            "may_share": membership.has_role(Role.ADMIN),
            "links": selectors.links_of_questionnaire(questionnaire),
            "form": form,
            "created": created,
        },
    )


def _link(request, pk, link_pk):
    questionnaire, membership = _questionnaire(request, pk)
    link = get_object_or_404(questionnaire.share_links.select_related("created_by"), pk=link_pk)
    return questionnaire, membership, link


@login_required
@require_safe
def link_detail(request, pk, link_pk):
    questionnaire, membership, link = _link(request, pk, link_pk)
    return render(
        request,
        "sharing/link_detail.html",
        {
            "questionnaire": questionnaire,
            "link": link,
            "may_revoke": membership.has_role(Role.ADMIN),
            "accesses": selectors.accesses_of(link)[:500],
        },
    )


@login_required
@require_POST
def link_revoke(request, pk, link_pk):
    _questionnaire, membership, link = _link(request, pk, link_pk)
    services.share_link_revoke(link=link, membership=membership, user=request.user)
    messages.success(request, f"The link for {link.recipient} is revoked: it no longer opens.")
    return redirect("sharing:link", pk, link_pk)


@login_required
@require_safe
def organization_links(request, slug):
    membership = membership_or_404(request.user, slug)
    return render(
        request,
        "sharing/organization_links.html",
        {
            "organization": membership.organization,
            "links": selectors.links_of_organization(membership.organization)[:500],
        },
    )
