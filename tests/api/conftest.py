"""Shared API fixtures: an APIClient, tokens for personas or organisations, the caiq fixtures.

``api_as(owner, scope)`` gives a client that sends a fresh token of ``owner`` (a user, acting
as themselves, or an organisation, acting through the token's service account).
"""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.models import Organization, User
from accounts.tokens import api_token_create
from caiq.models import Answer
from caiq.services import answer_update

# Re-exported so that tests/api/* can use the caiq personas' questionnaires.
from tests.caiq.conftest import (  # noqa: F401
    admin_membership,
    questionnaire,
    sample_catalog,
    small_catalog,
    small_questionnaire,
)


@pytest.fixture(autouse=True)
def _fresh_throttle():
    # The throttle counts requests in the cache per token or user id; ids repeat across tests.
    cache.clear()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


def make_token(owner: User | Organization, scope: str = "write") -> str:
    owner_kwarg = {"organization": owner} if isinstance(owner, Organization) else {"user": owner}
    _token, secret = api_token_create(
        name=f"test {scope}", scope=scope, created_by=None, **owner_kwarg
    )
    return secret


@pytest.fixture
def token_for(db):
    """``token_for(org_or_user, scope)`` → the secret of a new token."""
    return make_token


@pytest.fixture
def api_as(db):
    def client_for(owner: User | Organization, scope: str = "write") -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_token(owner, scope)}")
        return client

    return client_for


def edit(target: Answer, membership, /, **values) -> Answer:
    """Save through the service, as another write path would (``answer=`` is a value here)."""
    answer = Answer.objects.select_related("questionnaire", "question").get(pk=target.pk)
    return answer_update(
        answer=answer,
        membership=membership,
        user=membership.user,
        values=values,
        base_revision=answer.revision,
    )
