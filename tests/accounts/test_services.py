import hashlib
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts import services
from accounts.models import Invitation, Membership, Role
from tests.factories import UserFactory

BASE_URL = "https://caiq.example.test"


def create_invitation(team, email="bob@example.test", role=Role.CONTRIBUTOR):
    return services.invitation_create(
        organization=team.org, email=email, role=role, invited_by=team.admin, base_url=BASE_URL
    )


def test_creating_an_organisation_makes_its_owner_admin(db):
    owner = UserFactory()

    org = services.organization_create(name="Initech", slug="initech", owner=owner)

    assert Membership.objects.get(organization=org, user=owner).role == Role.ADMIN


def test_an_organisation_slug_is_unique(team):
    with pytest.raises(ValidationError) as error:
        services.organization_create(name="Acme again", slug="acme", owner=team.viewer)

    assert "slug" in str(error.value) or "already exists" in str(error.value)


def test_an_invitation_stores_only_a_hash_of_its_token_and_lasts_seven_days(team):
    invitation, token = create_invitation(team)

    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in invitation.token_hash
    assert len(token) >= 32
    lifetime = invitation.expires_at - timezone.now()
    assert timedelta(days=6, hours=23) < lifetime <= timedelta(days=7)


def test_the_invitation_email_carries_an_absolute_link(
    team, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _, token = create_invitation(team)

    assert f"{BASE_URL}/invitations/{token}/" in mailoutbox[0].body


def test_no_email_leaves_before_the_invitation_is_committed(team, mailoutbox):
    create_invitation(team)

    assert mailoutbox == []


def test_only_an_admin_can_invite(team):
    with pytest.raises(PermissionDenied):
        services.invitation_create(
            organization=team.org,
            email="bob@example.test",
            role=Role.VIEWER,
            invited_by=team.reviewer,
            base_url=BASE_URL,
        )


def test_an_invitation_needs_a_real_role(team):
    with pytest.raises(ValidationError):
        create_invitation(team, role="owner")


def test_an_unknown_token_is_refused_clearly(team):
    with pytest.raises(ValidationError) as error:
        services.invitation_accept(token="nope", user=team.viewer)

    assert error.value.code == "unknown"


def test_accepting_with_another_email_is_refused(team):
    _, token = create_invitation(team, email="bob@example.test")

    with pytest.raises(ValidationError) as error:
        services.invitation_accept(token=token, user=team.outsider)

    assert error.value.code == "email_mismatch"


def test_an_expired_invitation_cannot_be_accepted(team):
    invitation, token = create_invitation(team)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())

    with pytest.raises(ValidationError) as error:
        services.invitation_accept(token=token, user=UserFactory(email="bob@example.test"))

    assert error.value.code == "expired"


def test_accepting_keeps_the_role_of_someone_already_in_the_organisation(team):
    bob = UserFactory(email="bob@example.test")
    _, token = create_invitation(team, email=bob.email, role=Role.VIEWER)
    # Bob was added some other way between the invitation and the click.
    Membership.objects.create(user=bob, organization=team.org, role=Role.REVIEWER)

    membership = services.invitation_accept(token=token, user=bob)

    assert membership.role == Role.REVIEWER


def test_an_accepted_invitation_cannot_be_revoked(team):
    bob = UserFactory(email="bob@example.test")
    invitation, token = create_invitation(team)
    services.invitation_accept(token=token, user=bob)
    invitation.refresh_from_db()

    with pytest.raises(ValidationError):
        services.invitation_revoke(invitation=invitation, revoked_by=team.admin)


def test_demoting_the_last_admin_is_refused(team, membership_of):
    with pytest.raises(ValidationError) as error:
        services.membership_change_role(
            membership=membership_of(team.admin, team.org), role=Role.VIEWER, changed_by=team.admin
        )

    assert error.value.code == "last_admin"


def test_removing_the_last_admin_is_refused(team, membership_of):
    with pytest.raises(ValidationError):
        services.membership_remove(
            membership=membership_of(team.admin, team.org), removed_by=team.admin
        )


def test_a_non_admin_cannot_change_roles(team, membership_of):
    with pytest.raises(PermissionDenied):
        services.membership_change_role(
            membership=membership_of(team.viewer, team.org),
            role=Role.ADMIN,
            changed_by=team.viewer,
        )


def test_an_admin_of_another_organisation_cannot_remove_members(team, membership_of):
    with pytest.raises(PermissionDenied):
        services.membership_remove(
            membership=membership_of(team.viewer, team.org), removed_by=team.outsider
        )
