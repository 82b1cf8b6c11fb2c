"""Dates survive a round trip through the browser's date pickers (ISO, whatever the locale)."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import ApiToken, Membership
from accounts.tokens import api_token_create
from evidence.models import Evidence
from evidence.services import evidence_create

from .test_fill_page import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
UNTIL = datetime.date(2027, 12, 24)  # day 24: a locale format (24/12/2027) cannot pass as ISO


def test_editing_only_the_title_of_evidence_keeps_its_dates(page, live_server, team):
    membership = Membership.objects.get(user=team.contributor, organization=team.org)
    item = evidence_create(
        membership=membership,
        user=team.contributor,
        title="Pen test report",
        url="https://example.test/report",
        valid_from=datetime.date(2026, 12, 1),
        valid_until=UNTIL,
    )
    log_in(page, live_server, team.contributor)

    page.goto(f"{live_server.url}/evidence/{item.pk}/")
    expect(page.get_by_label("Valid until")).to_have_value("2027-12-24")
    page.get_by_label("Title").fill("Pen test report 2026")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Pen test report 2026").first).to_be_visible()

    item = Evidence.objects.get(pk=item.pk)
    assert (item.title, item.valid_from, item.valid_until) == (
        "Pen test report 2026",
        datetime.date(2026, 12, 1),
        UNTIL,
    )


def test_editing_only_the_name_of_a_token_keeps_its_expiry(page, live_server, team):
    expires_at = timezone.make_aware(datetime.datetime.combine(UNTIL, datetime.time.min))
    token, _secret = api_token_create(
        name="GRC sync", scope="read", created_by=team.admin, organization=team.org,
        expires_at=expires_at,
    )  # fmt: skip
    log_in(page, live_server, team.admin)

    page.goto(f"{live_server.url}/orgs/acme/tokens/")
    page.get_by_role("link", name="Edit the token GRC sync").click()
    expect(page.get_by_label("Expires on")).to_have_value("2027-12-24")
    page.get_by_label("Name").fill("GRC nightly sync")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The token “GRC nightly sync” is saved.")).to_be_visible()

    token = ApiToken.objects.get(pk=token.pk)
    assert (token.name, token.expires_at) == ("GRC nightly sync", expires_at)
