"""Personas: an organisation with one member per role, and an outsider in another organisation."""

from dataclasses import dataclass

import pytest

from accounts.models import Membership, Organization, Role, User

from .factories import MembershipFactory, OrganizationFactory, UserFactory


@dataclass
class Team:
    org: Organization
    viewer: User
    contributor: User
    reviewer: User
    admin: User
    other_org: Organization
    outsider: User

    def member(self, role: Role) -> User:
        return getattr(self, Role(role).value)


@pytest.fixture
def team(db) -> Team:
    org = OrganizationFactory(name="Acme Cloud", slug="acme")
    users = {}
    for role in Role:
        users[role.value] = MembershipFactory(organization=org, role=role).user
    other = OrganizationFactory(name="Globex", slug="globex")
    outsider = MembershipFactory(organization=other, role=Role.ADMIN).user
    return Team(org=org, other_org=other, outsider=outsider, **users)


@pytest.fixture
def membership_of():
    def get(user: User, org: Organization) -> Membership:
        return Membership.objects.get(user=user, organization=org)

    return get
