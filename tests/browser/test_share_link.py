"""A share link in Chromium: the admin makes it, a visitor with no account confirms an e-mail
address with the code we mail, accepts the NDA, reads the answers, downloads CSA's workbook,
and the admin sees every step in the link's access log."""

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from tests.sharing.conftest import (  # noqa: F401
    admin_membership,
    shared_questionnaire,
    small_catalog,
    small_questionnaire,
)

from .test_fill_page import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_shares_and_a_visitor_passes_the_gates_reads_and_downloads(
    page: Page,
    browser,
    live_server,
    team,
    shared_questionnaire,  # noqa: F811
):
    log_in(page, live_server, team.admin)
    page.goto(f"{live_server.url}/questionnaires/{shared_questionnaire.pk}/share/")
    page.get_by_label("Shared with").fill("Initech procurement")
    page.get_by_label("Only these e-mail domains").fill("initech.example")
    page.get_by_label("NDA to accept").fill("Acme-NDA: what you read stays with you.")
    page.get_by_role("button", name="Create link").click()
    url = page.locator("#share-url").input_value()
    assert re.fullmatch(rf"{re.escape(live_server.url)}/share/[\w-]{{43}}/", url)

    visitor = browser.new_context().new_page()  # no session, no account
    visitor.goto(url)
    expect(visitor.get_by_text("Acme-Share-Customer-Duty")).to_have_count(0)
    visitor.get_by_role("textbox", name="E-mail address").fill("peter@initech.example")
    visitor.get_by_role("button", name="Send me a code").click()
    code = re.search(r"Your code: (\d{6})", mail.outbox[-1].body).group(1)
    visitor.get_by_role("textbox", name="Code").fill(code)
    visitor.get_by_role("button", name="Confirm").click()
    expect(visitor.locator("#nda-text")).to_contain_text("Acme-NDA")
    visitor.get_by_label(re.compile("I accept this agreement")).check()
    visitor.get_by_role("button", name="Accept and continue").click()

    expect(visitor.get_by_role("heading", name="Customer responsibilities")).to_be_visible()
    expect(visitor.get_by_text("Acme-Share-Customer-Duty")).to_be_visible()
    with visitor.expect_download() as download:
        visitor.locator("#workbook-download").click()
    assert download.value.suggested_filename.endswith(".xlsx")

    page.get_by_role("link", name="Initech procurement").click()
    log = page.locator("#access-log")
    for step in ("Asked for a code", "Confirmed an e-mail address", "Accepted the NDA"):
        expect(log).to_contain_text(step)
    expect(log).to_contain_text("Viewed the answers")
    expect(log).to_contain_text("Downloaded the workbook")
    expect(log).to_contain_text("peter@initech.example")
