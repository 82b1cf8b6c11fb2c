"""The library per control: the variants each question is answered with across the
organisation's questionnaires, and where they disagree."""

import pytest
from django.urls import reverse

from library import selectors

pytestmark = pytest.mark.django_db


def test_a_control_page_shows_each_variant_with_the_questionnaires_using_it(
    library_world, client, team
):
    client.force_login(team.viewer)

    page = client.get(reverse("library:control", args=["acme", "A&A-01"]))

    assert page.status_code == 200
    first = page.context["questions"][0]
    assert first.code == "A&A-01.1"
    assert first.disagree
    # As many uses each: the one edited last first.
    assert [(v.answer, v.ssrm, [q.name for q in v.questionnaires]) for v in first.variants] == [
        ("No", "CSC-owned", ["Storage 2026"]),
        ("Yes", "CSP-owned", ["Compute 2025"]),
    ]
    assert "Reworded A&amp;A-01.1" in page.text  # the newest catalog's wording
    assert "GLOBEX SECRET" not in page.text


def test_the_overview_marks_the_controls_whose_answers_disagree(library_world, client, team):
    client.force_login(team.viewer)

    page = client.get(reverse("library:overview", args=["acme"]))

    controls = {c["code"]: c for c in page.context["controls"]}
    assert controls["A&A-01"]["disagree"] is True
    assert controls["AIS-01"]["disagree"] is False
    assert controls["A&A-01"]["questionnaires"] == 2
    assert page.context["disagreeing"] == 1


def test_other_organisations_library_pages_are_404(library_world, client, team):
    client.force_login(team.outsider)
    assert client.get(reverse("library:overview", args=["acme"])).status_code == 404
    assert client.get(reverse("library:control", args=["acme", "A&A-01"])).status_code == 404
    # Their own library holds only their own answers.
    own = selectors.control_variants(team.other_org.memberships.get(), "A&A-01")
    assert [v.implementation for q in own for v in q.variants] == ["GLOBEX SECRET"]
