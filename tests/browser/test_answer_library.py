"""Reusing an earlier answer from the library with the keyboard alone (Chromium)."""

import pytest
from playwright.sync_api import expect

from caiq.models import AnswerChange, ChangeSource
from tests.caiq import conftest as caiq_fixtures
from tests.library import worlds

from .test_fill_page import SAVE_TIMEOUT, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# The library's world: three questionnaires over two catalog versions (tests.library.worlds).
small_catalog = caiq_fixtures.small_catalog
library_world = worlds.library_world
QUESTION = worlds.QUESTION


def test_a_library_answer_is_reused_with_the_keyboard(page, live_server, team, library_world):
    w = library_world
    target = w.answer(w.new)
    log_in(page, live_server, team.contributor)
    page.goto(f"{live_server.url}/questionnaires/{w.new.pk}/?domain=A%26A")
    page.locator(f"#answer-{target.pk}-value").focus()

    page.keyboard.press("l")  # open the question's library: the first suggestion takes the focus
    first = page.locator(f"#answer-{target.pk} .library [data-action=reuse]").first
    expect(first).to_be_focused()
    page.evaluate("window.stillThisPage = true")  # a full page load would lose it
    expect(page.locator(f"#answer-{target.pk} .library .suggestion").first).to_contain_text(
        "Compute 2025"
    )
    page.keyboard.press("Enter")

    answer_select = page.locator(f"#answer-{target.pk}-value")
    expect(answer_select).to_have_value("Yes", timeout=SAVE_TIMEOUT)
    expect(page.locator(f"#answer-{target.pk}-impl")).to_have_value(f"Old way for {QUESTION}")
    expect(answer_select).to_be_focused()  # back where the user was, in the new card
    assert page.evaluate("window.stillThisPage") is True  # swapped in place by htmx
    change = AnswerChange.objects.get(answer=target)
    assert (change.source, change.reused_from_id) == (ChangeSource.LIBRARY, w.old.pk)


def test_the_library_panel_opens_with_tab_and_enter(page, live_server, team, library_world):
    w = library_world
    target = w.answer(w.new)
    log_in(page, live_server, team.contributor)
    page.goto(f"{live_server.url}/questionnaires/{w.new.pk}/?domain=A%26A")
    summary = page.locator(f"#answer-{target.pk} .library summary")
    summary.focus()

    page.keyboard.press("Enter")
    expect(page.locator(f"#answer-{target.pk} .library .suggestion")).to_have_count(2)
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # past the first suggestion, to the second: Storage 2026's
    page.keyboard.press("Enter")

    expect(page.locator(f"#answer-{target.pk}-value")).to_have_value("No", timeout=SAVE_TIMEOUT)
    expect(page.locator(f"#answer-{target.pk}-ssrm")).to_have_value("CSC-owned")


def test_the_fill_pages_chart_arrives_when_its_overview_opens(
    page, live_server, team, library_world
):
    w = library_world
    log_in(page, live_server, team.contributor)
    page.goto(f"{live_server.url}/questionnaires/{w.new.pk}/")
    assert page.locator("#answers-by-domain").count() == 0

    page.get_by_text("Answers by domain", exact=True).click()

    chart = page.locator("#answers-by-domain svg")
    expect(chart).to_be_visible()
    expect(page.locator("#answers-by-domain-table tbody tr")).to_have_count(3)
