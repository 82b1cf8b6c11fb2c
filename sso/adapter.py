"""django-allauth's social-account adapter for organisations' OpenID Connect providers.

allauth does the protocol; this adapter only says which providers exist (one ``openid_connect``
app per enabled ``OrganizationSSO``, built from the row, so there is no second copy to keep in
step) and who may come in (``sso_member_admit``), before allauth logs the person in.
"""

import logging

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp
from django.core.exceptions import ValidationError
from django.shortcuts import render

from .models import OrganizationSSO
from .selectors import config_for_provider_id, enabled_configs
from .services import sso_member_admit

logger = logging.getLogger(__name__)
OPENID_CONNECT = "openid_connect"


def social_app(config: OrganizationSSO) -> SocialApp:
    """The allauth app of ``config`` (never saved: the configuration row is the only copy)."""
    return SocialApp(
        provider=OPENID_CONNECT,
        provider_id=config.provider_id,
        name=config.organization.name,
        client_id=config.client_id,
        secret=config.client_secret,
        settings={
            "server_url": config.issuer,
            "oauth_pkce_enabled": True,
            # Never log in an existing account because some provider asserts its address:
            # sso_member_admit decides which accounts a provider may link.
            "email_authentication": False,
        },
    )


def _claims(extra_data) -> dict:
    """The person's claims as allauth keeps them (userinfo, else the ID token's)."""
    if not isinstance(extra_data, dict):
        return {}
    return extra_data.get("userinfo") or extra_data.get("id_token") or extra_data


def refused(request, message: str, status: int = 403):
    return render(request, "sso/refused.html", {"message": message}, status=status)


class OrganizationSSOAdapter(DefaultSocialAccountAdapter):
    def list_apps(self, request, provider=None, client_id=None) -> list[SocialApp]:
        configs = enabled_configs()
        if provider and provider != OPENID_CONNECT:
            config = config_for_provider_id(provider)
            configs = [config] if config else []
        apps = [social_app(config) for config in configs]
        return [app for app in apps if client_id is None or app.client_id == client_id]

    def pre_social_login(self, request, sociallogin) -> None:
        config = config_for_provider_id(sociallogin.account.provider)
        if config is None:
            raise ImmediateHttpResponse(
                refused(request, "Single sign-on is switched off for this organisation.")
            )
        address = next(iter(sociallogin.email_addresses), None)
        try:
            membership = sso_member_admit(
                config=config,
                email=address.email if address else "",
                email_verified=bool(address and address.verified),
                name=_claims(sociallogin.account.extra_data).get("name") or "",
                user=sociallogin.user if sociallogin.is_existing else None,
            )
        except ValidationError as error:
            raise ImmediateHttpResponse(refused(request, " ".join(error.messages))) from error
        if not sociallogin.is_existing:
            # Link the provider's identity (its subject) to the account: later logins find the
            # account by that, whatever the address becomes; allauth then logs it in.
            sociallogin.connect(request, membership.user)

    def on_authentication_error(
        self, request, provider, error=None, exception=None, extra_context=None
    ) -> None:
        # allauth's own error pages and its "cancelled" page are not mounted: one sentence here.
        logger.warning(
            "Single sign-on through %s failed: %s (%r)",
            getattr(provider, "sub_id", provider),
            error,
            exception,
        )
        name = getattr(getattr(provider, "app", None), "name", "") or "the identity provider"
        raise ImmediateHttpResponse(
            refused(
                request,
                f"Signing in through {name} did not complete: try again, or ask your "
                "organisation's admin.",
                status=400,
            )
        )

    def is_open_for_signup(self, request, sociallogin) -> bool:
        # Never reached for a refused person: pre_social_login linked or refused everyone.
        return True
