"""Login lockout behind the TLS proxy: by the client's own address, never the proxy's."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

PROXY = "10.0.0.2"


@pytest.fixture(autouse=True)
def behind_one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    cache.clear()
    yield
    cache.clear()


def log_in(client, email, password, *, client_address, sent_header=""):
    """A login through the proxy, which appends the address it saw to X-Forwarded-For."""
    forwarded = f"{sent_header}, {client_address}" if sent_header else client_address
    return client.post(
        reverse("login"),
        {"username": email, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


def test_an_attacker_cannot_lock_out_the_victim_from_another_address(client, db):
    victim = UserFactory(email="victim@example.test")
    for _ in range(6):
        locked = log_in(client, victim.email, "guess", client_address="198.51.100.9")

    from_home = log_in(client, victim.email, PASSWORD, client_address="203.0.113.7")

    assert locked.status_code == 429
    assert from_home.status_code == 302  # logged in: the proxy's address locked nobody


def test_a_client_cannot_pose_as_another_address_with_its_own_header(client, db):
    victim = UserFactory(email="victim@example.test")
    for _ in range(6):
        # The attacker writes the victim's address into X-Forwarded-For; the proxy appends theirs.
        log_in(client, victim.email, "guess", client_address="198.51.100.9",
               sent_header="203.0.113.7")  # fmt: skip

    assert log_in(client, victim.email, PASSWORD, client_address="203.0.113.7").status_code == 302


def test_one_password_sprayed_over_thirty_accounts_is_stopped(client, db, settings):
    users = [UserFactory(email=f"user{n}@example.test") for n in range(30)]
    statuses = [
        log_in(client, user.email, "Winter2026!", client_address="198.51.100.9").status_code
        for user in users
    ]

    assert statuses[: settings.LOGIN_ADDRESS_FAILURE_LIMIT] == [200] * 20
    assert set(statuses[settings.LOGIN_ADDRESS_FAILURE_LIMIT :]) == {429}
    # Even the right password of an untouched account is refused from that address for now...
    fresh = UserFactory(email="fresh@example.test")
    assert log_in(client, fresh.email, PASSWORD, client_address="198.51.100.9").status_code == 429
    # ...and works from anywhere else.
    assert log_in(client, fresh.email, PASSWORD, client_address="203.0.113.7").status_code == 302
