"""Playwright driving Debian's Chromium (never a downloaded browser)."""

import os
import shutil

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
# The flags keep Chromium off the network this machine does not have.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Playwright's sync API runs an event loop in this thread; the test's own ORM calls are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def live_server(django_db_setup, live_server):
    """pytest-django's live server, started only once the test database exists.

    It decides when it starts whether to share the test's own connection with its thread (an
    in-memory SQLite database) or not (our file database). Started before the test database
    (a browser test run first, alone or in a random order), it still saw ":memory:" and
    shared the connection, which its thread then closed under the test: "Cannot operate on a
    closed database", or a segmentation fault in SQLite.
    """
    return live_server


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: bin/test installs it (apt-get install chromium)."
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    # After the live server (and its database) in set-up, so closed before them: a request the
    # page still has in flight (a favicon, an htmx poll) must not reach a server whose
    # database is being flushed, which on SQLite closed the test's own connection under it.
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
