"""A questionnaire's gap analysis against one framework, with known answers (frameworks.gaps,
frameworks.selectors, the page and its exports)."""

import csv
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from caiq.models import Answer, Questionnaire
from frameworks.models import Framework
from frameworks.selectors import gap_analysis
from frameworks.services import ccm_import

from .ccm_workbook import ccm_bytes

pytestmark = pytest.mark.django_db

ISO = "ISO/IEC 27001:2022, 27002:2022"
OTHER = "NIST 800-53 rev 5"
# The small catalog's controls: A&A-01 (3 questions), AIS-01 (2), AIS-02 (1), BCR-01 (4).
ROWS = [
    ("A&A-01", "Audit & Assurance", {ISO: ("27001: A.5.35", "No Gap", "")}),
    ("AIS-01", "Application & Interface Security", {ISO: ("27001: A.5.35", "Partial Gap", "")}),
    ("AIS-02", "Application & Interface Security", {ISO: ("27001: 5.1", "No Gap", "")}),
    ("BCR-01", "Business Continuity", {ISO: ("27001: A.5.36", "Full Gap", "x")}),
]


@pytest.fixture
def iso(db) -> Framework:
    ccm_import(data=ccm_bytes([ISO, OTHER], ROWS), filename="ccm.xlsx")
    return Framework.objects.get(name=ISO)


def answer(questionnaire, prefix: str, value: str, ssrm: str = "CSP-owned") -> None:
    Answer.objects.filter(questionnaire=questionnaire, question__code__startswith=prefix).update(
        answer=value, ssrm=ssrm
    )


def states(analysis) -> dict[str, tuple[str, list[str]]]:
    return {r.code: (r.status, r.reasons) for r in analysis.requirements}


def test_every_question_of_the_mapped_controls_answered_yes_covers_a_requirement(
    iso, small_questionnaire
):
    answer(small_questionnaire, "A&A-01", "Yes")
    answer(small_questionnaire, "AIS-01", "Yes")

    analysis = gap_analysis(small_questionnaire, iso)

    assert states(analysis) == {
        "27001: 5.1": ("uncovered", ["AIS-02: 1 unanswered"]),
        "27001: A.5.35": ("covered", []),
        "27001: A.5.36": ("uncovered", ["BCR-01: Full Gap", "BCR-01: 4 unanswered"]),
    }
    covered = analysis.requirements[1]
    assert covered.partial_gap  # AIS-01's mapping is a Partial Gap: covered, and said so
    assert (analysis.covered, len(analysis.uncovered), analysis.coverage_percent) == (1, 2, 33)


def test_one_no_or_na_uncovers_it_and_a_full_gap_stays_uncovered_whatever_the_answers(
    iso, small_questionnaire
):
    answer(small_questionnaire, "A&A-01", "Yes")
    answer(small_questionnaire, "AIS-01", "Yes")
    answer(small_questionnaire, "BCR-01", "Yes")
    Answer.objects.filter(questionnaire=small_questionnaire, question__code="A&A-01.2").update(
        answer="No"
    )
    Answer.objects.filter(questionnaire=small_questionnaire, question__code="AIS-01.1").update(
        answer="NA"
    )

    found = states(gap_analysis(small_questionnaire, iso))

    assert found["27001: A.5.35"] == ("uncovered", ["A&A-01: 1 No", "AIS-01: 1 NA"])
    assert found["27001: A.5.36"] == ("uncovered", ["BCR-01: Full Gap"])


def test_filters_by_domain_and_owner(iso, small_questionnaire):
    answer(small_questionnaire, "AIS-02", "Yes", ssrm="Shared CSP and CSC")
    analysis = gap_analysis(small_questionnaire, iso)

    assert [r.code for r in analysis.filtered(domain="BCR")] == ["27001: A.5.36"]
    assert [r.code for r in analysis.filtered(owner="Shared CSP and CSC")] == ["27001: 5.1"]
    assert [r.code for r in analysis.filtered(status="covered")] == ["27001: 5.1"]
    assert len(analysis.filtered(status="uncovered")) == 2
    assert set(analysis.by_domain) == {"A&A", "AIS", "BCR"}


def page(client, questionnaire, **params):
    return client.get(reverse("frameworks:gap_analysis", args=[questionnaire.pk]), params)


def test_the_page_shows_coverage_and_every_requirement(client, team, iso, small_questionnaire):
    answer(small_questionnaire, "A&A-01", "Yes")
    answer(small_questionnaire, "AIS-01", "Yes")
    client.force_login(team.viewer)

    response = page(client, small_questionnaire)

    assert response.status_code == 200
    text = response.text
    assert '<strong id="gap-coverage">33%</strong> of 3 requirements' in text
    assert '<span id="gap-covered">1</span>' in text
    assert text.count('<th scope="row">27001: ') == 3


def test_the_query_count_does_not_grow_with_the_number_of_requirements(
    client, team, small_questionnaire
):
    many = [
        (c, d, {ISO: ("\n".join(f"27001: A.{c}.{n}" for n in range(40)), "No Gap", "")})
        for c, d, _cells in ROWS
    ]
    ccm_import(data=ccm_bytes([ISO], ROWS, version="v4.0.11"), filename="few.xlsx")
    ccm_import(data=ccm_bytes([ISO], many, version="v4.0.12"), filename="many.xlsx")
    few, lots = Framework.objects.order_by("ccm_version__version")
    client.force_login(team.viewer)
    page(client, small_questionnaire, framework=few.pk)  # warm the session

    counts = []
    for framework in (few, lots):
        with CaptureQueriesContext(connection) as queries:
            response = page(client, small_questionnaire, framework=framework.pk)
        counts.append(len(queries))
        assert response.status_code == 200

    assert lots.requirements.count() == 160
    assert counts[0] == counts[1] <= 10


def test_the_xlsx_and_csv_exports_have_one_row_per_requirement(
    client, team, iso, small_questionnaire
):
    answer(small_questionnaire, "A&A-01", "Yes")
    Answer.objects.filter(questionnaire=small_questionnaire, question__code="AIS-01.1").update(
        answer="No", ssrm="CSC-owned"
    )
    client.force_login(team.viewer)

    xlsx = page(client, small_questionnaire, format="xlsx")
    as_csv = page(client, small_questionnaire, format="csv", domain="BCR")

    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert 'attachment; filename="gap-analysis-small-' in xlsx["Content-Disposition"]
    assert [row[:3] for row in rows] == [
        ("27001: 5.1", "uncovered", "no"),
        ("27001: A.5.35", "uncovered", "yes"),
        ("27001: A.5.36", "uncovered", "no"),
    ]
    assert rows[1][3] == "A&A-01 (no gap)\nAIS-01 (partial gap)"
    assert "AIS-01.1: No (CSC-owned)" in rows[1][4]
    lines = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert [line[0] for line in lines] == ["Requirement", "27001: A.5.36"]


def test_another_organisations_questionnaire_is_a_404(client, team, iso, small_questionnaire):
    client.force_login(team.outsider)

    assert page(client, small_questionnaire).status_code == 404
    assert page(client, small_questionnaire, format="csv").status_code == 404


def test_without_imported_mappings_the_page_says_how_to_get_them(client, team, small_questionnaire):
    client.force_login(team.viewer)

    response = page(client, small_questionnaire)

    assert response.status_code == 200
    assert "No framework mappings yet" in response.text


def test_an_unknown_framework_is_a_404(client, team, iso, small_questionnaire):
    client.force_login(team.viewer)

    assert page(client, small_questionnaire, framework="999999").status_code == 404
    assert page(client, small_questionnaire, framework="x").status_code == 404
    assert page(client, small_questionnaire, framework="²").status_code == 404
    assert page(client, small_questionnaire, framework="9" * 30).status_code == 404


API = "/api/v1/questionnaires/{}/gap-analysis/"


def test_the_api_serves_the_same_analysis_filtered(api_as, team, iso, small_questionnaire):
    answer(small_questionnaire, "A&A-01", "Yes")
    answer(small_questionnaire, "AIS-01", "Yes")
    client = api_as(team.viewer, "read")

    frameworks = client.get("/api/v1/frameworks/").json()
    body = client.get(API.format(small_questionnaire.pk), {"framework": iso.pk}).json()
    bcr = client.get(
        API.format(small_questionnaire.pk), {"framework": iso.pk, "domain": "BCR"}
    ).json()

    assert [f["name"] for f in frameworks] == [ISO, OTHER]
    assert (body["requirements_total"], body["covered"], body["uncovered"]) == (3, 1, 2)
    assert body["coverage_percent"] == 33
    covered = body["requirements"][1]
    assert (covered["code"], covered["status"], covered["partial_gap"]) == (
        "27001: A.5.35",
        "covered",
        True,
    )
    assert covered["controls"][0]["questions"][0] == {
        "code": "A&A-01.1",
        "answer": "Yes",
        "ssrm": "CSP-owned",
    }
    assert [r["code"] for r in bcr["requirements"]] == ["27001: A.5.36"]
    uncovered = client.get(
        API.format(small_questionnaire.pk), {"framework": iso.pk, "status": "uncovered"}
    ).json()
    assert [r["code"] for r in uncovered["requirements"]] == ["27001: 5.1", "27001: A.5.36"]


def test_the_api_defaults_to_the_first_framework_and_hides_other_organisations(
    api_as, team, iso, small_questionnaire
):
    mine, theirs = api_as(team.viewer, "read"), api_as(team.outsider, "read")

    default = mine.get(API.format(small_questionnaire.pk)).json()
    bad_owner = mine.get(API.format(small_questionnaire.pk), {"owner": "Nobody"})
    hidden = theirs.get(API.format(small_questionnaire.pk), {"framework": iso.pk})

    assert default["framework"]["name"] == ISO
    assert bad_owner.status_code == 400
    assert hidden.status_code == 404


def test_the_api_answers_an_empty_analysis_before_any_import(api_as, team, small_questionnaire):
    body = api_as(team.viewer, "read").get(API.format(small_questionnaire.pk)).json()

    assert body == {
        "framework": None,
        "requirements_total": 0,
        "covered": 0,
        "uncovered": 0,
        "coverage_percent": 0,
        "requirements": [],
    }


def test_the_xlsx_title_from_a_name_like_a_formula_stays_text(
    client, team, iso, small_questionnaire
):
    Questionnaire.objects.filter(pk=small_questionnaire.pk).update(name="=HYPERLINK(1)")
    client.force_login(team.viewer)

    xlsx = page(client, small_questionnaire, format="xlsx")

    title = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active["A1"]
    assert title.data_type == "s"
    assert title.value.startswith("'=HYPERLINK(1)")
