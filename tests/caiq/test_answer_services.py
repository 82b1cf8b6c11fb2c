import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Membership
from caiq.models import AnswerChange, Comment, QuestionnaireStatus, ReviewStatus
from caiq.services import (
    StaleAnswer,
    answer_approve,
    answer_mark_ready,
    answer_request_changes,
    answer_update,
    answers_assign,
    questionnaire_approve,
    questionnaire_mark_submitted,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(team):
    def get(role: str) -> tuple[Membership, object]:
        user = getattr(team, role)
        return Membership.objects.get(user=user, organization=team.org), user

    return get


def save(target, member, role="contributor", base=None, **values):
    membership, user = member(role)
    return answer_update(
        answer=target,
        membership=membership,
        user=user,
        values=values,
        base_revision=base if base is not None else target.revision,
    )


def test_a_new_questionnaire_has_one_empty_answer_per_question(questionnaire):
    assert questionnaire.answers.count() == 261
    assert not questionnaire.answers.exclude(answer="").exists()
    assert questionnaire.status == QuestionnaireStatus.DRAFT


def test_saving_records_exactly_one_history_record_with_old_and_new_values(questionnaire, member):
    answer = questionnaire.answers.first()

    saved = save(answer, member, answer="Yes", ssrm="CSP-owned", implementation="We do.")

    change = AnswerChange.objects.get(answer=answer)
    assert change.changes == {
        "answer": ["", "Yes"],
        "ssrm": ["", "CSP-owned"],
        "implementation": ["", "We do."],
        "review_status": ["not_started", "in_progress"],
    }
    assert change.revision == saved.revision == 2
    assert change.changed_by.email == saved.updated_by.email


def test_saving_the_same_values_again_writes_nothing(questionnaire, member):
    answer = save(questionnaire.answers.first(), member, answer="No", ssrm="CSC-owned")

    again = save(answer, member, answer="No", ssrm="CSC-owned")

    assert again.revision == answer.revision
    assert AnswerChange.objects.filter(answer=answer).count() == 1


def test_a_stale_save_is_refused_and_shows_the_other_change(questionnaire, member):
    answer = questionnaire.answers.first()
    save(answer, member, "reviewer", implementation="First writer")

    with pytest.raises(StaleAnswer) as stale:
        save(answer, member, base=1, implementation="Second writer")

    answer.refresh_from_db()
    assert answer.implementation == "First writer"
    assert [c.changes["implementation"] for c in stale.value.since] == [["", "First writer"]]
    assert "changed by someone else" in str(stale.value)


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ({"answer": "Maybe"}, "'Maybe' is not a CAIQ answer"),
        ({"answer": "yes"}, "'yes' is not a CAIQ answer"),
        ({"ssrm": "Third-party"}, "is not an SSRM control ownership"),
        ({"implementation": "x" * 32_768}, "an Excel cell holds at most 32,767"),
        ({"csc_responsibilities": "bell\x07"}, "control character U+0007"),
        ({"internal_notes": "nul\x00"}, "control character U+0000"),
    ],
)
def test_values_a_workbook_cannot_hold_are_refused_with_a_clear_message(
    questionnaire, member, values, reason
):
    answer = questionnaire.answers.first()

    with pytest.raises(ValidationError) as refused:
        save(answer, member, **values)

    assert reason in " ".join(refused.value.messages)
    answer.refresh_from_db()
    assert answer.revision == 1
    assert not AnswerChange.objects.exists()


def test_tabs_and_line_breaks_are_ordinary_text(questionnaire, member):
    saved = save(questionnaire.answers.first(), member, implementation="a\tb\nc")

    assert saved.implementation == "a\tb\nc"


def test_a_viewer_cannot_edit(questionnaire, member):
    with pytest.raises(PermissionDenied):
        save(questionnaire.answers.first(), member, "viewer", answer="Yes")


def test_a_reviewer_approves_someone_elses_complete_answer(questionnaire, member):
    answer = save(questionnaire.answers.first(), member, answer="Yes", ssrm="CSP-owned")
    membership, reviewer = member("reviewer")

    approved = answer_approve(answer=answer, membership=membership, user=reviewer)

    assert approved.review_status == ReviewStatus.APPROVED
    assert AnswerChange.objects.filter(answer=answer).latest("revision").changes == {
        "review_status": ["in_progress", "approved"]
    }


def test_the_last_editor_cannot_approve_their_own_answer(questionnaire, member):
    answer = save(questionnaire.answers.first(), member, "reviewer", answer="Yes", ssrm="CSP-owned")
    membership, reviewer = member("reviewer")

    with pytest.raises(PermissionDenied, match="someone else must approve"):
        answer_approve(answer=answer, membership=membership, user=reviewer)


def test_a_contributor_cannot_approve(questionnaire, member):
    answer = save(questionnaire.answers.first(), member, "reviewer", answer="Yes", ssrm="CSP-owned")
    membership, contributor = member("contributor")

    with pytest.raises(PermissionDenied):
        answer_approve(answer=answer, membership=membership, user=contributor)


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ({}, "not answered"),
        ({"answer": "Yes"}, "needs an SSRM control ownership"),
        ({"answer": "No"}, "needs an SSRM control ownership"),
        ({"answer": "NA"}, "NA answer needs an explanation"),
    ],
)
def test_an_incomplete_answer_cannot_be_approved_or_sent_to_review(
    questionnaire, member, values, reason
):
    answer = questionnaire.answers.first()
    if values:
        answer = save(answer, member, **values)
    membership, reviewer = member("reviewer")
    contributor_membership, contributor = member("contributor")

    with pytest.raises(ValidationError, match=reason):
        answer_approve(answer=answer, membership=membership, user=reviewer)
    with pytest.raises(ValidationError, match=reason):
        answer_mark_ready(answer=answer, membership=contributor_membership, user=contributor)


def test_an_explained_na_can_be_approved(questionnaire, member):
    answer = save(
        questionnaire.answers.first(), member, answer="NA", implementation="Out of scope."
    )
    membership, reviewer = member("reviewer")

    assert (
        answer_approve(answer=answer, membership=membership, user=reviewer).review_status
        == "approved"
    )


def test_requesting_changes_needs_a_comment_and_keeps_it(questionnaire, member):
    answer = save(questionnaire.answers.first(), member, answer="Yes", ssrm="CSP-owned")
    membership, reviewer = member("reviewer")

    with pytest.raises(ValidationError):
        answer_request_changes(answer=answer, membership=membership, user=reviewer, comment=" ")
    sent_back = answer_request_changes(
        answer=answer, membership=membership, user=reviewer, comment="Name the KMS."
    )

    assert sent_back.review_status == ReviewStatus.CHANGES_REQUESTED
    assert Comment.objects.get(answer=answer).body == "Name the KMS."


def test_editing_an_approved_answer_withdraws_the_approval(questionnaire, member):
    answer = save(questionnaire.answers.first(), member, answer="Yes", ssrm="CSP-owned")
    membership, reviewer = member("reviewer")
    answer = answer_approve(answer=answer, membership=membership, user=reviewer)

    edited = save(answer, member, implementation="More detail.")

    assert edited.review_status == ReviewStatus.IN_PROGRESS


def approve_all(questionnaire, member):
    contributor_membership, contributor = member("contributor")
    membership, reviewer = member("reviewer")
    for answer in questionnaire.answers.all():
        answer = answer_update(
            answer=answer,
            membership=contributor_membership,
            user=contributor,
            values={"answer": "Yes", "ssrm": "CSP-owned"},
            base_revision=answer.revision,
        )
        answer_approve(answer=answer, membership=membership, user=reviewer)


def test_a_questionnaire_is_approved_only_when_every_answer_is(small_questionnaire, member):
    membership, _ = member("reviewer")
    with pytest.raises(ValidationError, match="10 answers are not approved yet"):
        questionnaire_approve(questionnaire=small_questionnaire, membership=membership)

    approve_all(small_questionnaire, member)
    approved = questionnaire_approve(questionnaire=small_questionnaire, membership=membership)

    assert approved.status == QuestionnaireStatus.APPROVED


def test_a_submitted_questionnaire_is_read_only(small_questionnaire, member):
    approve_all(small_questionnaire, member)
    reviewer_membership, _ = member("reviewer")
    questionnaire_approve(questionnaire=small_questionnaire, membership=reviewer_membership)
    admin_membership, _ = member("admin")
    questionnaire_mark_submitted(
        questionnaire=small_questionnaire,
        membership=admin_membership,
        star_registry_url="https://star.example/entry/1",
    )

    with pytest.raises(ValidationError, match="read-only"):
        save(small_questionnaire.answers.first(), member, implementation="late edit")


def test_assigning_a_domain_records_one_change_per_answer(questionnaire, member, team):
    membership, reviewer = member("reviewer")
    answers = questionnaire.answers.filter(question__control__domain__code="A&A")

    count = answers_assign(
        answers=answers, assignee=team.contributor, membership=membership, user=reviewer
    )

    assert count == 8
    assert questionnaire.answers.filter(assignee=team.contributor).count() == 8
    changes = AnswerChange.objects.filter(answer__in=answers)
    assert changes.count() == 8
    assert {tuple(c.changes["assignee"]) for c in changes} == {("", team.contributor.email)}


def test_questions_cannot_be_assigned_to_another_organisations_member(questionnaire, member, team):
    membership, reviewer = member("reviewer")

    with pytest.raises(ValidationError, match="not a member"):
        answers_assign(
            answers=questionnaire.answers.filter(pk=questionnaire.answers.first().pk),
            assignee=team.outsider,
            membership=membership,
            user=reviewer,
        )
