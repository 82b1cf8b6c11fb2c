"""The answer library beside a question: the organisation's other answers to the same question
ID across questionnaires and catalog versions, approved first then newest, flagged where the
question's text differs; reuse through the normal save path, with its source in the history."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from caiq.models import AnswerChange, ChangeSource
from caiq.services import questionnaire_create
from library import selectors

from .worlds import QUESTION, fill

pytestmark = pytest.mark.django_db


def test_suggestions_come_approved_first_then_newest_with_the_changed_text_flagged(
    library_world, team
):
    w = library_world

    found = selectors.suggestions(w.answer(w.new))

    assert [s.answer.questionnaire.name for s in found] == ["Compute 2025", "Storage 2026"]
    approved, newest = found
    assert (approved.approved, approved.approved_by, approved.text_changed) == (
        True,
        team.reviewer,
        True,
    )
    assert approved.approved_at is not None
    assert (newest.approved, newest.approved_by, newest.text_changed) == (False, None, True)
    # Within the same catalog version the text is the same: no flag.
    assert [(s.answer.questionnaire.name, s.text_changed) for s in selectors.suggestions(
        w.answer(w.mid)
    )] == [("Compute 2025", False)]  # fmt: skip


def test_another_organisations_answers_are_never_suggested(library_world, client, team):
    w = library_world
    client.force_login(team.contributor)

    page = client.get(reverse("library:answer", args=[w.new.pk, w.answer(w.new).pk]))

    assert page.status_code == 200
    assert "Compute 2025" in page.text
    assert "Storage 2026" in page.text
    assert "GLOBEX SECRET" not in page.text
    assert "Question text differs" in page.text
    assert f"Approved by {team.reviewer.get_full_name()}" in page.text


def test_an_outsider_gets_404_for_the_panel_and_for_reusing_into_or_from_another_organisation(
    library_world, client, team
):
    w = library_world
    target = w.answer(w.new)
    client.force_login(team.outsider)
    assert client.get(reverse("library:answer", args=[w.new.pk, target.pk])).status_code == 404
    reuse = reverse("library:reuse", args=[w.new.pk, target.pk])
    assert client.post(reuse, {"source": w.answer(w.foreign).pk, "revision": 1}).status_code == 404

    # A member cannot pull another organisation's answer in by its id either.
    client.force_login(team.contributor)
    response = client.post(reuse, {"source": w.answer(w.foreign).pk, "revision": 1})
    assert response.status_code == 404
    assert w.answer(w.new).answer == ""


def test_reusing_an_answer_saves_it_through_the_normal_path_with_one_history_record(
    library_world, client, team
):
    w = library_world
    target = w.answer(w.new)
    fill(
        w.new, team.org.memberships.get(user=team.contributor), team.contributor, QUESTION,
        internal_notes="ours",
    )  # fmt: skip
    target.refresh_from_db()
    before = AnswerChange.objects.filter(answer=target).count()
    client.force_login(team.contributor)

    response = client.post(
        reverse("library:reuse", args=[w.new.pk, target.pk]),
        {"source": w.answer(w.old).pk, "revision": target.revision},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert f'id="answer-{target.pk}"' in response.text  # the refreshed card
    target.refresh_from_db()
    assert (target.answer, target.ssrm, target.implementation, target.csc_responsibilities) == (
        "Yes",
        "CSP-owned",
        f"Old way for {QUESTION}",
        f"Customers do {QUESTION}",
    )
    assert target.internal_notes == "ours"  # not the library's to change
    changes = AnswerChange.objects.filter(answer=target)
    assert changes.count() == before + 1
    change = changes.first()
    assert (change.source, change.reused_from, change.changed_by) == (
        ChangeSource.LIBRARY,
        w.old,
        team.contributor,
    )
    assert change.changes["answer"] == ["", "Yes"]
    history = client.get(reverse("caiq:answer_history", args=[w.new.pk, target.pk]))
    assert "From the library: Compute 2025" in history.text


def test_a_reuse_over_a_newer_save_is_refused_and_writes_nothing(library_world, client, team):
    w = library_world
    target = w.answer(w.new)
    stale_revision = target.revision
    fill(
        w.new, team.org.memberships.get(user=team.contributor), team.contributor, QUESTION,
        implementation="typed meanwhile",
    )  # fmt: skip
    client.force_login(team.contributor)

    response = client.post(
        reverse("library:reuse", args=[w.new.pk, target.pk]),
        {"source": w.answer(w.old).pk, "revision": stale_revision},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 400
    assert "changed by someone else" in response.text
    target.refresh_from_db()
    assert (target.answer, target.implementation) == ("", "typed meanwhile")
    assert not AnswerChange.objects.filter(answer=target, source=ChangeSource.LIBRARY).exists()


def test_a_viewer_sees_suggestions_but_cannot_reuse(library_world, client, team):
    w = library_world
    target = w.answer(w.new)
    client.force_login(team.viewer)

    panel = client.get(reverse("library:answer", args=[w.new.pk, target.pk]))
    refused = client.post(
        reverse("library:reuse", args=[w.new.pk, target.pk]),
        {"source": w.answer(w.old).pk, "revision": target.revision},
        headers={"HX-Request": "true"},
    )

    assert "Compute 2025" in panel.text
    assert "Use this answer" not in panel.text
    assert refused.status_code == 400
    target.refresh_from_db()
    assert target.answer == ""


def _panel_queries(client, questionnaire, answer) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(
            reverse("library:answer", args=[questionnaire.pk, answer.pk]),
            headers={"HX-Request": "true"},
        )
    assert response.status_code == 200
    return len(queries)


def test_the_panel_costs_the_same_queries_with_3_or_30_questionnaires(library_world, client, team):
    w = library_world
    contributor = team.org.memberships.get(user=team.contributor)
    client.force_login(team.contributor)
    target = w.answer(w.new)
    few = _panel_queries(client, w.new, target)
    for i in range(27):
        q = questionnaire_create(
            membership=team.org.memberships.get(user=team.admin),
            version=w.old.version,
            name=f"Service {i}",
            service_name=f"S{i}",
        )
        fill(q, contributor, team.contributor, QUESTION, answer="Yes", ssrm="CSP-owned")

    many = _panel_queries(client, w.new, target)

    assert many == few
    assert len(selectors.suggestions(target)) == selectors.SUGGESTION_LIMIT


def test_the_fill_page_card_offers_the_library(library_world, client, team):
    w = library_world
    client.force_login(team.contributor)
    target = w.answer(w.new)

    page = client.get(reverse("caiq:fill", args=[w.new.pk]), {"domain": "A&A"})

    assert 'class="library"' in page.text
    assert f'href="/questionnaires/{w.new.pk}/answers/{target.pk}/library/"' in page.text


@pytest.mark.skipif(connection.vendor != "postgresql", reason="covering indexes are PostgreSQL's")
def test_the_library_index_covers_every_answer_column_the_choice_reads(library_world):
    """bench/library.py: from the table, each of a large organisation's answers to the question
    was a page read (1.3x at 1,000 questionnaires); ``answer_library_idx`` holds every column
    the choice of the best suggestions reads, so PostgreSQL reads the index alone."""
    w = library_world
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'answer_library_idx'")
        (definition,) = cursor.fetchone()
    indexed = set(re.findall(r'"?(\w+)"?', definition.split("USING btree", 1)[1]))

    sql = str(selectors.best_suggestions(w.answer(w.new)).query)
    read = set(re.findall(r'"caiq_answer"\."(\w+)"', sql))

    assert read
    assert read <= indexed, read - indexed
