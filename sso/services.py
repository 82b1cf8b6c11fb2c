"""Writes of single sign-on: an organisation's configuration, and admitting a person the
organisation's provider vouched for (just-in-time account and membership).

The protocol itself (discovery, state, PKCE, the ID token's signature, issuer and audience) is
django-allauth's; ``sso.adapter`` calls ``sso_member_admit`` once allauth has a verified login.
"""

from allauth.socialaccount.models import SocialAccount
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import Membership, Organization, Role, User
from audit.models import EventKind
from audit.services import audit_record

from .models import OrganizationSSO, SSODomain
from .selectors import allows_domain


@transaction.atomic
def sso_config_save(
    *,
    organization: Organization,
    issuer: str,
    client_id: str,
    client_secret: str | None,
    domains: list[str],
    default_role: str,
    enabled: bool,
    enforced: bool,
    actor: User | None,
) -> OrganizationSSO:
    """Create or change ``organization``'s configuration; ``client_secret`` None keeps the saved
    one. A domain another organisation already lists is refused. Audited (never the secret)."""
    config = OrganizationSSO.objects.filter(organization=organization).first()
    if not client_secret and (config is None or not config.client_secret):
        raise ValidationError("Enter the client secret.", code="secret")
    if not domains:
        raise ValidationError("List at least one e-mail domain.", code="domains")
    if enforced and not enabled:
        raise ValidationError(
            "Single sign-on must be switched on to be made mandatory.", code="enforced"
        )
    taken = (
        SSODomain.objects.filter(domain__in=domains)
        .exclude(config__organization=organization)
        .values_list("domain", flat=True)
    )
    if taken:
        raise ValidationError(
            f"{', '.join(sorted(taken))} already signs in to another organisation.",
            code="domain_taken",
        )
    issuer = issuer.rstrip("/")
    if config is None or config.issuer != issuer:
        # A subject is unique only at its issuer: links made through another provider, or by an
        # earlier organisation with this slug, must never log anyone in through this one.
        SocialAccount.objects.filter(provider=f"org-{organization.slug}").delete()
    config = config or OrganizationSSO(organization=organization)
    config.issuer = issuer
    config.client_id = client_id
    if client_secret:
        config.client_secret = client_secret
    config.default_role = Role(default_role)
    config.enabled = enabled
    config.enforced = enforced
    config.save()
    config.domains.exclude(domain__in=domains).delete()
    existing = set(config.domains.values_list("domain", flat=True))
    SSODomain.objects.bulk_create(
        SSODomain(config=config, domain=domain) for domain in domains if domain not in existing
    )
    audit_record(
        EventKind.SSO_CHANGED,
        organization=organization,
        actor=actor,
        target=config,
        target_label=f"Single sign-on of {organization.name}",
        details={
            "issuer": issuer,
            "client_id": client_id,
            "secret_changed": bool(client_secret),
            "domains": domains,
            "default_role": str(default_role),
            "enabled": enabled,
            "enforced": enforced,
        },
    )
    return config


def _refuse(message: str, code: str):
    raise ValidationError(message, code=code)


@transaction.atomic
def sso_member_admit(
    *,
    config: OrganizationSSO,
    email: str,
    email_verified: bool,
    name: str = "",
    user: User | None = None,
) -> Membership:
    """The member ``config``'s provider vouched for: refused (ValidationError, one sentence)
    unless the address is verified and in an allowed domain; else the account (created when
    new) and a membership with the default role (an existing one keeps its role).

    ``user`` is the account already linked to this provider's identity, if any. An existing
    account is linked only when it already belongs to the organisation, and never a
    superuser's: a provider vouches for its organisation's people, not for anyone's account.
    """
    organization = config.organization
    email = (email or "").strip().lower()
    if not email or not email_verified:
        _refuse(
            f"{organization.name}'s identity provider did not confirm your e-mail address.",
            "unverified",
        )
    if not allows_domain(config, email):
        _refuse(f"{email} is not in a domain {organization.name} allows to sign in.", "domain")
    if user is None:
        user = User.objects.filter(email__iexact=email).first()
        if user is not None and not user.memberships.filter(organization=organization).exists():
            _refuse(
                f"An account for {email} already exists: sign in with your password, and ask "
                f"an admin of {organization.name} to invite you.",
                "existing_account",
            )
    if user is not None and (user.is_superuser or user.is_service_account or not user.is_active):
        _refuse(f"The account for {email} cannot use single sign-on.", "not_allowed")
    if user is None:
        user = User.objects.create_user(email=email, name=name[:150])  # no usable password
    membership, joined = Membership.objects.get_or_create(
        user=user, organization=organization, defaults={"role": config.default_role}
    )
    if joined:
        audit_record(
            EventKind.MEMBER_JOINED,
            organization=organization,
            actor=user,
            target=membership,
            target_label=user.email,
            details={"role": membership.role, "via": "single sign-on"},
        )
    return membership
