"""The API throttle counts in the cache; with the cache down it lets requests through, loudly."""

import logging
import socket

import pytest
from django.test import override_settings

from accounts.api.authentication import TokenRateThrottle

pytestmark = pytest.mark.django_db

URL = "/api/v1/questionnaires/"


def test_the_api_answers_unthrottled_with_a_warning_while_the_cache_is_down(api_as, team, caplog):
    client = api_as(team.viewer, "read")
    with socket.socket() as nothing_listens:
        nothing_listens.bind(("127.0.0.1", 0))
        location = f"redis://127.0.0.1:{nothing_listens.getsockname()[1]}/0"
        redis = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": location}
        with (
            override_settings(CACHES={"default": redis}),
            caplog.at_level(logging.WARNING, logger="accounts.api.authentication"),
        ):
            responses = [client.get(URL) for _ in range(2)]

    assert [response.status_code for response in responses] == [200, 200]
    warnings = [r for r in caplog.records if r.name == "accounts.api.authentication"]
    assert len(warnings) == 2
    assert warnings[0].levelno == logging.WARNING
    assert "the cache is unreachable" in warnings[0].getMessage()
    assert "Connection refused" in warnings[0].getMessage()


def test_with_the_cache_up_the_throttle_still_refuses_requests_over_the_rate(
    api_as, team, monkeypatch
):
    monkeypatch.setattr(TokenRateThrottle, "rate", "2/minute", raising=False)
    client = api_as(team.viewer, "read")

    statuses = [client.get(URL).status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
