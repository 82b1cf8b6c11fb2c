"""The Content-Security-Policy in a real browser: no page breaks it, and every page still works.

Each test records the browser's ``securitypolicyviolation`` events (on every document the tab
loads) and uncaught script errors, uses the page as a person would, and ends with both lists
empty. The header itself is checked route by route in tests/test_security_headers.py.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from accounts.models import Role
from caiq.models import Job, JobKind, JobStatus
from tests.caiq.conftest import admin_membership, small_catalog, small_questionnaire  # noqa: F401
from tests.factories import PASSWORD, MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAVE_TIMEOUT = 5_000  # a round trip to the live server; the textarea save alone waits 900 ms
RECORD_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportViolation(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"}` +
    ` at ${event.sourceFile}:${event.lineNumber} (${event.sample})`
  );
});
"""


@pytest.fixture
def problems(page: Page) -> list[str]:
    """CSP violations and uncaught script errors in this tab, as ``"page: what"`` lines."""
    found: list[str] = []
    page.context.expose_binding(
        "reportViolation", lambda source, text: found.append(f"{source['frame'].url}: {text}")
    )
    page.context.add_init_script(RECORD_VIOLATIONS)
    page.on("pageerror", lambda error: found.append(f"{page.url}: script error {error}"))
    page.on(
        "console",
        lambda message: (
            found.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    return found


@pytest.fixture
def questionnaire(small_questionnaire):  # noqa: F811
    """Ten questions: pages render fast and a bar's share is easy to compute."""
    return small_questionnaire


@pytest.fixture
def staff_admin(team):
    """Acme's admin, also staff (for the admin site) and a viewer of Globex (for the switcher)."""
    team.admin.is_staff = team.admin.is_superuser = True
    team.admin.save(update_fields=["is_staff", "is_superuser"])
    MembershipFactory(organization=team.other_org, user=team.admin, role=Role.VIEWER)
    return team.admin


def log_in(page: Page, live_server, user) -> None:
    page.goto(f"{live_server.url}/account/login/")
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def settled(page: Page, problems: list[str], *, expected: str | None = None) -> None:
    """Let late violations (workers, styles injected after load) arrive, then expect none.

    ``expected`` (a regex) names the one a page is allowed, with the reason at the call.
    """
    page.wait_for_load_state("networkidle")
    unexpected = [p for p in problems if not (expected and re.search(expected, p))]
    assert unexpected == []


def bar_fraction(page: Page, bar, rect: str) -> float:
    """How much of a progress bar's width one of its rects fills, as rendered."""
    return bar.evaluate(
        "(svg, rect) => svg.querySelector(rect).getBoundingClientRect().width"
        " / svg.getBoundingClientRect().width",
        rect,
    )


def test_the_fill_page_saves_with_htmx_and_the_list_shows_the_progress(
    page, problems, live_server, team, questionnaire
):
    answer = questionnaire.answers.order_by("question__code").first()
    log_in(page, live_server, team.contributor)
    page.goto(f"{live_server.url}/questionnaires/{questionnaire.pk}/")
    article = page.locator(f"#answer-{answer.pk}")

    article.get_by_label("CSP CAIQ answer").select_option("Yes")
    expect(page.locator(f"#revision-{answer.pk}")).to_have_value("2", timeout=SAVE_TIMEOUT)
    article.get_by_label("CSP implementation description").press_sequentially("Yearly audit.")
    expect(page.locator(f"#revision-{answer.pk}")).to_have_value("3", timeout=SAVE_TIMEOUT)
    page.goto(f"{live_server.url}/questionnaires/")

    answer.refresh_from_db()
    assert (answer.answer, answer.implementation) == ("Yes", "Yearly audit.")
    bar = page.get_by_role("img", name="1 of 10 answered, 0 approved").first
    expect(bar).to_be_visible()
    assert bar_fraction(page, bar, "rect.answered") == pytest.approx(0.1, abs=0.01)
    assert bar_fraction(page, bar, "rect.approved") == 0
    settled(page, problems)


def test_a_running_job_shows_its_progress_bar_while_htmx_polls(
    page, problems, live_server, team, questionnaire
):
    Job.objects.create(
        organization=team.org,
        questionnaire=questionnaire,
        kind=JobKind.EXPORT_JSON,
        status=JobStatus.RUNNING,
        progress=40,
        created_by=team.admin,
    )
    log_in(page, live_server, team.admin)

    page.goto(f"{live_server.url}/questionnaires/{questionnaire.pk}/transfer/")
    bar = page.get_by_role("progressbar", name="Progress")

    expect(bar).to_have_attribute("aria-valuenow", "40")
    assert bar_fraction(page, bar, "rect.answered") == pytest.approx(0.4, abs=0.01)
    with page.expect_response(re.compile(r"/jobs/$")):  # the list polls every second
        pass
    settled(page, problems)


def test_the_organisation_switcher_submits_on_change(page, problems, live_server, staff_admin):
    log_in(page, live_server, staff_admin)
    page.goto(f"{live_server.url}/questionnaires/")

    with page.expect_navigation():
        page.get_by_label("Organisation").select_option("globex")

    expect(page.get_by_label("Organisation")).to_have_value("globex")
    settled(page, problems)


def test_a_new_token_is_selected_when_its_field_is_focused(page, problems, live_server, team):
    log_in(page, live_server, team.admin)
    page.goto(f"{live_server.url}/account/tokens/")
    page.get_by_label("Name").fill("GRC sync")
    page.get_by_role("button", name="Create token").click()

    field = page.get_by_label("Token", exact=True)
    field.focus()

    assert field.evaluate("f => f.selectionStart === 0 && f.selectionEnd === f.value.length")
    assert field.input_value().startswith("caiq_")
    settled(page, problems)


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/", None),
        ("/evidence/", "Evidence"),
        ("/orgs/acme/members/", "Members of Acme Cloud"),
        ("/catalog/", None),
    ],
)
def test_a_page_loads_without_a_violation(
    page, problems, live_server, staff_admin, questionnaire, path, heading
):
    log_in(page, live_server, staff_admin)

    page.goto(f"{live_server.url}{path}")

    expect(page.get_by_role("heading", level=1).first).to_be_visible()
    if heading:
        expect(page.get_by_role("heading", level=1).first).to_contain_text(heading)
    settled(page, problems)


def test_the_login_page_has_no_violation(page, problems, live_server, db):
    page.goto(f"{live_server.url}/account/login/")

    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    settled(page, problems)


def test_the_admin_changelist_and_export_page_work(
    page, problems, live_server, staff_admin, questionnaire
):
    log_in(page, live_server, staff_admin)
    page.goto(f"{live_server.url}/admin/caiq/answer/")
    expect(page.locator("#result_list tbody tr")).to_have_count(10)

    page.goto(f"{live_server.url}/admin/caiq/answer/export/")
    fields = page.locator('.selectable-field-export-row input[type="checkbox"]:visible')
    expect(fields.first).to_be_checked()
    page.get_by_label("Select all").uncheck()

    assert fields.count() > 1
    assert not any(fields.nth(i).is_checked() for i in range(fields.count()))
    settled(page, problems)


def test_swagger_ui_renders_the_operations(page, problems, live_server, staff_admin):
    log_in(page, live_server, staff_admin)

    page.goto(f"{live_server.url}/api/v1/docs/")

    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    assert page.locator(".opblock").count() > 20
    settled(page, problems)


def test_redoc_renders_the_operations(page, problems, live_server, staff_admin):
    log_in(page, live_server, staff_admin)

    page.goto(f"{live_server.url}/api/v1/redoc/")

    expect(page.get_by_role("heading", name=re.compile("CAIQ Manager API"))).to_be_visible()
    expect(page.locator("[data-section-id^='tag/']").first).to_be_attached()
    # ReDoc's bundle always shows Redocly's logo from their CDN (an <img> it hides when it fails
    # to load). Blocking it is the policy working: the docs request nothing from another site.
    settled(
        page, problems, expected=r"(?=.*img-src)(?=.*https://cdn\.redoc\.ly/redoc/logo-mini\.svg)"
    )
    assert problems, "the CDN logo was not even requested: drop the allowance above"
