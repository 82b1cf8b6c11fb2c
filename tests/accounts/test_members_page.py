import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Invitation, Membership, Role
from tests.factories import MembershipFactory

from .conftest import INVITATION_LINK


def members_url(org) -> str:
    return reverse("members", args=[org.slug])


def role_url(membership) -> str:
    return reverse("member_change_role", args=[membership.organization.slug, membership.pk])


def remove_url(membership) -> str:
    return reverse("member_remove", args=[membership.organization.slug, membership.pk])


def test_a_member_sees_everyone_in_the_organisation(client, team):
    client.force_login(team.viewer)

    response = client.get(members_url(team.org))

    assert response.status_code == 200
    for person in (team.viewer, team.contributor, team.reviewer, team.admin):
        assert person.email.encode() in response.content
    assert team.outsider.email.encode() not in response.content


def test_a_member_who_is_not_admin_sees_no_management_forms(client, team):
    client.force_login(team.reviewer)

    response = client.get(members_url(team.org))

    assert b"Send invitation" not in response.content
    assert b"Change role" not in response.content


def test_an_admin_sees_the_management_forms(client, team):
    client.force_login(team.admin)

    response = client.get(members_url(team.org))

    assert b"Send invitation" in response.content
    assert b"Change role" in response.content


def test_an_outsider_gets_404_for_another_organisations_members(client, team):
    client.force_login(team.outsider)

    assert client.get(members_url(team.org)).status_code == 404


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CONTRIBUTOR, Role.REVIEWER])
def test_a_member_below_admin_cannot_invite(client, team, mailoutbox, role):
    client.force_login(team.member(role))

    response = client.post(members_url(team.org), {"email": "new@example.test", "role": "viewer"})

    assert response.status_code == 403
    assert not Invitation.objects.exists()
    assert mailoutbox == []


def test_a_viewer_cannot_change_roles_or_remove_members(client, team, membership_of):
    client.force_login(team.viewer)
    target = membership_of(team.contributor, team.org)

    assert client.post(role_url(target), {"role": "admin"}).status_code == 403
    assert client.post(remove_url(target)).status_code == 403
    target.refresh_from_db()
    assert target.role == Role.CONTRIBUTOR


def test_an_outsider_cannot_manage_another_organisation(client, team, membership_of):
    client.force_login(team.outsider)
    target = membership_of(team.contributor, team.org)

    assert client.post(remove_url(target)).status_code == 404
    assert client.post(members_url(team.org), {"email": "x@example.test"}).status_code == 404
    assert Membership.objects.filter(pk=target.pk).exists()


def test_an_admin_invitation_sends_one_email_with_an_accept_link(
    client, team, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(team.admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            members_url(team.org), {"email": "New.Person@Example.test", "role": "reviewer"}
        )

    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["new.person@example.test"]
    assert "Acme Cloud" in mailoutbox[0].subject
    page = client.get(members_url(team.org))
    assert b"new.person@example.test" in page.content
    link = INVITATION_LINK.search(mailoutbox[0].body).group(1)
    client.logout()
    assert b"Create account and join" in client.get(link).content


def test_inviting_someone_who_is_already_a_member_is_refused(client, team, mailoutbox):
    client.force_login(team.admin)

    response = client.post(members_url(team.org), {"email": team.viewer.email, "role": "admin"})

    assert response.status_code == 400
    assert b"already a member" in response.content
    assert not Invitation.objects.exists()
    assert mailoutbox == []


def test_an_admin_revokes_a_pending_invitation(client, team, invite):
    link = invite(by=team.admin, org=team.org, email="new@example.test")
    client.force_login(team.admin)
    invitation = Invitation.objects.get()

    response = client.post(reverse("invitation_revoke", args=[team.org.slug, invitation.pk]))

    assert response.status_code == 302
    assert not Invitation.objects.exists()
    assert client.get(link).status_code == 404


def test_an_admin_changes_a_members_role(client, team, membership_of):
    client.force_login(team.admin)
    target = membership_of(team.viewer, team.org)

    response = client.post(role_url(target), {"role": "reviewer"})

    assert response.status_code == 302
    target.refresh_from_db()
    assert target.role == Role.REVIEWER


def test_the_last_admin_cannot_be_demoted(client, team, membership_of):
    client.force_login(team.admin)
    own = membership_of(team.admin, team.org)

    response = client.post(role_url(own), {"role": "viewer"}, follow=True)

    own.refresh_from_db()
    assert own.role == Role.ADMIN
    assert b"only admin" in response.content


def test_an_admin_can_step_down_once_someone_else_is_admin(client, team, membership_of):
    client.force_login(team.admin)
    client.post(role_url(membership_of(team.reviewer, team.org)), {"role": "admin"})
    own = membership_of(team.admin, team.org)

    client.post(role_url(own), {"role": "contributor"})

    own.refresh_from_db()
    assert own.role == Role.CONTRIBUTOR


def test_the_last_admin_cannot_be_removed(client, team, membership_of):
    client.force_login(team.admin)
    own = membership_of(team.admin, team.org)

    response = client.post(remove_url(own), follow=True)

    assert Membership.objects.filter(pk=own.pk).exists()
    assert b"only admin" in response.content


def test_an_admin_removes_a_member(client, team, membership_of):
    client.force_login(team.admin)
    target = membership_of(team.contributor, team.org)

    response = client.post(remove_url(target))

    assert response.url == members_url(team.org)
    assert not Membership.objects.filter(pk=target.pk).exists()


def test_a_member_of_another_organisation_cannot_be_targeted(client, team, membership_of):
    client.force_login(team.admin)
    foreign = membership_of(team.outsider, team.other_org)

    response = client.post(
        reverse("member_remove", args=[team.org.slug, foreign.pk]),
    )

    assert response.status_code == 404
    assert Membership.objects.filter(pk=foreign.pk).exists()


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_members_page_costs_the_same_queries_for_3_or_30_members(
    client, team, invite, django_assert_max_num_queries
):
    invite(by=team.admin, org=team.org, email="pending@example.test")
    client.force_login(team.admin)
    with django_assert_max_num_queries(7):
        client.get(members_url(team.org))
    small = count_queries(client, members_url(team.org))

    MembershipFactory.create_batch(26, organization=team.org, role=Role.VIEWER)
    for n in range(5):
        invite(by=team.admin, org=team.org, email=f"pending{n}@example.test")
    client.force_login(team.admin)

    assert count_queries(client, members_url(team.org)) == small
