"""API token pages: a person's own tokens, and (for its admins) an organisation's tokens.

A new token's secret is rendered once, in the response to the form that created it, and never
stored (accounts.tokens keeps only its hash); lists show the prefix only. An organisation's
token page answers 404 to outsiders and 403 to members who are not admins, like the members
page's management actions.
"""

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from .models import ApiToken, Membership, Organization, Role, TokenScope, User
from .selectors import membership_or_404
from .tokens import api_token_create, api_token_revoke, api_token_update
from .widgets import IsoDateInput


class ApiTokenForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What uses it, e.g. “GRC sync”.")
    scope = forms.ChoiceField(choices=TokenScope.choices, initial=TokenScope.READ)
    expires_on = forms.DateField(
        required=False,
        label="Expires on",
        help_text="Optional. The token stops working at the start of this day.",
        widget=IsoDateInput(),
    )

    def clean_expires_on(self):
        expires_on = self.cleaned_data["expires_on"]
        if expires_on is not None and expires_on <= timezone.localdate():
            raise ValidationError("Choose a date after today.")
        return expires_on

    def expires_at(self) -> datetime.datetime | None:
        expires_on = self.cleaned_data["expires_on"]
        if expires_on is None:
            return None
        return timezone.make_aware(datetime.datetime.combine(expires_on, datetime.time.min))


class ApiTokenEditForm(forms.Form):
    """Rename a token or move its expiry; the secret and scope stay as they are."""

    name = forms.CharField(max_length=100)
    expires_on = ApiTokenForm.base_fields["expires_on"]
    clean_expires_on = ApiTokenForm.clean_expires_on
    expires_at = ApiTokenForm.expires_at

    @classmethod
    def for_token(cls, token: ApiToken, data=None) -> "ApiTokenEditForm":
        expires_on = timezone.localdate(token.expires_at) if token.expires_at else None
        return cls(data, initial={"name": token.name, "expires_on": expires_on})


def _user_tokens(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at")


def _organization_tokens(organization: Organization) -> QuerySet[ApiToken]:
    return (
        ApiToken.objects.filter(organization=organization)
        .select_related("created_by")
        .order_by("-created_at")
    )


def _token_admin(request, slug: str) -> Membership:
    membership = membership_or_404(request.user, slug)
    if not membership.has_role(Role.ADMIN):
        raise PermissionDenied("Only the organisation's admins can manage its API tokens.")
    return membership


def _page(request, *, form, tokens, organization=None, secret=None, created=None, status=200):
    context = {
        "form": form,
        "tokens": tokens,
        "organization": organization,
        "secret": secret,
        "created": created,
        "now": timezone.now(),
    }
    response = render(request, "accounts/tokens.html", context, status=status)
    if secret:
        # The only copy of the secret: keep it out of every cache and the back button's.
        response["Cache-Control"] = "no-store"
    return response


def _create(request, form: ApiTokenForm, **owner) -> tuple[ApiToken | None, str | None]:
    if not form.is_valid():
        return None, None
    try:
        return api_token_create(
            name=form.cleaned_data["name"],
            scope=form.cleaned_data["scope"],
            created_by=request.user,
            expires_at=form.expires_at(),
            **owner,
        )
    except ValidationError as error:
        form.add_error(None, error)
        return None, None


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def user_tokens(request):
    """Tokens that act as the signed-in person, with their roles in every organisation."""
    if request.method != "POST":
        return _page(request, form=ApiTokenForm(), tokens=_user_tokens(request.user))
    form = ApiTokenForm(request.POST)
    token, secret = _create(request, form, user=request.user)
    if token is None:
        return _page(request, form=form, tokens=_user_tokens(request.user), status=400)
    return _page(
        request,
        form=ApiTokenForm(),
        tokens=_user_tokens(request.user),
        secret=secret,
        created=token,
    )


def _edit(request, token: ApiToken, back: str, organization=None):
    form = ApiTokenEditForm.for_token(token, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            api_token_update(
                token=token,
                name=form.cleaned_data["name"],
                expires_at=form.expires_at(),
                changed_by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"The token “{token.name}” is saved.")
            return redirect(back)
    context = {"form": form, "token": token, "organization": organization, "back": back}
    status = 400 if form.is_bound else 200
    return render(request, "accounts/token_edit.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def user_token_edit(request, token_id):
    token = get_object_or_404(_user_tokens(request.user).filter(revoked_at=None), pk=token_id)
    return _edit(request, token, reverse("user_tokens"))


@login_required
@require_POST
def user_token_revoke(request, token_id):
    token = get_object_or_404(_user_tokens(request.user), pk=token_id)
    api_token_revoke(token=token, revoked_by=request.user)
    messages.success(request, f"The token “{token.name}” is revoked.")
    return redirect("user_tokens")


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def organization_tokens(request, slug):
    """Integration tokens of an organisation; each acts as its own service account."""
    membership = _token_admin(request, slug)
    organization = membership.organization
    if request.method != "POST":
        return _page(
            request,
            form=ApiTokenForm(),
            tokens=_organization_tokens(organization),
            organization=organization,
        )
    form = ApiTokenForm(request.POST)
    token, secret = _create(request, form, organization=organization, acting_membership=membership)
    if token is None:
        return _page(
            request,
            form=form,
            tokens=_organization_tokens(organization),
            organization=organization,
            status=400,
        )
    return _page(
        request,
        form=ApiTokenForm(),
        tokens=_organization_tokens(organization),
        organization=organization,
        secret=secret,
        created=token,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def organization_token_edit(request, slug, token_id):
    organization = _token_admin(request, slug).organization
    tokens = _organization_tokens(organization).filter(revoked_at=None)
    token = get_object_or_404(tokens, pk=token_id)
    return _edit(request, token, reverse("organization_tokens", args=[slug]), organization)


@login_required
@require_POST
def organization_token_revoke(request, slug, token_id):
    organization = _token_admin(request, slug).organization
    token = get_object_or_404(_organization_tokens(organization), pk=token_id)
    api_token_revoke(token=token, revoked_by=request.user)
    messages.success(request, f"The token “{token.name}” is revoked.")
    return redirect("organization_tokens", slug)
