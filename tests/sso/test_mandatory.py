"""Mandatory single sign-on: the password form refuses the organisation's members."""

import pytest
from django.contrib.auth import get_user
from rest_framework.test import APIClient

from accounts.models import Membership, Role, User
from accounts.services import invitation_create
from tests.api.conftest import make_token
from tests.factories import PASSWORD

from .conftest import configure

pytestmark = pytest.mark.django_db

REFUSAL = "Acme Cloud requires single sign-on: use Sign in with SSO."


@pytest.fixture
def mandatory(team):
    return configure(team.org, enforced=True)


def log_in(client, user, form="/account/login/"):
    return client.post(form, {"username": user.email, "password": PASSWORD})


def test_the_password_form_refuses_a_member_with_one_sentence(client, team, mandatory):
    response = log_in(client, team.contributor)

    assert response.status_code == 200
    assert REFUSAL in response.content.decode()
    assert not get_user(client).is_authenticated


def test_the_refusal_counts_no_failed_login(client, team, mandatory):
    from axes.models import AccessAttempt

    for _ in range(6):
        log_in(client, team.contributor)

    assert not AccessAttempt.objects.exists()


def test_a_wrong_password_still_gets_the_usual_answer_not_the_refusal(client, team, mandatory):
    response = client.post(
        "/account/login/", {"username": team.contributor.email, "password": "wrong"}
    )

    assert REFUSAL not in response.content.decode()
    assert "correct e-mail address and password" in response.content.decode()


def test_a_superuser_member_still_logs_in_with_a_password(client, team, mandatory):
    team.admin.is_superuser = True
    team.admin.save(update_fields=["is_superuser"])

    response = log_in(client, team.admin)

    assert response.status_code == 302
    assert get_user(client) == team.admin


def test_members_of_other_organisations_still_log_in_with_a_password(client, team, mandatory):
    response = log_in(client, team.outsider)

    assert response.status_code == 302
    assert get_user(client) == team.outsider


def test_optional_single_sign_on_leaves_the_password_form_open(client, team, mandatory):
    mandatory.enforced = False
    mandatory.save()

    assert log_in(client, team.contributor).status_code == 302


def test_the_admin_sites_login_refuses_a_staff_member_too(client, team, mandatory):
    team.reviewer.is_staff = True
    team.reviewer.save(update_fields=["is_staff"])

    response = log_in(client, team.reviewer, form="/admin/login/")

    assert REFUSAL in response.content.decode()
    assert not get_user(client).is_authenticated


def test_api_tokens_of_the_organisation_and_its_members_keep_working(team, mandatory):
    for owner in (team.org, team.contributor):
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {make_token(owner, 'read')}")

        assert api.get("/api/v1/questionnaires/").status_code == 200


def test_an_invitee_of_a_mandatory_sso_organisation_gets_no_password_and_is_sent_to_sso(
    client, team, mandatory
):
    _invitation, token = invitation_create(
        organization=team.org,
        email="newbie@acme.test",
        role=Role.CONTRIBUTOR,
        invited_by=team.admin,
        base_url="http://testserver",
    )

    response = client.post(
        f"/invitations/{token}/",
        {"name": "Newbie", "password1": PASSWORD, "password2": PASSWORD},
        follow=True,
    )

    user = User.objects.get(email="newbie@acme.test")
    assert Membership.objects.filter(user=user, organization=team.org).exists()
    assert not user.has_usable_password()
    assert "_auth_user_id" not in client.session
    assert REFUSAL in response.content.decode()
    assert response.redirect_chain[-1][0] == "/account/login/"
