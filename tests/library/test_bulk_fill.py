"""Filling a questionnaire's empty answers from an earlier one: a preview of exactly what would
be written, nothing written before confirmation, then exactly that, all or nothing."""

import pytest
from django.urls import reverse

from caiq.models import Answer, AnswerChange, ChangeSource

from .worlds import fill

pytestmark = pytest.mark.django_db


def _preview(client, w):
    return client.get(reverse("library:bulk_fill", args=[w.new.pk]), {"source": w.old.pk})


def test_the_preview_lists_what_would_be_filled_and_writes_nothing(library_world, client, team):
    w = library_world
    # Already started here: someone's own words are never replaced.
    fill(
        w.new, team.org.memberships.get(user=team.contributor), team.contributor, "AIS-01.1",
        implementation="ours",
    )  # fmt: skip
    changes_before = AnswerChange.objects.count()
    client.force_login(team.contributor)

    page = _preview(client, w)

    assert page.status_code == 200
    plan = page.context["plan"]
    assert [f.target.question.code for f in plan] == ["A&A-01.1", "A&A-01.2", "BCR-01.1"]
    assert "Preview: 3 answers would be filled from Compute 2025" in page.text
    assert page.context["text_changed"] == 1  # A&A-01.1 reads differently in v9.1.0
    assert AnswerChange.objects.count() == changes_before
    assert w.new.answers.exclude(answer="").count() == 0


def test_confirming_writes_exactly_the_previewed_answers_with_their_source(
    library_world, client, team
):
    w = library_world
    client.force_login(team.contributor)
    preview = _preview(client, w)
    assert len(preview.context["plan"]) == 4
    assert not AnswerChange.objects.filter(answer__questionnaire=w.new).exists()

    response = client.post(
        reverse("library:bulk_fill", args=[w.new.pk]),
        {"source": w.old.pk, "plan": preview.context["plan_key"]},
    )

    assert response.status_code == 302
    filled = Answer.objects.filter(questionnaire=w.new).exclude(answer="")
    assert sorted(filled.values_list("question__code", "answer", "implementation")) == [
        ("A&A-01.1", "Yes", "Old way for A&A-01.1"),
        ("A&A-01.2", "Yes", "Old way for A&A-01.2"),
        ("AIS-01.1", "Yes", "Old way for AIS-01.1"),
        ("BCR-01.1", "Yes", "Old way for BCR-01.1"),
    ]
    written = AnswerChange.objects.filter(answer__questionnaire=w.new)
    assert written.count() == 4
    assert set(written.values_list("source", "reused_from", "changed_by")) == {
        (ChangeSource.LIBRARY, w.old.pk, team.contributor.pk)
    }


def test_a_change_after_the_preview_refuses_the_whole_fill(library_world, client, team):
    w = library_world
    client.force_login(team.contributor)
    preview = _preview(client, w)
    fill(
        w.new, team.org.memberships.get(user=team.contributor), team.contributor, "BCR-01.1",
        answer="No",
    )  # fmt: skip

    response = client.post(
        reverse("library:bulk_fill", args=[w.new.pk]),
        {"source": w.old.pk, "plan": preview.context["plan_key"]},
        follow=True,
    )

    assert "changed since the preview: nothing was written" in response.text
    assert list(w.new.answers.exclude(answer="").values_list("question__code", flat=True)) == [
        "BCR-01.1"
    ]
    assert not AnswerChange.objects.filter(
        answer__questionnaire=w.new, source=ChangeSource.LIBRARY
    ).exists()


def test_bulk_fill_is_for_contributors_of_the_organisation(library_world, client, team):
    w = library_world
    url = reverse("library:bulk_fill", args=[w.new.pk])
    client.force_login(team.viewer)
    assert client.get(url, {"source": w.old.pk}).status_code == 403
    client.force_login(team.outsider)
    assert client.get(url, {"source": w.old.pk}).status_code == 404
    # A member naming another organisation's questionnaire as the source: invisible.
    client.force_login(team.contributor)
    assert client.get(url, {"source": w.foreign.pk}).status_code == 404
    assert client.post(url, {"source": w.foreign.pk, "plan": ""}).status_code == 404
