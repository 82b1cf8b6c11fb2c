"""Every page on a phone (390 x 844): nothing scrolls sideways, and the header is a menu.

The pages are the ones a signed-in admin reaches, with data on them (answers, a comment, an
assignment, an evidence item, tokens, audit events), plus the signed-out ones. One test visits
them all and names every page that overflows, so a failure lists the whole damage at once.
"""

import datetime
import re

import pytest
from playwright.sync_api import Page, expect

from accounts.models import Membership, Role
from accounts.tokens import api_token_create
from caiq.models import QuestionnaireStatus
from caiq.services import answer_update, answers_assign, comment_add, questionnaire_create
from evidence.models import EvidenceLink
from evidence.services import evidence_create
from sharing.services import share_link_create
from tests.caiq.conftest import admin_membership, small_catalog, small_questionnaire  # noqa: F401
from tests.evidence.conftest import pdf_file, store  # noqa: F401
from tests.factories import PASSWORD, MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
# A long word with nowhere to break, as people paste them (URLs, file names, hashes).
UNBROKEN = "https://trust.example.test/policies/" + "information-security-" * 6 + "policy.pdf"


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def world(team, small_questionnaire, store) -> dict:  # noqa: F811
    """Acme's admin (also staff, and in a second organisation: the fullest header) with data."""
    admin = team.admin
    admin.is_staff = admin.is_superuser = True
    admin.save(update_fields=["is_staff", "is_superuser"])
    MembershipFactory(organization=team.other_org, user=admin, role=Role.VIEWER)
    membership = Membership.objects.get(user=admin, organization=team.org)
    answer = small_questionnaire.answers.select_related("questionnaire").first()
    answer = answer_update(
        answer=answer,
        membership=membership,
        user=admin,
        values={"answer": "Yes", "ssrm": "CSP-owned", "implementation": f"See {UNBROKEN}"},
        base_revision=answer.revision,
    )
    comment_add(answer=answer, membership=membership, user=admin, body=f"Source: {UNBROKEN}")
    answers_assign(
        answers=small_questionnaire.answers.all(),
        assignee=admin,
        membership=membership,
        user=admin,
    )
    evidence = evidence_create(
        membership=membership,
        user=admin,
        title="Information security policy",
        description=f"Published at {UNBROKEN}",
        upload=pdf_file(),
    )
    EvidenceLink.objects.create(evidence=evidence, answer=answer, linked_by=admin)
    token, _ = api_token_create(name="GRC sync", scope="read", created_by=admin, user=admin)
    # A visitor's view of a shared questionnaire, with an unbroken string in an answer.
    shared = questionnaire_create(
        membership=membership, version=small_questionnaire.version, name="Shared", service_name="S"
    )
    shared.answers.update(answer="Yes", ssrm="CSC-owned", csc_responsibilities=f"See {UNBROKEN}")
    shared.status = QuestionnaireStatus.APPROVED
    shared.save(update_fields=["status"])
    _link, share_token = share_link_create(
        questionnaire=shared,
        membership=membership,
        user=admin,
        recipient="Initech",
        expires_at=answer.updated_at + datetime.timedelta(days=7),
    )
    return {
        "share": share_token,
        "q": small_questionnaire.pk,
        "answer": answer.pk,
        "evidence": evidence.pk,
        "token": token.pk,
        "version": small_questionnaire.version.caiq_version,
    }


SIGNED_IN_PAGES = (
    "/",
    "/questionnaires/",
    "/questionnaires/new/",
    "/questionnaires/{q}/",
    "/questionnaires/{q}/?domain=AIS",
    "/questionnaires/{q}/copy/",
    "/questionnaires/{q}/transfer/",
    "/questionnaires/{q}/readiness/",
    "/questionnaires/{q}/gaps/",
    "/questionnaires/{q}/answers/{answer}/history/",
    "/questionnaires/{q}/answers/{answer}/library/",
    "/questionnaires/{q}/fill-from/",
    "/questionnaires/{q}/chart/",
    "/questionnaires/{q}/responsibilities/",
    "/questionnaires/{q}/share/",
    "/questionnaires/mine/",
    "/catalog/",
    "/catalog/v{version}/",
    "/catalog/import/",
    "/frameworks/",
    "/frameworks/import/",
    "/evidence/",
    "/evidence/{evidence}/",  # its edit form too: /edit/ takes only the form's POST
    "/orgs/acme/members/",
    "/orgs/acme/tokens/",
    "/orgs/acme/audit/",
    "/orgs/acme/consistency/",
    "/orgs/acme/library/",
    "/orgs/acme/webhooks/",
    "/orgs/acme/shares/",
    "/orgs/acme/sso/",
    "/orgs/acme/library/A&A-01/",
    "/account/tokens/",
    "/account/tokens/{token}/",
    "/account/password_change/",
)
SIGNED_OUT_PAGES = ("/account/login/", "/account/password_reset/", "/sso/", "/share/{share}/")

OVERFLOW = """() => {
  const width = window.innerWidth;
  if (document.documentElement.scrollWidth <= width) return null;
  // Name the culprits: elements reaching past the right edge whose parent does not, leaving out
  // what a box scrolling on its own holds.
  const scrolled = (e) => {
    for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== "visible") return true;
    }
    return false;
  };
  const culprits = [...document.querySelectorAll("body *")]
    .filter((e) => e.getBoundingClientRect().right > width + 1 && !scrolled(e))
    .filter((e) => e.parentElement.getBoundingClientRect().right <= width + 1)
    .slice(0, 3)
    .map((e) => `${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""}.${e.className}`);
  return `${document.documentElement.scrollWidth}px wide (${culprits.join(", ")})`;
}"""


def log_in(page: Page, live_server, user) -> None:
    page.goto(f"{live_server.url}/account/login/")
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    # The menu (a button on a phone, the header's row on a laptop) is there only signed in.
    expect(page.locator("#site-menu")).to_be_attached()


def overflows(page: Page, live_server, paths) -> list[str]:
    """The pages wider than the screen, each with its width and what sticks out."""
    wide = []
    for path in paths:
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
        problem = page.evaluate(OVERFLOW)
        if problem:
            wide.append(f"{path}: {problem}")
    return wide


# A phone, and a tablet or a laptop window beside another (the header's menu, tables scrolling).
@pytest.mark.parametrize("width", [390, 768])
def test_no_page_scrolls_sideways_on_a_small_screen(phone, live_server, team, world, width):
    phone.set_viewport_size({"width": width, "height": PHONE["height"]})
    failed = []
    phone.on(
        "response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None
    )
    wide = overflows(phone, live_server, [path.format(**world) for path in SIGNED_OUT_PAGES])
    log_in(phone, live_server, team.admin)
    paths = [path.format(**world) for path in SIGNED_IN_PAGES]

    wide += overflows(phone, live_server, paths)

    assert not wide, f"Pages wider than a {width} px screen:\n" + "\n".join(wide)
    assert not failed, "Requests that failed (the favicon, a stylesheet…):\n" + "\n".join(failed)


def test_the_header_is_a_menu_whose_links_work_on_a_phone(phone, live_server, team, world):
    log_in(phone, live_server, team.admin)
    menu = phone.get_by_role("button", name="Menu")
    evidence = phone.get_by_role("navigation", name="Main").get_by_role("link", name="Evidence")

    expect(menu).to_be_visible()
    expect(evidence).to_be_hidden()
    menu.click()
    expect(evidence).to_be_visible()
    expect(phone.get_by_role("button", name="Log out")).to_be_visible()
    expect(phone.get_by_role("link", name="API tokens")).to_be_visible()
    for link in phone.locator("#site-menu a").all():
        assert inside_the_screen(link), link.inner_text()
        assert contrast(link) >= 4.5, f"{link.inner_text()}: contrast {contrast(link):.2f}"
    evidence.click()

    expect(phone).to_have_url(re.compile(r"/evidence/$"))
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Evidence")


def test_the_menu_opens_and_closes_from_the_keyboard(phone, live_server, team, world):
    log_in(phone, live_server, team.admin)
    menu = phone.get_by_role("button", name="Menu")
    links = phone.locator("nav[aria-label=Main]")

    menu.focus()
    phone.keyboard.press("Enter")
    expect(links).to_be_visible()
    phone.keyboard.press("Escape")
    expect(links).to_be_hidden()
    phone.keyboard.press("Enter")
    phone.keyboard.press("Tab")

    expect(phone.get_by_role("link", name="Dashboard")).to_be_focused()


@pytest.mark.parametrize("width", [1280, 1025])
def test_on_a_laptop_the_header_shows_its_links_without_a_menu(
    page, live_server, team, world, width
):
    page.set_viewport_size({"width": width, "height": 800})
    log_in(page, live_server, team.admin)

    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    for name in ("Dashboard", "Evidence", "Members", "Admin", "API tokens"):
        link = page.get_by_role("link", name=name, exact=True)
        expect(link).to_be_visible()
        assert contrast(link) >= 4.5, f"{name}: contrast {contrast(link):.2f}"
    assert page.evaluate(OVERFLOW) is None


def test_the_fill_page_puts_the_domains_above_the_questions_on_a_phone(
    phone, live_server, team, world
):
    log_in(phone, live_server, team.admin)
    phone.goto(f"{live_server.url}/questionnaires/{world['q']}/")
    domains = phone.get_by_role("complementary", name="Domains")
    questions = phone.get_by_role("region", name="Questions")

    domains_box, questions_box = domains.bounding_box(), questions.bounding_box()

    assert domains_box["y"] + domains_box["height"] <= questions_box["y"]
    assert domains_box["height"] < 120, "a compact picker, not the desktop's long list"
    domains.get_by_role("link", name=re.compile(r"^BCR")).click()
    expect(phone).to_have_url(re.compile(r"domain=BCR"))


def inside_the_screen(locator) -> bool:
    box = locator.bounding_box()
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]


# WCAG's contrast ratio of an element's text colour on the first opaque background behind it.
CONTRAST = """(element) => {
  const rgb = (c) => c.match(/[\\d.]+/g).map(Number);
  const luminance = ([r, g, b]) => {
    const [R, G, B] = [r, g, b].map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * R + 0.7152 * G + 0.0722 * B;
  };
  let node = element, background = null;
  while (node && !background) {
    const color = rgb(getComputedStyle(node).backgroundColor);
    if (color.length < 4 || color[3] === 1) background = color;
    if (color.length === 4 && color[3] === 0) background = null;
    node = node.parentElement;
  }
  background = background || [255, 255, 255];
  const [a, b] = [luminance(rgb(getComputedStyle(element).color)), luminance(background)];
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


def contrast(locator) -> float:
    return locator.evaluate(CONTRAST)
