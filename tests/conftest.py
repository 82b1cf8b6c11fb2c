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


# --- S3-compatible object storage ---------------------------------------------------------------

S3_REGION = "us-east-1"
S3_KEY = "testing"  # moto accepts any credentials


def s3_config(endpoint: str, bucket: str, location: str = "") -> dict:
    """What config.settings.base.s3_storage builds for these values (tests pin the two)."""
    options = {
        "bucket_name": bucket,
        "endpoint_url": endpoint,
        "region_name": S3_REGION,
        "access_key": S3_KEY,
        "secret_key": S3_KEY,
        "default_acl": "private",
        "querystring_auth": True,
        "file_overwrite": False,
    }
    if location:
        options["location"] = location
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


@pytest.fixture(scope="session")
def s3_endpoint():
    """moto's server on loopback, once per session: a real HTTP S3 API, spoken to by
    django-storages' S3Storage through boto3 exactly as in production."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_bucket(s3_endpoint):
    """A fresh bucket: its name and a boto3 client to look at its objects directly."""
    import uuid

    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name=S3_REGION,
        aws_access_key_id=S3_KEY,
        aws_secret_access_key=S3_KEY,
    )
    name = f"caiq-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=name)
    return name, client
