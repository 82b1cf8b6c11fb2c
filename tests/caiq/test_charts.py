"""Server-drawn charts (config.charts): the numbers, the accessible parts and the escaping;
and the charts on the fill page and the dashboard show the pages' own numbers."""

import re

import pytest
from django.urls import reverse

from caiq.models import Answer
from config.charts import Bar, Part, stacked_bars

PARTS = (Part("Yes", "yes"), Part("No", "no"))


def table_rows(html: str, chart_id: str) -> dict[str, list[str]]:
    """The chart's table: row label -> its cells (the parts, then the total)."""
    table = re.search(rf'<table class="compact" id="{chart_id}-table">(.*?)</table>', html, re.S)
    rows = re.findall(r'<tr><th scope="row">(.*?)</th>(.*?)</tr>', table.group(1), re.S)
    return {label: re.findall(r"<td>(.*?)</td>", cells) for label, cells in rows}


def test_bars_are_split_in_proportion_with_a_title_and_the_numbers_in_a_table():
    html = str(
        stacked_bars("Answers", PARTS, [Bar("A&A", (3, 1)), Bar("BCR", (0, 0))], chart_id="c")
    )

    assert 'role="img" aria-labelledby="c-title"' in html
    assert '<title id="c-title">Answers</title>' in html
    widths = [
        float(w) for w in re.findall(r'<rect class="\w+" x="[\d.]+" y="\d+" width="([\d.]+)"', html)
    ]
    assert widths == [270.0, 90.0]  # 3:1 of the 360 units a bar has; an empty row draws nothing
    assert table_rows(html, "c") == {"A&amp;A": ["3", "1", "4"], "BCR": ["0", "0", "0"]}
    assert "style=" not in html  # the Content-Security-Policy allows no inline style


def test_labels_are_escaped():
    html = str(stacked_bars("<b>", PARTS, [Bar("<script>x</script>", (1, 0))], chart_id="c"))

    assert "<script>" not in html
    assert "&lt;script&gt;" in html


@pytest.mark.django_db
def test_the_fill_page_charts_its_domains_answers(client, team, small_questionnaire):
    Answer.objects.filter(questionnaire=small_questionnaire, question__code="A&A-01.1").update(
        answer="Yes"
    )
    Answer.objects.filter(questionnaire=small_questionnaire, question__code="A&A-01.2").update(
        answer="NA"
    )
    client.force_login(team.viewer)
    chart_url = reverse("caiq:answers_chart", args=[small_questionnaire.pk])

    page = client.get(reverse("caiq:fill", args=[small_questionnaire.pk])).text
    fragment = client.get(chart_url, headers={"HX-Request": "true"}).text
    alone = client.get(chart_url).text

    # The fill page links the chart, fetched when its overview opens (or a page without script).
    assert "answers-by-domain" not in page
    assert f'href="{chart_url}" data-load' in page
    expected = {
        "A&amp;A": ["1", "0", "1", "1", "3"],
        "AIS": ["0", "0", "0", "3", "3"],
        "BCR": ["0", "0", "0", "4", "4"],
    }
    assert table_rows(fragment, "answers-by-domain") == expected
    assert fragment.startswith('<figure class="chart"')
    assert table_rows(alone, "answers-by-domain") == expected
    assert "<!doctype html>" in alone.lower()


@pytest.mark.django_db
def test_another_organisations_fill_chart_is_a_404(client, team, small_questionnaire):
    client.force_login(team.outsider)

    response = client.get(reverse("caiq:answers_chart", args=[small_questionnaire.pk]))

    assert response.status_code == 404


@pytest.mark.django_db
def test_the_dashboard_charts_the_questionnaires_updated_last(client, team, small_questionnaire):
    Answer.objects.filter(
        questionnaire=small_questionnaire, question__code__startswith="AIS"
    ).update(answer="No")
    client.force_login(team.viewer)

    page = client.get(reverse("home")).text

    assert table_rows(page, "answers-recent") == {"Small": ["0", "3", "0", "7", "10"]}
