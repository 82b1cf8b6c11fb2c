"""Single sign-on pages: "Sign in with SSO" (find the organisation), an organisation's sign-in
page (hands over to its provider through allauth), and the admins' configuration page."""

from urllib.parse import urlsplit

import requests
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.providers.openid_connect import views as allauth_oidc
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_http_methods

from accounts.models import Role
from accounts.selectors import membership_or_404

from . import services
from .forms import SSOConfigForm, SSOStartForm
from .selectors import config_for_organization, config_for_provider_id, config_for_slug


def _safe_next(request, value: str | None) -> str:
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return ""


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@require_http_methods(["GET", "HEAD", "POST"])
def start(request):
    """The organisation from what was typed, then its sign-in page."""
    form = SSOStartForm(request.POST or None)
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if request.method == "POST" and form.is_valid():
        url = reverse("sso:login", args=[form.config.organization.slug])
        return redirect(f"{url}?{urlencode({'next': next_url})}" if next_url else url)
    status = 400 if request.method == "POST" else 200
    return render(request, "sso/start.html", {"form": form, "next": next_url}, status=status)


@require_http_methods(["GET", "HEAD"])
def login(request, slug):
    """The organisation's sign-in page: its button posts to allauth, which redirects to the
    provider.

    Browsers apply the page's form-action to every redirect that follows a form's submission,
    so this page (only) also allows the provider's authorization endpoint; every other page
    keeps form-action 'self'.
    """
    config = config_for_slug(slug)
    if config is None:
        raise Http404("No single sign-on for this organisation.")
    provider = get_adapter(request).get_provider(request, config.provider_id)
    context = {
        "organization": config.organization,
        "action": provider.get_login_url(request),
        "next": _safe_next(request, request.GET.get("next")),
    }
    try:
        authorize_url = OpenIDConnectOAuth2Adapter(request, config.provider_id).authorize_url
    except (requests.RequestException, ValueError, KeyError):
        context["unreachable"] = True
        return render(request, "sso/login.html", context, status=503)
    response = render(request, "sso/login.html", context)
    response._csp_update = {"form-action": sorted({_origin(authorize_url)})}
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def oidc_login(request, provider_id):
    """allauth's login URL. A POST (the sign-in page's button) starts the flow there; a GET
    would show allauth's own confirmation page, whose form the strict policy would stop on its
    way to the provider, so it goes to the organisation's sign-in page instead."""
    if request.method == "POST":
        return allauth_oidc.login(request, provider_id)
    config = config_for_provider_id(provider_id)
    if config is None:
        raise Http404("No single sign-on for this organisation.")
    url = reverse("sso:login", args=[config.organization.slug])
    next_url = _safe_next(request, request.GET.get("next"))
    return redirect(f"{url}?{urlencode({'next': next_url})}" if next_url else url)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def configure(request, slug):
    """An organisation's provider, for its admins (others: 404, as for webhooks)."""
    membership = membership_or_404(request.user, slug, role=Role.ADMIN)
    organization = membership.organization
    config = config_for_organization(organization)
    form = SSOConfigForm(request.POST or None, initial=SSOConfigForm.initial_for(config))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.sso_config_save(
                    organization=organization,
                    issuer=data["issuer"],
                    client_id=data["client_id"],
                    client_secret=data["client_secret"] or None,
                    domains=data["domains"],
                    default_role=data["default_role"],
                    enabled=data["enabled"],
                    enforced=data["enforced"],
                    actor=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "Single sign-on settings saved.")
                return redirect("sso:configure", slug=slug)
        status = 400
    callback = request.build_absolute_uri(
        reverse("openid_connect_callback", kwargs={"provider_id": f"org-{organization.slug}"})
    )
    return render(
        request,
        "sso/configure.html",
        {
            "organization": organization,
            "config": config,
            "form": form,
            "callback_url": callback,
            "sign_in_url": request.build_absolute_uri(reverse("sso:login", args=[slug])),
        },
        status=status,
    )
