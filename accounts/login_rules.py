"""Rules that other apps add to the password login, which accounts itself knows nothing of.

A rule takes the user whose password was right and returns one sentence refusing the login, or
None. The password forms (``accounts.forms``) ask every rule after the password checks out, so
a refusal reveals nothing to someone without it, counts no failure towards django-axes'
lockout, and is shown as the form's error. sso registers mandatory single sign-on from its
``ready``: a registry here keeps accounts from importing the apps built on top of it.
"""

from collections.abc import Callable

LoginRule = Callable[[object], str | None]

_rules: list[LoginRule] = []


def register(rule: LoginRule) -> None:
    if rule not in _rules:
        _rules.append(rule)


def password_login_refusal(user) -> str | None:
    """The first rule's sentence refusing ``user`` the password login, or None."""
    for rule in _rules:
        refusal = rule(user)
        if refusal:
            return refusal
    return None
