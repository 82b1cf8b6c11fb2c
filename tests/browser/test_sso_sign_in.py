"""The redirect flow in Chromium: the login page, the provider, back signed in."""

import pytest
from playwright.sync_api import expect

from accounts.models import Membership, Role
from tests.sso.conftest import acme_sso, oidc_provider  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_in_with_sso_goes_to_the_provider_and_lands_signed_in_on_the_dashboard(
    page,
    live_server,
    oidc_provider,  # noqa: F811
    acme_sso,  # noqa: F811
):
    oidc_provider.sign_in_as("dana@acme.test", name="Dana Scully")
    provider_requests = []
    page.on(
        "request",
        lambda request: (
            provider_requests.append(request.url)
            if request.url.startswith(oidc_provider.issuer)
            else None
        ),
    )
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )

    page.goto(f"{live_server.url}/account/login/")
    page.get_by_label("Work e-mail or organisation").fill("dana@acme.test")
    page.get_by_role("button", name="Sign in with SSO").click()
    page.get_by_role("button", name="Continue to Acme Cloud").click()

    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    assert page.url == f"{live_server.url}/"
    assert any(url.startswith(f"{oidc_provider.issuer}/authorize?") for url in provider_requests)
    assert not violations
    membership = Membership.objects.get(user__email="dana@acme.test")
    assert membership.role == Role.CONTRIBUTOR
