"""The gap analysis page in Chromium: the charts render as images with titles, and each bar says
the numbers of the table under it."""

import re

import pytest
from playwright.sync_api import Page, expect

from frameworks.models import Framework
from frameworks.services import ccm_import
from tests.caiq.conftest import admin_membership, small_catalog, small_questionnaire  # noqa: F401
from tests.frameworks.ccm_workbook import ccm_bytes
from tests.frameworks.test_gap_analysis import ISO, OTHER, ROWS, answer

from .test_fill_page import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def bars_and_table(page: Page, chart_id: str) -> tuple[set[str], set[str]]:
    """What the bars' tooltips say, and the same facts read from the chart's table."""
    chart = page.locator(f"#{chart_id}")
    bars = set(chart.locator("svg rect title").all_text_contents())
    headers = chart.locator("thead th").all_text_contents()[1:-1]  # the parts, not the total
    facts = set()
    for row in chart.locator("tbody tr").all():
        label = row.locator("th").text_content()
        cells = row.locator("td").all_text_contents()[:-1]
        facts |= {
            f"{label}: {n} {part}" for part, n in zip(headers, cells, strict=True) if n != "0"
        }
    return bars, facts


def test_the_gap_analysis_charts_render_with_the_numbers_of_their_tables(
    page: Page,
    live_server,
    team,
    small_questionnaire,  # noqa: F811
):
    ccm_import(data=ccm_bytes([ISO, OTHER], ROWS), filename="ccm.xlsx")
    answer(small_questionnaire, "A&A-01", "Yes")
    answer(small_questionnaire, "AIS-01", "Yes")
    iso = Framework.objects.get(name=ISO)
    log_in(page, live_server, team.viewer)

    page.goto(f"{live_server.url}/questionnaires/{small_questionnaire.pk}/gaps/?framework={iso.pk}")

    expect(page.get_by_role("img", name=re.compile("requirements by CCM domain"))).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("Coverage per framework"))).to_be_visible()
    expect(page.locator("#gap-coverage")).to_have_text("33%")
    for chart_id in ("coverage-by-domain", "coverage-by-framework"):
        bars, facts = bars_and_table(page, chart_id)
        assert bars == facts, chart_id
        assert bars  # something was drawn
    assert "AIS: 1 Uncovered" in bars_and_table(page, "coverage-by-domain")[0]
