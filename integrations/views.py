"""An organisation's webhooks, for its admins: endpoints (add, edit, switch on and off) and the
delivery log with status codes, response times and redelivery. A questionnaire's OSCAL export,
for its organisation's members."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.middleware import request_memberships
from accounts.models import Role
from accounts.selectors import membership_or_404
from caiq.downloads import attachment
from caiq.selectors import questionnaire_for_member

from . import exports, selectors, services
from .models import WebhookEvent


def _admin(request, slug):
    return membership_or_404(request.user, slug, role=Role.ADMIN)


def _fields(request) -> dict:
    return {
        "url": request.POST.get("url", "").strip(),
        "events": request.POST.getlist("events"),
        "description": request.POST.get("description", "").strip()[:200],
    }


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def endpoint_list(request, slug):
    membership = _admin(request, slug)
    form = {"url": "", "events": [], "description": ""}
    if request.method == "POST":
        form = _fields(request)
        try:
            endpoint = services.endpoint_create(membership=membership, user=request.user, **form)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Webhook endpoint {endpoint.url} added.")
            return redirect("integrations:endpoint", slug=slug, pk=endpoint.pk)
    return render(
        request,
        "integrations/endpoint_list.html",
        {
            "organization": membership.organization,
            "endpoints": selectors.endpoints(membership),
            "events": WebhookEvent.choices,
            "form": form,
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def endpoint_detail(request, slug, pk):
    membership = _admin(request, slug)
    endpoint = selectors.endpoint_or_404(membership, pk)
    if request.method == "POST":
        try:
            services.endpoint_update(
                endpoint=endpoint,
                membership=membership,
                is_active=request.POST.get("is_active") == "on",
                **_fields(request),
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Saved.")
        return redirect("integrations:endpoint", slug=slug, pk=pk)
    return render(
        request,
        "integrations/endpoint_detail.html",
        {
            "organization": membership.organization,
            "endpoint": endpoint,
            "events": WebhookEvent.choices,
            "log": selectors.delivery_log(endpoint),
        },
    )


@login_required
@require_POST
def redeliver(request, slug, pk, delivery_pk):
    membership = _admin(request, slug)
    endpoint = selectors.endpoint_or_404(membership, pk)
    delivery = selectors.delivery_or_404(endpoint, delivery_pk)
    services.delivery_redeliver(delivery=delivery, membership=membership)
    messages.success(request, f"{delivery.message_id} queued again.")
    return redirect("integrations:endpoint", slug=slug, pk=pk)


@login_required
@require_POST
def send_test(request, slug, pk):
    membership = _admin(request, slug)
    endpoint = selectors.endpoint_or_404(membership, pk)
    delivery = services.endpoint_send_test(
        endpoint=endpoint, membership=membership, user=request.user
    )
    messages.success(request, f"Test message {delivery.message_id} queued.")
    return redirect("integrations:endpoint", slug=slug, pk=pk)


@login_required
@require_POST
def delete(request, slug, pk):
    membership = _admin(request, slug)
    endpoint = selectors.endpoint_or_404(membership, pk)
    services.endpoint_delete(endpoint=endpoint, membership=membership)
    messages.success(request, f"Webhook endpoint {endpoint.url} deleted.")
    return redirect("integrations:endpoints", slug=slug)


@login_required
@require_GET
def oscal_download(request, pk):
    questionnaire, _membership = questionnaire_for_member(
        request.user, pk, memberships=request_memberships(request)
    )
    made = exports.oscal_download(questionnaire=questionnaire, user=request.user)
    return attachment(made.body, made.name)
