"""Signing in through an organisation's OpenID Connect provider (a real one, on loopback)."""

import pytest
from django.contrib.auth import get_user

from accounts.models import Membership, Role, User
from audit.models import AuditEvent, EventKind
from tests.factories import MembershipFactory, UserFactory

from .conftest import configure, sso_sign_in

pytestmark = pytest.mark.django_db


def test_a_first_sign_in_creates_the_account_and_a_membership_with_the_default_role(
    client, oidc_provider, acme_sso
):
    oidc_provider.sign_in_as("Dana@Acme.test", name="Dana Scully")

    response = sso_sign_in(client, oidc_provider)

    assert response.status_code == 302
    assert response["Location"] == "/"
    user = User.objects.get(email="dana@acme.test")
    assert get_user(client) == user
    assert user.name == "Dana Scully"
    assert not user.has_usable_password()
    membership = Membership.objects.get(user=user)
    assert (membership.organization, membership.role) == (acme_sso.organization, Role.CONTRIBUTOR)
    event = AuditEvent.objects.get(kind=EventKind.MEMBER_JOINED, target_label=user.email)
    assert event.details == {"role": "contributor", "via": "single sign-on"}


def test_a_second_sign_in_reuses_the_account_and_keeps_a_role_changed_since(
    client, oidc_provider, acme_sso
):
    oidc_provider.sign_in_as("dana@acme.test", sub="subject-42")
    sso_sign_in(client, oidc_provider)
    Membership.objects.filter(user__email="dana@acme.test").update(role=Role.VIEWER)
    client.logout()

    response = sso_sign_in(client, oidc_provider)

    assert response.status_code == 302
    assert User.objects.filter(email__iexact="dana@acme.test").count() == 1
    assert get_user(client).email == "dana@acme.test"
    membership = Membership.objects.get(user__email="dana@acme.test")
    assert membership.role == Role.VIEWER


def test_an_existing_member_signs_in_to_their_own_account_and_keeps_their_role(
    client, oidc_provider, acme_sso, team
):
    member = MembershipFactory(
        organization=team.org, role=Role.ADMIN, user=UserFactory(email="boss@acme.test")
    ).user
    oidc_provider.sign_in_as("boss@acme.test")

    response = sso_sign_in(client, oidc_provider)

    assert response.status_code == 302
    assert get_user(client) == member
    assert Membership.objects.get(user=member, organization=team.org).role == Role.ADMIN
    assert User.objects.filter(email__iexact="boss@acme.test").count() == 1


def test_an_address_outside_the_allowed_domains_is_refused_and_nothing_is_created(
    client, oidc_provider, acme_sso
):
    oidc_provider.sign_in_as("eve@elsewhere.test")
    users, memberships = User.objects.count(), Membership.objects.count()

    response = sso_sign_in(client, oidc_provider)

    assert response.status_code == 403
    assert "eve@elsewhere.test is not in a domain Acme Cloud allows to sign in." in (
        response.content.decode()
    )
    assert not get_user(client).is_authenticated
    assert (User.objects.count(), Membership.objects.count()) == (users, memberships)


def test_an_address_the_provider_did_not_verify_is_refused_and_nothing_is_created(
    client, oidc_provider, acme_sso
):
    oidc_provider.sign_in_as("mallory@acme.test", verified=False)

    response = sso_sign_in(client, oidc_provider)

    assert response.status_code == 403
    assert "identity provider did not confirm your e-mail address" in response.content.decode()
    assert not get_user(client).is_authenticated
    assert not User.objects.filter(email="mallory@acme.test").exists()


def test_an_existing_account_outside_the_organisation_is_not_taken_over(
    client, oidc_provider, acme_sso
):
    stranger = UserFactory(email="stranger@acme.test")
    oidc_provider.sign_in_as("stranger@acme.test")

    response = sso_sign_in(client, oidc_provider)

    assert response.status_code == 403
    assert "ask an admin of Acme Cloud to invite you" in response.content.decode()
    assert not get_user(client).is_authenticated
    assert not stranger.memberships.exists()


def test_a_superusers_account_never_signs_in_through_a_provider(
    client, oidc_provider, acme_sso, team
):
    root = MembershipFactory(
        organization=team.org,
        user=UserFactory(email="root@acme.test", is_superuser=True, is_staff=True),
    ).user
    oidc_provider.sign_in_as("root@acme.test")

    response = sso_sign_in(client, oidc_provider)

    assert response.status_code == 403
    assert not get_user(client).is_authenticated
    assert not root.socialaccount_set.exists()


def test_a_switched_off_configuration_has_no_sign_in_page(client, oidc_provider, acme_sso):
    acme_sso.enabled = False
    acme_sso.save()

    assert client.get("/sso/acme/login/").status_code == 404
    assert client.post("/sso/oidc/org-acme/login/", {"process": "login"}).status_code == 404


def test_a_new_issuer_forgets_the_links_made_through_the_old_one(client, oidc_provider, acme_sso):
    oidc_provider.sign_in_as("dana@acme.test", sub="1")
    sso_sign_in(client, oidc_provider)
    dana = User.objects.get(email="dana@acme.test")
    assert dana.socialaccount_set.filter(provider="org-acme", uid="1").exists()

    configure(
        acme_sso.organization,
        issuer="https://login.microsoftonline.test/acme/v2.0",
        client_id="caiq-acme",
        client_secret=None,
        default_role=Role.CONTRIBUTOR,
    )

    assert not dana.socialaccount_set.exists()
    assert Membership.objects.filter(user=dana).exists()
