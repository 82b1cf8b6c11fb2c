"""Reads of single sign-on configurations: which provider serves an address, an organisation
or an allauth provider id. Only enabled configurations sign anyone in."""

from django.db.models import QuerySet

from accounts.models import User

from .models import OrganizationSSO

PROVIDER_PREFIX = "org-"


def enabled_configs() -> QuerySet[OrganizationSSO]:
    return OrganizationSSO.objects.filter(enabled=True).select_related("organization")


def email_domain(email: str) -> str:
    return email.rpartition("@")[2].strip().lower()


def config_for_email(email: str) -> OrganizationSSO | None:
    """The enabled configuration whose domains include ``email``'s (at most one: unique)."""
    domain = email_domain(email)
    if not domain:
        return None
    return enabled_configs().filter(domains__domain__iexact=domain).first()


def config_for_slug(slug: str) -> OrganizationSSO | None:
    return enabled_configs().filter(organization__slug=slug).first()


def config_for_provider_id(provider_id: str) -> OrganizationSSO | None:
    """The enabled configuration behind allauth's ``org-<slug>`` provider id."""
    if not provider_id.startswith(PROVIDER_PREFIX):
        return None
    return config_for_slug(provider_id.removeprefix(PROVIDER_PREFIX))


def allows_domain(config: OrganizationSSO, email: str) -> bool:
    return config.domains.filter(domain__iexact=email_domain(email)).exists()


def enforced_config_for(user: User) -> OrganizationSSO | None:
    """A configuration with mandatory single sign-on among ``user``'s organisations."""
    return (
        enabled_configs()
        .filter(enforced=True, organization__memberships__user=user)
        .order_by("organization__name")
        .first()
    )


def config_for_organization(organization) -> OrganizationSSO | None:
    """The organisation's configuration, enabled or not (its admins' settings page)."""
    return OrganizationSSO.objects.filter(organization=organization).first()
