"""The fill page by keyboard, and its counts moving without a reload (Chromium)."""

import pytest
from playwright.sync_api import expect

from accounts.models import Membership
from caiq.models import Answer, ReviewStatus
from caiq.services import answer_mark_ready, answer_update

from . import test_fill_page
from .test_fill_page import SAVE_TIMEOUT, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# The fill page tests' fixtures: a questionnaire of the sample catalog, a second session.
questionnaire = test_fill_page.questionnaire
second_page = test_fill_page.second_page
TEXT = "Audited yearly by an accredited body."


def test_answering_and_marking_ready_takes_five_keys_plus_the_text(
    page, live_server, team, questionnaire
):
    first, second = questionnaire.answers.order_by("question__position")[:2]
    log_in(page, live_server, team.contributor)
    page.goto(f"{live_server.url}/questionnaires/{questionnaire.pk}/")
    page.locator(f"#answer-{first.pk}-value").focus()
    keys = ["y", "1", "e"]

    for key in keys:
        page.keyboard.press(key)
    page.keyboard.type(TEXT)
    for key in ["Escape", "r"]:
        page.keyboard.press(key)
        keys.append(key)

    assert len(keys) <= 6
    expect(page.locator(f"#answer-{second.pk}-value")).to_be_focused()
    expect(page.locator(f"#review-{first.pk}")).to_have_text(
        "Ready for review", timeout=SAVE_TIMEOUT
    )
    first.refresh_from_db()
    assert (first.answer, first.ssrm, first.implementation, first.review_status) == (
        "Yes",
        "CSP-owned",
        TEXT,
        ReviewStatus.READY,
    )


def test_the_shortcuts_are_listed_behind_the_question_mark(page, live_server, team, questionnaire):
    log_in(page, live_server, team.contributor)
    page.goto(f"{live_server.url}/questionnaires/{questionnaire.pk}/")

    page.keyboard.press("?")

    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Next unanswered question")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()


def test_next_unanswered_skips_answered_questions(page, live_server, team, questionnaire):
    first, second, third = questionnaire.answers.order_by("question__position")[:3]
    contributor = Membership.objects.get(user=team.contributor, organization=team.org)
    answer_update(
        answer=Answer.objects.select_related("questionnaire").get(pk=second.pk),
        membership=contributor,
        user=team.contributor,
        values={"answer": "No", "ssrm": "CSC-owned"},
        base_revision=second.revision,
    )
    log_in(page, live_server, team.contributor)
    page.goto(f"{live_server.url}/questionnaires/{questionnaire.pk}/")
    page.locator(f"#answer-{first.pk}-value").focus()

    page.keyboard.press("u")

    expect(page.locator(f"#answer-{third.pk}-value")).to_be_focused()


def test_progress_and_domain_counts_move_after_a_save_and_an_approval(
    page, second_page, live_server, team, questionnaire
):
    first = questionnaire.answers.order_by("question__position").first()
    total = questionnaire.answers.count()
    log_in(page, live_server, team.contributor)
    page.goto(f"{live_server.url}/questionnaires/{questionnaire.pk}/")
    progress = page.locator("#progress")
    expect(progress).to_contain_text(f"0/{total} answered · 0 approved")

    page.locator(f"#answer-{first.pk}-value").select_option("Yes")

    expect(progress).to_contain_text(f"1/{total} answered · 0 approved", timeout=SAVE_TIMEOUT)
    expect(page.locator("#count-aa")).to_contain_text("1/")
    expect(page.locator("#count-all")).to_have_text(f"1/{total}")

    page.locator(f"#answer-{first.pk}-ssrm").select_option("CSP-owned")
    expect(page.locator(f"#revision-{first.pk}")).to_have_value("3", timeout=SAVE_TIMEOUT)
    contributor = Membership.objects.get(user=team.contributor, organization=team.org)
    answer_mark_ready(
        answer=Answer.objects.get(pk=first.pk), membership=contributor, user=team.contributor
    )
    reviewer = second_page  # another browser context: the reviewer's own session
    log_in(reviewer, live_server, team.reviewer)
    reviewer.goto(f"{live_server.url}/questionnaires/{questionnaire.pk}/")
    reviewer.locator(f"#answer-{first.pk}").get_by_role("button", name="Approve").click()

    expect(reviewer.locator("#progress")).to_contain_text(
        f"1/{total} answered · 1 approved", timeout=SAVE_TIMEOUT
    )
    expect(reviewer.locator("#count-aa")).to_contain_text("1✓")


def test_an_answer_edited_in_the_grid_shows_in_card_mode(page, live_server, team, questionnaire):
    first = questionnaire.answers.order_by("question__position").first()
    log_in(page, live_server, team.contributor)
    page.goto(f"{live_server.url}/questionnaires/{questionnaire.pk}/?view=grid")
    row = page.locator(f"#answer-{first.pk}")
    expect(row).to_have_class("answer-row")

    row.get_by_label(f"CSP CAIQ answer for {first.question.code}").select_option("Yes")
    row.get_by_label(f"SSRM control ownership for {first.question.code}").select_option("CSP-owned")
    expect(page.locator(f"#revision-{first.pk}")).to_have_value("3", timeout=SAVE_TIMEOUT)
    expect(page.locator("#progress")).to_contain_text("1/")
    page.get_by_role("link", name="Cards").click()

    card = page.locator(f"article#answer-{first.pk}")
    expect(card.get_by_label("CSP CAIQ answer")).to_have_value("Yes")
    expect(card.get_by_label("SSRM control ownership")).to_have_value("CSP-owned")


def test_the_grid_fits_a_phone(page, live_server, team, questionnaire):
    log_in(page, live_server, team.contributor)
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto(f"{live_server.url}/questionnaires/{questionnaire.pk}/?view=grid")

    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
