# ruff: noqa: F811  (fixtures imported from tests/evidence/conftest.py)
"""The evidence change feed: an item comes back whenever what the API shows of it changes:
its fields, a new version, a link to an answer added or removed. Same cursor rules as the
answers' feed (tests/api/test_answer_change_feed.py, which holds the concurrency tests)."""

import pytest

from evidence.services import evidence_add_version, evidence_link, evidence_unlink, evidence_update
from tests.evidence.conftest import (  # noqa: F401
    contributor_membership,
    make_evidence,
    outsider_membership,
    pdf_file,
    store,
)

FEED = "/api/v1/evidence/changes/"
# Committed writes, as in production (see the answers' feed tests).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("store")]


def pull(client, cursor: str = "") -> tuple[dict[int, dict], str]:
    """Pull until nothing more is ready: the last copy of each item seen, and the cursor."""
    seen: dict[int, dict] = {}
    while True:
        body = client.get(FEED, {"cursor": cursor, "limit": 2}).json()
        seen.update({row["id"]: row for row in body["results"]})
        cursor = body["cursor"]
        if not body["more"]:
            return seen, cursor


def test_a_first_pull_returns_every_item_of_the_callers_organisations_only(
    api_as, team, make_evidence, outsider_membership
):
    mine = {make_evidence(f"Policy {n}").pk for n in range(3)}
    theirs = make_evidence("Theirs", membership=outsider_membership)

    seen, _cursor = pull(api_as(team.viewer, "read"))
    outsider_seen, _ = pull(api_as(team.outsider, "read"))

    assert set(seen) == mine
    assert set(outsider_seen) == {theirs.pk}


@pytest.mark.parametrize("change", ["edit", "version", "link", "unlink"])
def test_an_item_comes_back_after_each_kind_of_change_with_its_new_state(
    api_as, team, make_evidence, contributor_membership, small_questionnaire, change
):
    item = make_evidence("Policy")
    untouched = make_evidence("Untouched")
    answer = small_questionnaire.answers.order_by("pk").first()
    if change == "unlink":
        evidence_link(
            evidence=item, answer=answer, membership=contributor_membership, user=team.contributor
        )
    client = api_as(team.viewer, "read")
    _seen, cursor = pull(client)

    if change == "edit":
        evidence_update(evidence=item, membership=contributor_membership, title="Renamed")
    elif change == "version":
        evidence_add_version(
            evidence=item,
            membership=contributor_membership,
            user=team.contributor,
            upload=pdf_file("v2.pdf", b"%PDF-1.4 second"),
        )
    elif change == "link":
        evidence_link(
            evidence=item, answer=answer, membership=contributor_membership, user=team.contributor
        )
    else:
        evidence_unlink(link=item.links.get(), membership=contributor_membership)
    seen, _cursor = pull(client, cursor)

    assert set(seen) == {item.pk}, f"{untouched.pk} did not change"
    row = seen[item.pk]
    expected = {
        "edit": ("Renamed", 1, []),
        "version": ("Policy", 2, []),
        "link": ("Policy", 1, [answer.pk]),
        "unlink": ("Policy", 1, []),
    }[change]
    assert (row["title"], len(row["versions"]), row["answers"]) == expected


def test_a_pull_costs_the_same_queries_for_one_item_or_many(
    api_as, team, make_evidence, django_assert_max_num_queries
):
    client = api_as(team.viewer, "read")
    make_evidence("First")
    with django_assert_max_num_queries(8) as one:
        client.get(FEED)
    for n in range(5):
        make_evidence(f"More {n}")
    with django_assert_max_num_queries(len(one.captured_queries)):
        body = client.get(FEED).json()

    assert len(body["results"]) == 6


def test_a_bad_cursor_answers_400_naming_it(api_as, team):
    response = api_as(team.viewer, "read").get(FEED, {"cursor": "yesterday"})

    assert response.status_code == 400
    assert "cursor" in response.json()["error"]["details"]
