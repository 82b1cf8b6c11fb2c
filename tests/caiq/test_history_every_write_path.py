"""Every change through every write path leaves exactly one history record with old and new."""

import pytest
from django.urls import reverse

from accounts.models import Membership
from caiq.models import AnswerChange
from caiq.services import answer_update

pytestmark = pytest.mark.django_db


def one_new_change(answer, before: int) -> AnswerChange:
    changes = AnswerChange.objects.filter(answer=answer).order_by("revision")
    assert changes.count() == before + 1
    change = changes.last()
    answer.refresh_from_db()
    assert change.revision == answer.revision
    return change


def complete(answer, team):
    membership = Membership.objects.get(
        user=team.contributor, organization=answer.questionnaire.organization
    )
    return answer_update(
        answer=answer,
        membership=membership,
        user=team.contributor,
        values={"answer": "Yes", "ssrm": "CSP-owned"},
        base_revision=answer.revision,
    )


def test_a_page_save(client, team, questionnaire):
    answer = questionnaire.answers.first()
    client.force_login(team.contributor)

    client.post(
        reverse("caiq:answer_save", args=[questionnaire.pk, answer.pk]),
        {"ssrm": "CSC-owned", "revision": 1},
    )

    change = one_new_change(answer, 0)
    assert (change.source, change.changes["ssrm"]) == ("page", ["", "CSC-owned"])


def test_a_page_review(client, team, questionnaire):
    answer = complete(questionnaire.answers.first(), team)
    client.force_login(team.reviewer)

    client.post(reverse("caiq:answer_review", args=[questionnaire.pk, answer.pk, "approve"]))

    change = one_new_change(answer, 1)
    assert change.changes == {"review_status": ["in_progress", "approved"]}


def test_a_page_request_for_changes(client, team, questionnaire):
    answer = complete(questionnaire.answers.first(), team)
    client.force_login(team.reviewer)

    client.post(
        reverse("caiq:answer_review", args=[questionnaire.pk, answer.pk, "request-changes"]),
        {"comment": "More detail please."},
    )

    change = one_new_change(answer, 1)
    assert change.changes == {"review_status": ["in_progress", "changes_requested"]}


def test_a_page_assignment(client, team, questionnaire):
    answer = questionnaire.answers.first()
    client.force_login(team.reviewer)

    client.post(
        reverse("caiq:assign", args=[questionnaire.pk]),
        {"assignee": team.viewer.pk, "scope": "selected", "answer": [answer.pk]},
    )

    change = one_new_change(answer, 0)
    assert change.changes == {"assignee": ["", team.viewer.email]}


@pytest.fixture
def staff_admin(client, team):
    team.admin.is_staff = True
    team.admin.is_superuser = True
    team.admin.save()
    client.force_login(team.admin)
    return client


def test_an_admin_edit(staff_admin, questionnaire):
    answer = questionnaire.answers.first()

    response = staff_admin.post(
        reverse("admin:caiq_answer_change", args=[answer.pk]),
        {
            "answer": "NA",
            "ssrm": "",
            "implementation": "Not offered.",
            "csc_responsibilities": "",
            "internal_notes": "",
            "base_revision": 1,
        },
    )

    assert response.status_code == 302
    change = one_new_change(answer, 0)
    assert change.source == "admin"
    assert change.changes["answer"] == ["", "NA"]
    assert change.changes["implementation"] == ["", "Not offered."]


def test_a_stale_admin_edit_changes_nothing(staff_admin, questionnaire, team):
    answer = complete(questionnaire.answers.first(), team)

    staff_admin.post(
        reverse("admin:caiq_answer_change", args=[answer.pk]),
        {
            "answer": "No",
            "ssrm": "CSC-owned",
            "implementation": "",
            "csc_responsibilities": "",
            "internal_notes": "",
            "base_revision": 1,
        },
    )

    assert AnswerChange.objects.filter(answer=answer).count() == 1
    answer.refresh_from_db()
    assert answer.answer == "Yes"


def test_an_admin_bulk_approval_follows_the_same_rules(staff_admin, questionnaire, team):
    done = complete(questionnaire.answers.first(), team)
    incomplete = questionnaire.answers.all()[1]

    staff_admin.post(
        reverse("admin:caiq_answer_changelist"),
        {"action": "approve", "_selected_action": [done.pk, incomplete.pk]},
    )

    change = one_new_change(done, 1)
    assert (change.source, change.changes) == (
        "admin",
        {"review_status": ["in_progress", "approved"]},
    )
    assert not AnswerChange.objects.filter(answer=incomplete).exists()


def test_an_admin_bulk_approval_keeps_four_eyes(client, team, questionnaire):
    team.reviewer.is_staff = True
    team.reviewer.is_superuser = True
    team.reviewer.save()
    answer = questionnaire.answers.first()
    membership = Membership.objects.get(user=team.reviewer, organization=team.org)
    answer = answer_update(
        answer=answer,
        membership=membership,
        user=team.reviewer,
        values={"answer": "Yes", "ssrm": "CSP-owned"},
        base_revision=1,
    )
    client.force_login(team.reviewer)

    response = client.post(
        reverse("admin:caiq_answer_changelist"),
        {"action": "approve", "_selected_action": [answer.pk]},
        follow=True,
    )

    assert "someone else must approve" in response.text
    answer.refresh_from_db()
    assert answer.review_status == "in_progress"


def test_an_admin_bulk_assignment(staff_admin, questionnaire, team):
    first, second = questionnaire.answers.all()[:2]

    staff_admin.post(
        reverse("admin:caiq_answer_changelist"),
        {
            "action": "assign",
            "apply": "1",
            "assignee": team.contributor.pk,
            "_selected_action": [first.pk, second.pk],
        },
    )

    for answer in (first, second):
        change = one_new_change(answer, 0)
        assert change.changes == {"assignee": ["", team.contributor.email]}
