from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from accounts.middleware import SESSION_KEY
from accounts.models import Invitation, Membership, Role, User
from tests.factories import PASSWORD, UserFactory

NEW_PASSWORD = "a brand new passphrase 42"


def signup(client, link, **overrides):
    data = {"name": "Nora New", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    return client.post(link, {**data, **overrides})


def test_a_new_person_signs_up_from_the_invitation_and_joins(client, team, invite):
    link = invite(by=team.admin, org=team.org, email="nora@example.test", role="reviewer")

    form = client.get(link)
    response = signup(client, link)

    assert b"Create account and join" in form.content
    assert response.status_code == 302
    assert response.url == reverse("home")
    nora = User.objects.get(email="nora@example.test")
    assert nora.name == "Nora New"
    assert nora.check_password(NEW_PASSWORD)
    assert Membership.objects.get(user=nora).role == Role.REVIEWER
    assert client.session["_auth_user_id"] == str(nora.pk)
    assert client.session[SESSION_KEY] == team.org.pk
    assert Invitation.objects.get().accepted_by == nora


def test_the_signup_form_applies_the_password_validators(client, team, invite):
    link = invite(by=team.admin, org=team.org, email="nora@example.test")

    response = signup(client, link, password1="12345678", password2="12345678")

    assert response.status_code == 200
    assert b"too common" in response.content
    assert not User.objects.filter(email="nora@example.test").exists()


def test_the_signup_form_needs_the_password_twice_alike(client, team, invite):
    link = invite(by=team.admin, org=team.org, email="nora@example.test")

    response = signup(client, link, password2="something else entirely 9")

    assert response.status_code == 200
    assert not User.objects.filter(email="nora@example.test").exists()


def test_a_logged_in_invitee_confirms_and_joins(client, team, invite):
    bob = UserFactory(email="bob@example.test")
    link = invite(by=team.admin, org=team.org, email="bob@example.test", role="contributor")
    client.force_login(bob)

    confirm = client.get(link)
    response = client.post(link)

    assert b"Accept the invitation" in confirm.content
    assert response.url == reverse("home")
    assert Membership.objects.get(user=bob, organization=team.org).role == Role.CONTRIBUTOR
    assert client.session[SESSION_KEY] == team.org.pk
    assert b"Acme Cloud" in client.get(reverse("home")).content


def test_viewing_the_link_does_not_accept_it(client, team, invite):
    bob = UserFactory(email="bob@example.test")
    link = invite(by=team.admin, org=team.org, email="bob@example.test")
    client.force_login(bob)

    client.get(link)

    assert not Membership.objects.filter(user=bob, organization=team.org).exists()


def test_an_invitee_with_an_account_is_asked_to_log_in_first(client, team, invite):
    UserFactory(email="bob@example.test")
    link = invite(by=team.admin, org=team.org, email="bob@example.test")

    response = client.get(link)

    assert response.status_code == 200
    assert f'href="{reverse("login")}?next={link.replace("/", "%2F")}"'.encode() in response.content
    assert b"Create account" not in response.content


def test_an_invitee_with_an_account_cannot_sign_up_again(client, team, invite):
    bob = UserFactory(email="bob@example.test")
    link = invite(by=team.admin, org=team.org, email="bob@example.test")

    signup(client, link)

    bob.refresh_from_db()
    assert bob.check_password(PASSWORD)
    assert not Membership.objects.filter(user=bob, organization=team.org).exists()


def test_an_invitation_for_another_address_is_refused(client, team, invite):
    link = invite(by=team.admin, org=team.org, email="bob@example.test")
    client.force_login(team.outsider)

    page = client.get(link)
    response = client.post(link)

    assert page.status_code == 403
    assert response.status_code == 403
    assert b"this invitation is for bob@example.test" in response.content
    assert not Membership.objects.filter(user=team.outsider, organization=team.org).exists()
    assert Invitation.objects.get().accepted_at is None


def test_an_expired_invitation_is_refused(client, team, invite):
    bob = UserFactory(email="bob@example.test")
    link = invite(by=team.admin, org=team.org, email="bob@example.test")
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    client.force_login(bob)

    response = client.post(link)

    assert response.status_code == 410
    assert b"expired" in response.content
    assert not Membership.objects.filter(user=bob, organization=team.org).exists()


def test_an_invitation_works_only_once(client, team, invite):
    bob = UserFactory(email="bob@example.test")
    link = invite(by=team.admin, org=team.org, email="bob@example.test")
    client.force_login(bob)
    client.post(link)

    response = client.get(link)

    assert response.status_code == 410
    assert b"already been used" in response.content


def test_an_unknown_invitation_link_answers_404(client, db):
    response = client.get(reverse("invitation_accept", args=["no-such-token"]))

    assert response.status_code == 404
    assert b"not valid" in response.content


def test_a_new_invitation_replaces_the_earlier_link(client, team, invite):
    first = invite(by=team.admin, org=team.org, email="bob@example.test")
    second = invite(by=team.admin, org=team.org, email="bob@example.test")

    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200
