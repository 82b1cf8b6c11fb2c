"""The fill page in a real browser: inline saves, conflicts, review and keyboard use.

The app runs in pytest-django's live server (a thread sharing the test's database), so every
test uses a transactional database and the data it creates is visible to the browser.
"""

import re

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from accounts.models import Membership
from caiq.models import Answer, Questionnaire, ReviewStatus
from caiq.services import answer_update, catalog_import, questionnaire_create
from tests.factories import PASSWORD
from tests.workbooks import sample_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUESTION = "A&A-01.1"
CONFLICT = "Not saved: someone else changed this answer since you loaded it."
# Enough for a round trip to the live server; the textarea save alone waits 900 ms.
SAVE_TIMEOUT = 5_000


def log_in(page: Page, live_server, user) -> None:
    """Log in through the real form, as a person would."""
    page.goto(f"{live_server.url}/account/login/")
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def open_answer(page: Page, live_server, answer: Answer):
    """Open the fill page filtered to the answer's question; return the answer's article."""
    page.goto(f"{live_server.url}/questionnaires/{answer.questionnaire_id}/?q=A%26A-01.1")
    article = page.locator(f"#answer-{answer.pk}")
    expect(article).to_be_visible()
    return article


def saved(page: Page, answer: Answer, revision: int) -> None:
    # The page says "Saved"; the revision it will send next is the form's hidden field.
    expect(page.locator(f"#revision-{answer.pk}")).to_have_value(
        str(revision), timeout=SAVE_TIMEOUT
    )
    expect(page.locator(f"#saved-{answer.pk}")).to_have_text("Saved")


@pytest.fixture
def questionnaire(team) -> Questionnaire:
    version = catalog_import(data=sample_bytes(), filename="sample.xlsx", is_sample=True).version
    return questionnaire_create(
        membership=Membership.objects.get(user=team.admin, organization=team.org),
        version=version,
        name="Acme Storage 2026",
        service_name="Acme Object Storage",
    )


@pytest.fixture
def answer(questionnaire) -> Answer:
    return questionnaire.answers.select_related("questionnaire").get(question__code=QUESTION)


@pytest.fixture
def completed_answer(team, answer) -> Answer:
    """An answer the contributor filled in completely: a reviewer may approve it."""
    return answer_update(
        answer=answer,
        membership=Membership.objects.get(user=team.contributor, organization=team.org),
        user=team.contributor,
        values={
            "answer": "Yes",
            "ssrm": "CSP-owned",
            "implementation": "Audits run every year by an external firm.",
        },
        base_revision=answer.revision,
    )


@pytest.fixture
def second_page(browser):
    """A second, independent browser session (its own cookies), as another person would have."""
    context: BrowserContext = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_an_answer_saved_inline_is_there_after_a_reload(page, live_server, team, answer):
    log_in(page, live_server, team.contributor)
    article = open_answer(page, live_server, answer)

    article.get_by_label("CSP CAIQ answer").select_option("Yes")
    saved(page, answer, 2)
    article.get_by_label("SSRM control ownership").select_option("Shared CSP and CSC")
    saved(page, answer, 3)
    article.get_by_label("CSP implementation description").fill("Annual external audit.")
    saved(page, answer, 4)
    page.reload()

    article = page.locator(f"#answer-{answer.pk}")
    expect(article.get_by_label("CSP CAIQ answer")).to_have_value("Yes")
    expect(article.get_by_label("SSRM control ownership")).to_have_value("Shared CSP and CSC")
    expect(article.get_by_label("CSP implementation description")).to_have_value(
        "Annual external audit."
    )
    answer.refresh_from_db()
    assert (answer.answer, answer.ssrm, answer.implementation, answer.revision) == (
        "Yes",
        "Shared CSP and CSC",
        "Annual external audit.",
        4,
    )
    assert answer.updated_by == team.contributor


def test_a_stale_save_in_a_second_session_shows_the_conflict(
    page, second_page, live_server, team, answer
):
    log_in(page, live_server, team.contributor)
    log_in(second_page, live_server, team.reviewer)
    first = open_answer(page, live_server, answer)
    second = open_answer(second_page, live_server, answer)

    first.get_by_label("CSP CAIQ answer").select_option("No")
    saved(page, answer, 2)
    second.get_by_label("CSP CAIQ answer").select_option("Yes")

    second = second_page.locator(f"#answer-{answer.pk}")
    alert = second.get_by_role("alert").filter(has_text=CONFLICT)
    expect(alert).to_be_visible(timeout=SAVE_TIMEOUT)
    expect(alert).to_contain_text(team.contributor.get_full_name())
    expect(alert).to_contain_text("“No”")
    # The second person's input is kept so they can decide, and nothing of theirs was written.
    expect(second.get_by_label("CSP CAIQ answer")).to_have_value("Yes")
    answer.refresh_from_db()
    assert (answer.answer, answer.revision, answer.updated_by) == ("No", 2, team.contributor)


def test_a_reviewer_approves_an_answer(page, live_server, team, completed_answer):
    log_in(page, live_server, team.reviewer)
    article = open_answer(page, live_server, completed_answer)

    article.get_by_role("button", name="Approve", exact=True).click()

    expect(page.locator(f"#review-{completed_answer.pk}")).to_have_text("Approved")
    completed_answer.refresh_from_db()
    assert completed_answer.review_status == ReviewStatus.APPROVED
    assert completed_answer.changes.latest("revision").changed_by == team.reviewer


def test_a_contributor_cannot_approve(page, live_server, team, completed_answer):
    log_in(page, live_server, team.contributor)
    article = open_answer(page, live_server, completed_answer)
    expect(article.get_by_role("button", name="Ready for review")).to_be_visible()
    expect(article.get_by_role("button", name="Approve", exact=True)).to_have_count(0)
    token = article.locator("input[name=csrfmiddlewaretoken]").first.input_value()
    revision = completed_answer.revision

    response = page.request.post(
        f"{live_server.url}/questionnaires/{completed_answer.questionnaire_id}"
        f"/answers/{completed_answer.pk}/review/approve/",
        form={"csrfmiddlewaretoken": token},
        headers={"HX-Request": "true", "X-CSRFToken": token},
    )

    assert response.status == 400
    assert "Only a reviewer or above can approve" in response.text()
    completed_answer.refresh_from_db()
    assert completed_answer.review_status == ReviewStatus.IN_PROGRESS
    assert completed_answer.revision == revision


def test_the_fill_page_is_usable_with_the_keyboard(page, live_server, team, answer):
    log_in(page, live_server, team.contributor)
    article = open_answer(page, live_server, answer)
    labels = [
        "CSP CAIQ answer",
        "SSRM control ownership",
        "CSP implementation description",
        "CSC responsibilities",
        "Internal notes",
    ]
    fields = [article.get_by_label(label) for label in labels]

    fields[0].focus()
    for field in fields[1:]:
        page.keyboard.press("Tab")
        expect(field).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(fields[-2]).to_be_focused()

    # Every control of the answer has an accessible name, not only the five fields above.
    controls = article.locator("select, textarea, button, input:not([type=hidden])")
    assert controls.count() >= len(labels) + 1
    for control in controls.all():
        expect(control).to_have_accessible_name(re.compile(r"\w"))
    # And the keyboard alone saves: type-ahead on the focused select picks "Yes".
    fields[0].focus()
    page.keyboard.press("y")
    saved(page, answer, 2)
    answer.refresh_from_db()
    assert answer.answer == "Yes"


def test_typing_in_any_text_area_saves_without_leaving_it(page, live_server, team, answer):
    log_in(page, live_server, team.contributor)
    article = open_answer(page, live_server, answer)

    article.get_by_label("Internal notes").press_sequentially("Ask the SOC team", delay=20)

    saved(page, answer, 2)
    expect(article.get_by_label("Internal notes")).to_be_focused()
    answer.refresh_from_db()
    assert answer.internal_notes == "Ask the SOC team"
