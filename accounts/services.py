"""Writes for organisations, memberships and invitations.

Each service runs in one transaction and enforces the rules every edge (pages, admin, API)
must respect: only an organisation's admins manage its members, and no organisation is ever
left without an admin.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from audit.models import EventKind
from audit.services import audit_record

from .digests import secret_digest
from .emails import send_invitation_email
from .login_rules import password_login_refusal
from .models import Invitation, Membership, Organization, Role, User
from .selectors import invitation_for_token

INVITATION_LIFETIME = timedelta(days=7)


def _ensure_can_manage(user: User, organization: Organization) -> None:
    if user.is_superuser:
        return
    if not Membership.objects.filter(
        user=user, organization=organization, role=Role.ADMIN
    ).exists():
        raise PermissionDenied("Only the organisation's admins can manage its members.")


def _email(user: User | None) -> str:
    return user.email if user is not None else ""


def _ensure_role(role: str) -> Role:
    if role not in Role.values:
        raise ValidationError({"role": f"“{role}” is not a role."}, code="invalid_role")
    return Role(role)


def _ensure_another_admin(membership: Membership, message: str) -> None:
    """Refuse to take away ``membership``'s admin role when nobody else holds it."""
    # Locking every admin row of the organisation serialises two admins demoting each other
    # at the same moment (on PostgreSQL; SQLite writes are serial anyway).
    admins = set(
        Membership.objects.select_for_update()
        .filter(organization_id=membership.organization_id, role=Role.ADMIN)
        .values_list("pk", flat=True)
    )
    if admins == {membership.pk}:
        raise ValidationError(message, code="last_admin")


@transaction.atomic
def organization_create(*, name: str, slug: str, owner: User) -> Organization:
    organization = Organization(name=name, slug=slug)
    organization.full_clean()
    organization.save()
    membership = Membership.objects.create(user=owner, organization=organization, role=Role.ADMIN)
    audit_record(
        EventKind.MEMBER_JOINED,
        organization=organization,
        actor=owner,
        target=membership,
        target_label=owner.email,
        details={"role": Role.ADMIN.value, "created_the_organization": True},
    )
    return organization


@transaction.atomic
def invitation_create(
    *,
    organization: Organization,
    email: str,
    role: str,
    invited_by: User,
    base_url: str | None = None,
) -> tuple[Invitation, str]:
    """Invite ``email`` to ``organization``; returns the invitation and its one-off raw token.

    The e-mail carries an absolute link, so it needs the site's address: ``base_url`` (pages
    pass the request's), else the ``SITE_URL`` setting. It is sent once the transaction commits.
    """
    _ensure_can_manage(invited_by, organization)
    role = _ensure_role(role)
    email = User.objects.normalize_email(email).strip().lower()
    if Membership.objects.filter(organization=organization, user__email__iexact=email).exists():
        raise ValidationError(
            {"email": f"{email} is already a member of {organization}."}, code="already_member"
        )
    base_url = base_url or getattr(settings, "SITE_URL", "")
    if not base_url:
        raise ImproperlyConfigured("Set SITE_URL (or pass base_url) to build invitation links.")

    # A new invitation replaces any earlier one for the same address: only the latest link works.
    Invitation.objects.filter(
        organization=organization, email__iexact=email, accepted_at__isnull=True
    ).delete()
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        organization=organization,
        email=email,
        role=role,
        token_hash=secret_digest(token),
        invited_by=invited_by,
        expires_at=timezone.now() + INVITATION_LIFETIME,
    )
    audit_record(
        EventKind.INVITATION_CREATED,
        organization=organization,
        actor=invited_by,
        target=invitation,
        target_label=email,
        details={"role": role.value},
    )
    accept_url = base_url.rstrip("/") + reverse("invitation_accept", args=[token])
    # robust: a mail server failure must not turn a committed invitation into an error page;
    # the admin still sees the invitation as pending and can send a new one.
    transaction.on_commit(
        lambda: send_invitation_email(invitation=invitation, accept_url=accept_url),
        robust=True,
    )
    return invitation, token


def invitation_check_usable(invitation: Invitation | None) -> Invitation:
    """The invitation itself when it can still be accepted, else a ValidationError whose code
    (``unknown``, ``used``, ``expired``) tells the page which message and status to show."""
    if invitation is None:
        raise ValidationError("This invitation link is not valid.", code="unknown")
    if invitation.accepted_at is not None:
        raise ValidationError("This invitation has already been used.", code="used")
    if invitation.expires_at <= timezone.now():
        raise ValidationError("This invitation has expired.", code="expired")
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, user: User) -> Membership:
    invitation = invitation_for_token(token)
    if invitation is not None:
        # Re-read under a row lock: two clicks on the same link must not both succeed.
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    invitation = invitation_check_usable(invitation)
    if user.email.lower() != invitation.email.lower():
        raise ValidationError(
            f"This invitation is for {invitation.email}, but you are signed in as {user.email}.",
            code="email_mismatch",
        )
    # An invitation never changes the role of someone who already belongs to the organisation.
    membership, joined = Membership.objects.get_or_create(
        user=user, organization=invitation.organization, defaults={"role": invitation.role}
    )
    if joined:
        audit_record(
            EventKind.MEMBER_JOINED,
            organization=invitation.organization,
            actor=user,
            target=membership,
            target_label=user.email,
            details={"role": membership.role, "invited_by": _email(invitation.invited_by)},
        )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


@transaction.atomic
def invitation_accept_with_signup(*, token: str, name: str, password: str) -> Membership:
    """Create the invited person's account (with the invitation's e-mail) and accept.

    Where the organisation keeps its members off passwords (a login rule, e.g. mandatory single
    sign-on), the new account gets no usable password: the caller then does not log it in."""
    invitation = invitation_check_usable(invitation_for_token(token))
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise ValidationError(
            "An account with this e-mail already exists: log in to accept.", code="user_exists"
        )
    user = User.objects.create_user(email=invitation.email, password=password, name=name)
    membership = invitation_accept(token=token, user=user)
    if password_login_refusal(user):
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return membership


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, revoked_by: User) -> None:
    _ensure_can_manage(revoked_by, invitation.organization)
    if invitation.accepted_at is not None:
        raise ValidationError("This invitation has already been accepted.", code="used")
    audit_record(
        EventKind.INVITATION_REVOKED,
        organization=invitation.organization,
        actor=revoked_by,
        target=invitation,
        target_label=invitation.email,
        details={"role": invitation.role},
    )
    # Deleting the row is the revocation: the link's hash no longer matches anything.
    invitation.delete()


@transaction.atomic
def membership_change_role(*, membership: Membership, role: str, changed_by: User) -> Membership:
    _ensure_can_manage(changed_by, membership.organization)
    role = _ensure_role(role)
    if role != Role.ADMIN:
        _ensure_another_admin(
            membership, f"{membership.user} is the only admin of {membership.organization}."
        )
    if membership.role != role:
        audit_record(
            EventKind.MEMBER_ROLE_CHANGED,
            organization=membership.organization,
            actor=changed_by,
            target=membership,
            target_label=membership.user.email,
            details={"from": membership.role, "to": role.value},
        )
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, removed_by: User) -> None:
    _ensure_can_manage(removed_by, membership.organization)
    _ensure_another_admin(
        membership,
        f"{membership.user} is the only admin of {membership.organization} and cannot be removed.",
    )
    audit_record(
        EventKind.MEMBER_REMOVED,
        organization=membership.organization,
        actor=removed_by,
        target=membership,
        target_label=membership.user.email,
        details={"role": membership.role},
    )
    membership.delete()
