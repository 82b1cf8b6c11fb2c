"""Personas: an organisation with one member per role, and an outsider in another organisation."""

from dataclasses import dataclass
from pathlib import Path

import pytest

from accounts.models import Membership, Organization, Role, User

from .conformance.shared import missing_reason
from .factories import MembershipFactory, OrganizationFactory
from .workbooks import OFFICIAL_FILENAME, official_bytes

# The conformance group runs only where the CSA-faithful samples are (tests/conformance/shared.py).
collect_ignore = ["conformance"] if missing_reason() else []


def pytest_report_header(config):
    return missing_reason()


def pytest_terminal_summary(terminalreporter):
    if reason := missing_reason():
        terminalreporter.write_line(f"SKIPPED {reason}", yellow=True)


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


@pytest.fixture
def official_workbook(tmp_path) -> Path:
    """A file named like CSA's v4.0.3 download, built by the project (tests.workbooks)."""
    path = tmp_path / OFFICIAL_FILENAME
    path.write_bytes(official_bytes())
    return path
