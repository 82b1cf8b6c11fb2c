import re

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

NEW_PASSWORD = "a brand new passphrase 42"


@pytest.fixture
def alice(db):
    return UserFactory(email="alice@example.test")


def log_in(client, email, password):
    # The test client's login() skips the request that django-axes needs: post the form instead.
    return client.post(reverse("login"), {"username": email, "password": password})


def is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_the_login_page_asks_for_an_email_address(client, db):
    response = client.get(reverse("login"))

    assert response.status_code == 200
    assert b'type="email"' in response.content
    assert b"E-mail address" in response.content


def test_a_user_logs_in_with_email_and_password(client, alice):
    response = log_in(client, "alice@example.test", PASSWORD)

    assert response.status_code == 302
    assert response.url == reverse("home")
    assert is_logged_in(client)


def test_the_email_is_matched_whatever_its_case(client, alice):
    log_in(client, "Alice@Example.TEST", PASSWORD)

    assert is_logged_in(client)


def test_a_wrong_password_is_refused(client, alice):
    response = log_in(client, alice.email, "not the password")

    assert response.status_code == 200
    assert not is_logged_in(client)
    assert b"correct e-mail address and password" in response.content


def test_five_failures_lock_the_account_even_against_the_right_password(client, alice):
    for _ in range(4):
        assert log_in(client, alice.email, "wrong").status_code == 200

    fifth = log_in(client, alice.email, "wrong")
    with_right_password = log_in(client, alice.email, PASSWORD)

    assert fifth.status_code == 429
    assert with_right_password.status_code == 429
    assert b"locked for 15 minutes" in with_right_password.content
    assert not is_logged_in(client)


def test_the_admin_login_locks_out_too(client, alice):
    alice.is_staff = True
    alice.save()
    url = reverse("admin:login")
    for _ in range(5):
        client.post(url, {"username": alice.email, "password": "wrong"})

    response = client.post(url, {"username": alice.email, "password": PASSWORD})

    assert response.status_code == 429
    assert not is_logged_in(client)


def test_the_lockout_is_per_account(client, alice):
    for _ in range(5):
        log_in(client, alice.email, "wrong")
    bob = UserFactory(email="bob@example.test")

    log_in(client, bob.email, PASSWORD)

    assert is_logged_in(client)


def test_logging_out_takes_a_post_and_ends_the_session(client, alice):
    client.force_login(alice)

    refused = client.get(reverse("logout"))
    response = client.post(reverse("logout"))

    assert refused.status_code == 405
    assert response.status_code == 302
    assert response.url == reverse("login")
    assert not is_logged_in(client)


def test_pages_need_a_login(client, db):
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_user_changes_their_password(client, alice):
    client.force_login(alice)

    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert response.url == reverse("password_change_done")
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    assert is_logged_in(client)


def test_a_password_change_needs_the_old_password(client, alice):
    client.force_login(alice)

    response = client.post(
        reverse("password_change"),
        {"old_password": "guess", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 200
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_a_password_reset_mails_a_link_that_sets_a_new_password(client, alice, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": "alice@example.test"})
    assert response.url == reverse("password_reset_done")
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["alice@example.test"]
    link = re.search(r"http://testserver(/account/reset/\S+/)", mailoutbox[0].body).group(1)

    # The link trades its token for a session and redirects to the form.
    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"] is True
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.url == reverse("password_reset_complete")
    log_in(client, alice.email, NEW_PASSWORD)
    assert is_logged_in(client)


def test_a_password_reset_for_an_unknown_address_sends_nothing(client, db, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.test"})

    # Same answer as for a known address: the page must not reveal who has an account.
    assert response.url == reverse("password_reset_done")
    assert mailoutbox == []
