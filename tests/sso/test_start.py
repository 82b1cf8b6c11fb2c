"""Finding the organisation's provider: "Sign in with SSO" on the login page, and the
organisation's own sign-in page."""

import pytest

from tests.test_security_headers import INLINE_CODE, STRICT, policy

from .conftest import configure

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme_config(team):
    return configure(team.org)


def test_the_login_page_offers_sign_in_with_sso(client, db):
    page = client.get("/account/login/").content.decode()

    assert 'action="/sso/"' in page
    assert "Sign in with SSO" in page


@pytest.mark.parametrize("typed", ["Dana@ACME.test", "acme"])
def test_an_address_or_the_organisations_name_leads_to_its_sign_in_page(client, acme_config, typed):
    response = client.post("/sso/", {"identifier": typed, "next": "/questionnaires/"})

    assert response.status_code == 302
    assert response["Location"] == "/sso/acme/login/?next=%2Fquestionnaires%2F"


def test_an_address_no_organisation_claims_is_told_so(client, acme_config):
    response = client.post("/sso/", {"identifier": "someone@globex.test"})

    assert response.status_code == 400
    assert "No organisation signs in with single sign-on" in response.content.decode()


def test_a_switched_off_configuration_is_not_found(client, acme_config):
    acme_config.enabled = False
    acme_config.save()

    assert client.post("/sso/", {"identifier": "dana@acme.test"}).status_code == 400


def test_the_sign_in_page_lets_its_form_reach_only_the_provider_besides_this_site(
    client, team, oidc_provider
):
    configure(team.org, issuer=oidc_provider.issuer)

    response = client.get("/sso/acme/login/?next=/evidence/")

    assert response.status_code == 200
    header = policy(response.headers["Content-Security-Policy"])
    assert header == {**STRICT, "form-action": f"'self' {oidc_provider.issuer}"}
    page = response.content.decode()
    assert 'action="/sso/oidc/org-acme/login/"' in page
    assert 'name="next" value="/evidence/"' in page
    assert not INLINE_CODE.search(page)


def test_an_unreachable_provider_is_said_so_on_the_sign_in_page(client, team):
    configure(team.org, issuer="http://127.0.0.1:9")  # the discard port: nothing answers

    response = client.get("/sso/acme/login/")

    assert response.status_code == 503
    assert "identity provider does not answer" in response.content.decode()
    assert policy(response.headers["Content-Security-Policy"]) == STRICT


def test_allauths_own_login_url_sends_a_get_to_the_organisations_sign_in_page(client, acme_config):
    response = client.get("/sso/oidc/org-acme/login/?next=/evidence/")

    assert response.status_code == 302
    assert response["Location"] == "/sso/acme/login/?next=%2Fevidence%2F"
    assert client.get("/sso/oidc/org-nobody/login/").status_code == 404


def test_starting_the_flow_needs_the_csrf_token(acme_config):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)

    assert strict.post("/sso/oidc/org-acme/login/", {"process": "login"}).status_code == 403
