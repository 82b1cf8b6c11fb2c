"""Personas: an organisation with one member per role, and an outsider in another organisation."""

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from accounts.models import Membership, Organization, Role, User

from .factories import MembershipFactory, OrganizationFactory
from .workbooks import LAYOUT_SAMPLE


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


def layout_sample_path() -> Path:
    """CSA's v4.0.3 workbook with every CSA text replaced by placeholders (shared/caiq/).

    shared/ sits beside the repository (CAIQ_SHARED_DIR overrides that).
    """
    default = Path(__file__).resolve().parents[2] / "shared"
    path = Path(os.environ.get("CAIQ_SHARED_DIR", default)) / "caiq" / LAYOUT_SAMPLE
    if not path.exists():
        pytest.fail(f"{path} is missing: the shared folder must sit beside the repository.")
    return path


@pytest.fixture
def layout_sample() -> Path:
    return layout_sample_path()
