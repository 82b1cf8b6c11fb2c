from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_http_methods, require_POST

from . import services
from .forms import InvitationForm, InvitationSignupForm, MembershipRoleForm
from .login_rules import password_login_refusal
from .middleware import SESSION_KEY
from .models import Membership, Role, User
from .selectors import (
    invitation_for_token,
    membership_or_404,
    organization_members,
    pending_invitations,
)

# The backend that checks passwords; ``login`` needs one named when several are configured.
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _safe_next(request) -> str | None:
    """Where to go back to: ``next`` or the referring page, when it is on this site."""
    for url in (request.POST.get("next"), request.META.get("HTTP_REFERER")):
        if url and url_has_allowed_host_and_scheme(
            url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return url
    return None


@login_required
@require_POST
def switch_organization(request):
    membership = membership_or_404(request.user, request.POST.get("organization", ""))
    request.session[SESSION_KEY] = membership.organization_id
    return redirect(_safe_next(request) or "home")


def _admin_membership(request, slug: str) -> Membership:
    """The user's membership of ``slug``: 404 for outsiders, 403 for members who are not admins."""
    membership = membership_or_404(request.user, slug)
    if not membership.has_role(Role.ADMIN):
        raise PermissionDenied("Only the organisation's admins can manage its members.")
    return membership


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def members(request, slug):
    """The member list for every member; admins also invite here (the form posts to this page)."""
    if request.method == "POST":
        membership = _admin_membership(request, slug)
        form = InvitationForm(request.POST)
        if form.is_valid():
            try:
                services.invitation_create(
                    organization=membership.organization,
                    invited_by=request.user,
                    base_url=request.build_absolute_uri("/"),
                    **form.cleaned_data,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, f"Invitation sent to {form.cleaned_data['email']}.")
                return redirect("members", slug)
        status = 400
    else:
        membership = membership_or_404(request.user, slug)
        form, status = InvitationForm(), 200

    organization = membership.organization
    context = {
        "organization": organization,
        "membership": membership,
        "is_admin": membership.has_role(Role.ADMIN),
        "members": organization_members(organization),
        "invitations": pending_invitations(organization),
        "invite_form": form,
        "role_choices": Role.choices,
    }
    return render(request, "accounts/members.html", context, status=status)


@login_required
@require_POST
def member_change_role(request, slug, membership_id):
    organization = _admin_membership(request, slug).organization
    target = get_object_or_404(organization_members(organization), pk=membership_id)
    form = MembershipRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose one of the roles.")
        return redirect("members", slug)
    try:
        services.membership_change_role(
            membership=target, role=form.cleaned_data["role"], changed_by=request.user
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, f"{target.user} is now {target.get_role_display().lower()}.")
    return redirect("members", slug)


@login_required
@require_POST
def member_remove(request, slug, membership_id):
    organization = _admin_membership(request, slug).organization
    target = get_object_or_404(organization_members(organization), pk=membership_id)
    try:
        services.membership_remove(membership=target, removed_by=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect("members", slug)
    messages.success(request, f"{target.user} no longer belongs to {organization}.")
    # Someone who removed themselves can no longer see this organisation's members.
    return redirect(
        "home" if target.user_id == request.user.pk else reverse("members", args=[slug])
    )


@login_required
@require_POST
def invitation_revoke(request, slug, invitation_id):
    organization = _admin_membership(request, slug).organization
    invitation = get_object_or_404(pending_invitations(organization), pk=invitation_id)
    services.invitation_revoke(invitation=invitation, revoked_by=request.user)
    messages.success(request, f"The invitation for {invitation.email} is revoked.")
    return redirect("members", slug)


def _invitation_unusable(request, error: ValidationError):
    # Unknown links answer 404; links that existed but can no longer be used answer 410 Gone.
    status = 404 if error.code == "unknown" else 410
    return render(request, "accounts/invitation_invalid.html", {"error": error}, status=status)


def _joined(request, membership: Membership):
    request.session[SESSION_KEY] = membership.organization_id
    messages.success(request, f"Welcome to {membership.organization}.")
    return redirect("home")


@require_http_methods(["GET", "HEAD", "POST"])
def invitation_accept(request, token):
    """One link for every invitee: confirm when signed in, sign up when new, else log in first."""
    try:
        invitation = services.invitation_check_usable(invitation_for_token(token))
    except ValidationError as error:
        return _invitation_unusable(request, error)

    context = {"invitation": invitation}
    user = request.user
    if user.is_authenticated:
        if user.email.lower() != invitation.email.lower():
            return render(
                request,
                "accounts/invitation_accept.html",
                {**context, "step": "mismatch"},
                status=403,
            )
        if request.method == "POST":
            try:
                membership = services.invitation_accept(token=token, user=user)
            except ValidationError as error:  # used by a second click meanwhile
                return _invitation_unusable(request, error)
            return _joined(request, membership)
        return render(request, "accounts/invitation_accept.html", {**context, "step": "confirm"})

    if User.objects.filter(email__iexact=invitation.email).exists():
        login_url = f"{reverse('login')}?{urlencode({'next': request.path})}"
        return render(
            request,
            "accounts/invitation_accept.html",
            {**context, "step": "login", "login_url": login_url},
        )

    form = InvitationSignupForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.invitation_accept_with_signup(
                token=token,
                name=form.cleaned_data["name"],
                password=form.cleaned_data["password1"],
            )
        except ValidationError as error:
            return _invitation_unusable(request, error)
        if not membership.user.has_usable_password():
            # The organisation signs its members in through its identity provider only.
            messages.success(
                request,
                f"Welcome to {membership.organization}. "
                + (password_login_refusal(membership.user) or ""),
            )
            return redirect("login")
        login(request, membership.user, backend=MODEL_BACKEND)
        return _joined(request, membership)
    return render(
        request, "accounts/invitation_accept.html", {**context, "step": "signup", "form": form}
    )
