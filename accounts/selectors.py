"""Tenancy in one place: what a user may see.

Every query of tenant-owned data goes through ``scope_to_user`` (or the membership helpers
below), in pages, admin, API and tasks alike. Another organisation's object is simply absent
from the scoped queryset, so looking it up answers 404, never 403.
"""

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from .digests import secret_digest
from .models import Invitation, Membership, Organization, Role, User


def memberships_for(user: User) -> QuerySet[Membership]:
    if not user.is_authenticated:
        return Membership.objects.none()
    return Membership.objects.filter(user=user).select_related("organization")


def organizations_for(user: User) -> QuerySet[Organization]:
    if not user.is_authenticated:
        return Organization.objects.none()
    return Organization.objects.filter(memberships__user=user)


def scope_to_user(queryset: QuerySet, user: User, *, via: str = "organization") -> QuerySet:
    """Rows of ``queryset`` whose organisation (reached through ``via``) has ``user`` as member.

    ``via`` is the lookup path from the model to its Organization, e.g. ``"organization"`` or
    ``"questionnaire__organization"``; ``""`` when the queryset holds organisations.
    """
    if not user.is_authenticated:
        return queryset.none()
    prefix = f"{via}__" if via else ""
    return queryset.filter(**{f"{prefix}memberships__user": user})


def audited_organizations(user: User) -> QuerySet[Organization]:
    """The organisations whose audit log ``user`` may read: those they administer."""
    if not user.is_authenticated:
        return Organization.objects.none()
    return Organization.objects.filter(memberships__user=user, memberships__role=Role.ADMIN)


def admin_emails(organization_id: int) -> list[str]:
    """Where an organisation's notices go (STAR renewals, a webhook switched off): its active
    admins' addresses."""
    return list(
        Membership.objects.filter(
            organization_id=organization_id, role=Role.ADMIN, user__is_active=True
        ).values_list("user__email", flat=True)
    )


def membership_or_404(user: User, slug: str, *, role: Role | str = Role.VIEWER) -> Membership:
    """The user's membership of organisation ``slug`` with at least ``role``.

    404 when the user is not a member (the organisation is invisible to them). A member whose
    role is too weak also gets a 404 here: callers that want to show a read-only page check
    ``Membership.has_role`` themselves.
    """
    membership = memberships_for(user).filter(organization__slug=slug).first()
    if membership is None or not membership.has_role(role):
        raise Http404("No such organisation.")
    return membership


def organization_members(organization: Organization) -> QuerySet[Membership]:
    """The people in ``organization`` (API tokens' service accounts are listed with the tokens)."""
    return (
        Membership.objects.filter(organization=organization, user__is_service_account=False)
        .select_related("user")
        .order_by("user__email")
    )


def pending_invitations(organization: Organization) -> QuerySet[Invitation]:
    """Invitations of ``organization`` that can still be accepted."""
    return (
        Invitation.objects.filter(
            organization=organization, accepted_at__isnull=True, expires_at__gt=timezone.now()
        )
        .select_related("invited_by")
        .order_by("email")
    )


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation behind a link, whatever its state (the caller decides what is usable)."""
    return (
        Invitation.objects.select_related("organization")
        .filter(token_hash=secret_digest(token))
        .first()
    )


def users_visible_to(user: User) -> QuerySet[User]:
    """Users who share at least one organisation with ``user`` (``user`` included)."""
    shared = scope_to_user(Membership.objects.all(), user).values("user_id")
    return User.objects.filter(pk__in=shared)
