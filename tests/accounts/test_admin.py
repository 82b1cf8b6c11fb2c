import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.models import Membership, Role, User
from tests.factories import MembershipFactory, UserFactory

MODEL_PERMISSIONS = [
    f"{action}_{model}"
    for action in ("view", "change", "delete")
    for model in ("organization", "membership", "invitation", "user")
]


@pytest.fixture
def acme_staff(team) -> User:
    """A staff member of Acme (not superuser) holding every accounts model permission."""
    staff = MembershipFactory(
        organization=team.org, role=Role.ADMIN, user=UserFactory(is_staff=True)
    ).user
    staff.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="accounts", codename__in=MODEL_PERMISSIONS
        )
    )
    return staff


@pytest.fixture
def superuser(db) -> User:
    return UserFactory(is_staff=True, is_superuser=True)


def changelist(client, model) -> list:
    response = client.get(reverse(f"admin:accounts_{model}_changelist"))
    assert response.status_code == 200
    return list(response.context["cl"].queryset)


def change_url(obj) -> str:
    return reverse(f"admin:accounts_{obj._meta.model_name}_change", args=[obj.pk])


def test_staff_see_only_their_organisations(client, team, acme_staff):
    client.force_login(acme_staff)

    assert changelist(client, "organization") == [team.org]


def test_staff_see_only_their_organisations_memberships(client, team, acme_staff):
    client.force_login(acme_staff)

    memberships = changelist(client, "membership")

    assert {m.organization for m in memberships} == {team.org}
    assert len(memberships) == 5


def test_staff_see_only_users_who_share_an_organisation(client, team, acme_staff):
    client.force_login(acme_staff)

    users = changelist(client, "user")

    assert team.outsider not in users
    assert set(users) == {team.viewer, team.contributor, team.reviewer, team.admin, acme_staff}


def test_staff_get_404_for_another_organisations_objects(client, team, acme_staff, membership_of):
    client.force_login(acme_staff)

    assert client.get(change_url(team.other_org)).status_code == 404
    assert client.get(change_url(membership_of(team.outsider, team.other_org))).status_code == 404
    assert client.get(change_url(team.outsider)).status_code == 404


def test_staff_open_their_own_organisation(client, team, acme_staff):
    client.force_login(acme_staff)

    response = client.get(change_url(team.org))

    assert response.status_code == 200
    assert team.viewer.email.encode() in response.content


def test_staff_cannot_grant_themselves_superuser(client, team, acme_staff):
    client.force_login(acme_staff)

    response = client.get(change_url(acme_staff))

    assert "is_superuser" not in response.context["adminform"].form.fields


def test_staff_choose_only_among_their_organisations(client, team, acme_staff):
    acme_staff.user_permissions.add(Permission.objects.get(codename="add_membership"))
    client.force_login(acme_staff)

    response = client.get(reverse("admin:accounts_membership_add"))

    fields = response.context["adminform"].form.fields
    assert list(fields["organization"].queryset) == [team.org]
    assert team.outsider not in fields["user"].queryset


def test_the_last_admin_cannot_be_demoted_in_the_admin(client, team, superuser, membership_of):
    client.force_login(superuser)
    sole_admin = membership_of(team.admin, team.org)

    response = client.post(change_url(sole_admin), {"role": "viewer"})

    assert response.status_code == 200
    sole_admin.refresh_from_db()
    assert sole_admin.role == Role.ADMIN


def test_the_invitation_admin_never_shows_the_token_hash(client, team, superuser, invite):
    invite(by=team.admin, org=team.org, email="bob@example.test")
    client.force_login(superuser)
    invitation = team.org.invitations.get()

    response = client.get(change_url(invitation))

    assert response.status_code == 200
    assert invitation.token_hash.encode() not in response.content


def test_a_superuser_sees_every_organisation(client, team, superuser):
    client.force_login(superuser)

    assert set(changelist(client, "organization")) == {team.org, team.other_org}
    assert len(changelist(client, "membership")) == Membership.objects.count()
    assert client.get(change_url(team.other_org)).status_code == 200


def test_a_superuser_adds_a_user_by_email(client, superuser):
    client.force_login(superuser)

    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "Carol@Example.test",
            "name": "Carol",
            "usable_password": "true",
            "password1": "a brand new passphrase 42",
            "password2": "a brand new passphrase 42",
        },
    )

    assert response.status_code == 302
    assert User.objects.get(email="carol@example.test").check_password("a brand new passphrase 42")


def test_staff_cannot_add_users_outside_invitations(client, acme_staff):
    acme_staff.user_permissions.add(Permission.objects.get(codename="add_user"))
    client.force_login(acme_staff)

    assert client.get(reverse("admin:accounts_user_add")).status_code == 403


def test_staff_can_view_but_not_edit_a_fellow_members_account(client, team, acme_staff):
    client.force_login(acme_staff)

    page = client.get(change_url(team.viewer))
    response = client.post(change_url(team.viewer), {"email": "taken@example.test"})
    password = client.get(reverse("admin:auth_user_password_change", args=[team.viewer.pk]))

    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert response.status_code == 403
    assert password.status_code == 403
    team.viewer.refresh_from_db()
    assert team.viewer.email != "taken@example.test"
