"""API tokens: creation (shown once), verification, revocation.

Format ``caiq_<prefix>_<secret>``: the prefix finds the row, the SHA-256 of the whole token is
compared in constant time. Organisation tokens get a service account that is a member of the
organisation with the role the scope allows (viewer for read, contributor for write).
"""

import datetime
import hmac
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from audit.models import EventKind
from audit.services import audit_record_many

from .digests import secret_digest
from .models import ApiToken, Membership, Organization, Role, TokenScope, User

TOKEN_PREFIX = "caiq"  # noqa: S105 - a public marker, not a secret
# last_used_at is a hint for people, not an audit log: write it at most once a minute.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)
SCOPE_ROLE = {TokenScope.READ: Role.VIEWER, TokenScope.WRITE: Role.CONTRIBUTOR}


def _new_secret() -> tuple[str, str]:
    prefix = secrets.token_hex(4)
    return prefix, f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"


@transaction.atomic
def api_token_create(
    *,
    name: str,
    scope: str,
    created_by: User | None,
    organization: Organization | None = None,
    user: User | None = None,
    expires_at: datetime.datetime | None = None,
    acting_membership: Membership | None = None,
) -> tuple[ApiToken, str]:
    """A new token and its secret (returned once; only its hash is kept).

    Organisation tokens need an admin of that organisation (``acting_membership``), except
    from the command line, which passes None.
    """
    if scope not in TokenScope.values:
        raise ValidationError(f"Scope must be one of {', '.join(TokenScope.values)}.")
    if (organization is None) == (user is None):
        raise ValidationError("A token belongs to an organisation or to a user.")
    if (
        organization is not None
        and acting_membership is not None
        and not (
            acting_membership.organization_id == organization.pk
            and acting_membership.has_role(Role.ADMIN)
        )
    ):
        raise PermissionDenied("Only the organisation's admins can create its tokens.")
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError("The expiry must be in the future.")
    prefix, secret = _new_secret()
    token = ApiToken(
        name=name.strip()[:100] or "API token",
        organization=organization,
        user=user,
        scope=scope,
        prefix=prefix,
        key_hash=secret_digest(secret),
        expires_at=expires_at,
        created_by=created_by,
    )
    if organization is not None:
        service = User.objects.create_user(
            email=f"token-{prefix}@service.invalid",
            password=None,
            name=f"API token “{token.name}”",
            is_service_account=True,
        )
        Membership.objects.create(
            user=service, organization=organization, role=SCOPE_ROLE[TokenScope(scope)]
        )
        token.service_user = service
    token.save()
    _audit(EventKind.TOKEN_CREATED, token, created_by)
    return token, secret


def _audit(kind: EventKind, token: ApiToken, actor: User | None, **extra) -> None:
    """An organisation token in its organisation's log; a personal one in the log of each
    organisation its owner belongs to, since it reaches all of them."""
    if token.organization_id:
        organizations = [token.organization]
    else:
        organizations = Organization.objects.filter(memberships__user=token.user)
    audit_record_many(
        kind,
        organizations=organizations,
        actor=actor,
        target=token,
        target_label=f"{token.name} ({token.prefix})",
        details={
            "scope": token.scope,
            "owner": "organization" if token.organization_id else token.user.email,
            "expires_at": _iso(token.expires_at),
            **extra,
        },
    )


def split_token(secret: str) -> tuple[str, str] | None:
    """(prefix, random part) of ``caiq_<prefix>_<random>``, or None if it is not one.

    Split at the first two underscores only: the random part (URL-safe base64) has its own.
    """
    parts = secret.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    return parts[1], parts[2]


def api_token_verify(secret: str) -> ApiToken | None:
    """The live token for this secret, or None (unknown, malformed, revoked or expired)."""
    parts = split_token(secret)
    if parts is None:
        return None
    token = (
        ApiToken.objects.select_related("user", "service_user", "organization")
        .filter(prefix=parts[0])
        .first()
    )
    if token is None or not hmac.compare_digest(token.key_hash, secret_digest(secret)):
        return None
    now = timezone.now()
    if token.revoked_at is not None or (token.expires_at and token.expires_at <= now):
        return None
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


@transaction.atomic
def api_token_update(
    *, token: ApiToken, name: str, expires_at: datetime.datetime | None, changed_by: User
) -> ApiToken:
    """Rename a live token or move its expiry; its secret and scope never change."""
    if token.revoked_at is not None:
        raise ValidationError("This token is revoked; create a new one instead.")
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError("The expiry must be in the future.")
    name = name.strip()[:100] or token.name
    before = {"name": token.name, "expires_at": _iso(token.expires_at)}
    after = {"name": name, "expires_at": _iso(expires_at)}
    if before == after:
        return token
    token.name, token.expires_at = name, expires_at
    token.save(update_fields=["name", "expires_at"])
    changed = {key: [before[key], after[key]] for key in before if before[key] != after[key]}
    _audit(EventKind.TOKEN_CHANGED, token, changed_by, changed=changed)
    return token


def _iso(moment: datetime.datetime | None) -> str | None:
    return moment.isoformat() if moment else None


@transaction.atomic
def api_token_revoke(*, token: ApiToken, revoked_by: User) -> ApiToken:
    """Revoke now; the service account of an organisation token loses its membership."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        _audit(EventKind.TOKEN_REVOKED, token, revoked_by)
        if token.service_user_id:
            Membership.objects.filter(user_id=token.service_user_id).delete()
            User.objects.filter(pk=token.service_user_id).update(is_active=False)
    return token


def acting_user(token: ApiToken) -> User:
    """Who the token acts as: its service account, or the user who owns it."""
    return token.service_user if token.organization_id else token.user
