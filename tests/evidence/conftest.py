"""Evidence personas and items, all made through evidence.services like the pages make them.

The questionnaire fixtures come from tests/caiq/conftest.py; other evidence test modules keep
their own fixtures in the module.
"""

import datetime
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Membership
from evidence.models import Evidence
from evidence.services import evidence_create
from tests.caiq.conftest import (  # noqa: F401  (fixtures, re-exported for these tests)
    admin_membership,
    questionnaire,
    sample_catalog,
    small_catalog,
    small_questionnaire,
)

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def pdf_file(name: str = "policy.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def days_from_today(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


@pytest.fixture
def contributor_membership(team) -> Membership:
    return Membership.objects.get(user=team.contributor, organization=team.org)


@pytest.fixture
def outsider_membership(team) -> Membership:
    return Membership.objects.get(user=team.outsider, organization=team.other_org)


@pytest.fixture
def make_evidence(team, contributor_membership) -> Callable[..., Evidence]:
    """An item of Acme (or of ``membership``'s organisation): a PDF unless ``url`` is given."""

    def make(
        title: str = "Security policy",
        *,
        membership: Membership | None = None,
        url: str = "",
        valid_until: datetime.date | None = None,
        valid_from: datetime.date | None = None,
        content: bytes | None = None,
    ) -> Evidence:
        membership = membership or contributor_membership
        upload = None if url else pdf_file(f"{title}.pdf", content or PDF + title.encode())
        return evidence_create(
            membership=membership,
            user=membership.user,
            title=title,
            upload=upload,
            url=url,
            valid_from=valid_from,
            valid_until=valid_until,
        )

    return make


@pytest.fixture
def globex_evidence(outsider_membership, make_evidence) -> Evidence:
    """Another organisation's file: never visible to Acme's members."""
    return make_evidence("Globex secret audit", membership=outsider_membership)


@pytest.fixture
def store(settings, tmp_path):
    """Evidence storage on a fresh local folder, returned so tests can tamper with it."""
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path, "base_url": None},
        },
    }
    return tmp_path


@pytest.fixture
def contributor(team) -> Membership:
    return Membership.objects.get(user=team.contributor, organization=team.org)


def upload(membership: Membership, name: str, data: bytes) -> Evidence:
    return evidence_create(
        membership=membership,
        user=membership.user,
        title=name,
        upload=SimpleUploadedFile(name, data),
    )
