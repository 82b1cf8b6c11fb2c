"""Mandatory single sign-on, as a rule of accounts' password login (``accounts.login_rules``).

A rule there rather than an authentication backend: it runs only once the password checked out
(a backend refusing earlier would tell anyone which addresses use SSO, and count the refusal as
a failed login towards django-axes' lockout), and its sentence is what the form shows. The API's
token authentication never goes through a password form, so tokens are unaffected.
"""

from .selectors import enforced_config_for


def mandatory_sso_refusal(user) -> str | None:
    if user.is_superuser:
        return None  # the way back in when the identity provider is down or misconfigured
    config = enforced_config_for(user)
    if config is None:
        return None
    return f"{config.organization.name} requires single sign-on: use Sign in with SSO."
