"""Changing answers: every write path (pages, admin, API, imports) comes through here.

Each save compares the revision the caller started from with the stored one (optimistic
locking), applies only the fields that really changed, bumps the revision and writes exactly
one AnswerChange with old and new values, all in one transaction.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import ApiToken, Membership, Role, User, require_role
from audit.models import EventKind
from audit.services import audit_record
from config.events import publish

from ..answer_rules import (
    CONTENT_FIELDS,
    approval_problems,
    content_authors_since_approval,
    value_problems,
)
from ..events import questionnaire_status_changed
from ..models import (
    Answer,
    AnswerChange,
    ChangeSource,
    Comment,
    Questionnaire,
    QuestionnaireStatus,
    ReviewStatus,
)

EDITABLE_FIELDS = ("answer", "ssrm", "implementation", "csc_responsibilities", "internal_notes")


@dataclass
class StaleAnswer(Exception):
    """Someone saved the answer since the caller loaded it; nothing was written."""

    current: Answer
    since: list[AnswerChange]

    def __str__(self) -> str:
        return (
            f"{self.current.question.code} was changed by someone else since you loaded it "
            f"(now revision {self.current.revision}); your change was not saved."
        )


def _require_open(questionnaire: Questionnaire) -> None:
    if questionnaire.status == QuestionnaireStatus.SUBMITTED:
        raise ValidationError(
            "This questionnaire was submitted to the STAR Registry and is read-only; "
            "copy it forward to start the next one."
        )


def _record(
    answer: Answer,
    *,
    user: User | None,
    source: str,
    diff: dict,
    reused_from: Questionnaire | None = None,
) -> AnswerChange:
    return AnswerChange.objects.create(
        answer=answer,
        changed_by=user,
        source=source,
        revision=answer.revision,
        changes=diff,
        reused_from=reused_from,
    )


def _reopen_questionnaire(questionnaire: Questionnaire, actor: User | None, why: str) -> None:
    # An approved questionnaire whose answer changed needs its review again.
    # Conditional in the database too: a questionnaire submitted meanwhile stays submitted.
    if questionnaire.status == QuestionnaireStatus.APPROVED:
        reopened = Questionnaire.objects.filter(
            pk=questionnaire.pk, status=QuestionnaireStatus.APPROVED
        ).update(status=QuestionnaireStatus.IN_REVIEW)
        questionnaire.status = QuestionnaireStatus.IN_REVIEW
        if reopened:
            questionnaire_status_changed(
                questionnaire,
                QuestionnaireStatus.APPROVED.value,
                QuestionnaireStatus.IN_REVIEW.value,
            )
            audit_record(
                EventKind.QUESTIONNAIRE_STATUS_CHANGED,
                organization=questionnaire.organization,
                actor=actor,
                target=questionnaire,
                details={
                    "from": QuestionnaireStatus.APPROVED.value,
                    "to": QuestionnaireStatus.IN_REVIEW.value,
                    "because": why,
                },
            )


def answer_diff(answer: Answer, values: Mapping[str, str]) -> dict[str, list]:
    """{field: [old, new]} of what ``values`` changes; a content change reopens the review."""
    diff = {
        field: [getattr(answer, field), value]
        for field, value in values.items()
        if getattr(answer, field) != value
    }
    if set(diff) & set(CONTENT_FIELDS) and answer.review_status != ReviewStatus.IN_PROGRESS:
        diff["review_status"] = [answer.review_status, ReviewStatus.IN_PROGRESS]
    return diff


def _stale(answer: Answer, base_revision: int) -> StaleAnswer:
    current = Answer.objects.select_related("questionnaire", "question").get(pk=answer.pk)
    since = list(current.changes.filter(revision__gt=base_revision).select_related("changed_by"))
    return StaleAnswer(current=current, since=since)


def answer_update(
    *,
    answer: Answer,
    membership: Membership | None,
    user: User | None,
    values: Mapping[str, str],
    base_revision: int,
    source: str = ChangeSource.PAGE,
    reused_from: Questionnaire | None = None,
) -> Answer:
    """Save ``values`` (a subset of EDITABLE_FIELDS) if nobody saved since ``base_revision``.

    ``answer`` is the row as the caller just read it (with its questionnaire). The write is a
    compare-and-swap on the revision, so a concurrent save between that read and this write
    is caught too, with no lock held. ``membership`` is the acting user's membership of the
    answer's organisation; imports and admin actions by superusers pass None after their own
    checks. ``reused_from`` names the questionnaire of a library answer being reused.
    """
    if membership is not None:
        require_role(membership, Role.CONTRIBUTOR, "edit answers")
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown answer fields: {', '.join(sorted(unknown))}.")
    problems = value_problems(values)
    if problems:
        raise ValidationError(problems)
    _require_open(answer.questionnaire)
    if answer.revision != base_revision:
        raise _stale(answer, base_revision)
    diff = answer_diff(answer, values)
    if not diff:
        return answer
    new_values = {field: new for field, (_old, new) in diff.items()}
    now = timezone.now()
    with transaction.atomic():
        written = Answer.objects.filter(pk=answer.pk, revision=base_revision).update(
            **new_values, revision=base_revision + 1, updated_by=user, updated_at=now
        )
        if not written:
            raise _stale(answer, base_revision)
        for field, value in new_values.items():
            setattr(answer, field, value)
        answer.revision, answer.updated_by, answer.updated_at = base_revision + 1, user, now
        if "review_status" in diff:
            _reopen_questionnaire(answer.questionnaire, user, f"{answer.question.code} was changed")
        _record(answer, user=user, source=source, diff=diff, reused_from=reused_from)
    return answer


def _set_review_status(
    answer: Answer, *, user: User, status: str, source: str, extra: dict | None = None
) -> Answer:
    diff = {"review_status": [answer.review_status, status], **(extra or {})}
    answer.review_status = status
    answer.revision += 1
    answer.save(update_fields=["review_status", "revision", "updated_at"])
    _record(answer, user=user, source=source, diff=diff)
    return answer


def _locked(answer: Answer) -> Answer:
    return (
        Answer.objects.select_for_update(of=("self",))
        .select_related("questionnaire", "question", "updated_by")
        .get(pk=answer.pk)
    )


def answer_confirm_carry_over(*, answer: Answer, membership: Membership, user: User) -> Answer:
    """The answer carried over from an earlier catalog version still holds for the question as
    it reads now: clear its copy-forward flag (text changed, new question), in the history."""
    require_role(membership, Role.CONTRIBUTOR, "confirm answers")
    with transaction.atomic():
        current = _locked(answer)
        _require_open(current.questionnaire)
        if not current.carry_over:
            return current
        diff = {"carry_over": [current.carry_over, ""]}
        current.carry_over = ""
        current.revision += 1
        current.save(update_fields=["carry_over", "revision", "updated_at"])
        _record(current, user=user, source=ChangeSource.PAGE, diff=diff)
        return current


def answer_mark_ready(*, answer: Answer, membership: Membership, user: User) -> Answer:
    """The author hands the answer to review; it must meet CAIQ's rules first."""
    require_role(membership, Role.CONTRIBUTOR, "ask for a review")
    with transaction.atomic():
        current = _locked(answer)
        _require_open(current.questionnaire)
        problems = approval_problems(current)
        if problems:
            raise ValidationError(problems)
        if current.review_status == ReviewStatus.READY:
            return current
        if current.review_status == ReviewStatus.APPROVED:
            raise ValidationError("This answer is approved already; edit it to reopen it.")
        return _set_review_status(
            current, user=user, status=ReviewStatus.READY, source=ChangeSource.REVIEW
        )


def content_authors(answer: Answer) -> set[int]:
    """Who changed the answer's content (answer, owner, descriptions) since its last approval.

    Notes and assignment are not content. An organisation token acts through a service
    account; its edits count as the edits of the person who created the token.
    """
    history = answer.changes.order_by("revision").values_list("changed_by_id", "changes")
    authors = content_authors_since_approval(history, CONTENT_FIELDS, ReviewStatus.APPROVED)
    creators = ApiToken.objects.filter(service_user_id__in=authors).values_list(
        "created_by_id", flat=True
    )
    return authors | {creator for creator in creators if creator is not None}


def _changed_content_since(answer: Answer, base_revision: int) -> bool:
    changes = answer.changes.filter(revision__gt=base_revision).values_list("changes", flat=True)
    return any(set(diff) & set(CONTENT_FIELDS) for diff in changes)


def answer_approve(
    *,
    answer: Answer,
    membership: Membership,
    user: User,
    source: str = ChangeSource.REVIEW,
    base_revision: int | None = None,
) -> Answer:
    """A reviewer approves what they saw: never content they wrote (four eyes), never an
    incomplete answer, and never content saved after ``base_revision``, the revision on their
    screen (None only where no revision was shown, as in the admin's bulk action)."""
    require_role(membership, Role.REVIEWER, "approve answers")
    with transaction.atomic():
        current = _locked(answer)
        _require_open(current.questionnaire)
        if user.pk in content_authors(current):
            raise PermissionDenied(
                f"You changed the content of {current.question.code} since it was last "
                "approved: someone else must approve it."
            )
        if base_revision is not None and _changed_content_since(current, base_revision):
            raise _stale(current, base_revision)
        problems = approval_problems(current)
        if problems:
            raise ValidationError(problems)
        if current.review_status == ReviewStatus.APPROVED:
            return current
        approved = _set_review_status(
            current, user=user, status=ReviewStatus.APPROVED, source=source
        )
        publish(
            "answer.approved",
            organization_id=current.questionnaire.organization_id,
            data={
                "questionnaire": current.questionnaire_id,
                "answer": current.pk,
                "question": current.question.code,
                "revision": approved.revision,
                "approved_by": user.email,
            },
        )
        return approved


def answer_request_changes(
    *,
    answer: Answer,
    membership: Membership,
    user: User,
    comment: str,
    source: str = ChangeSource.REVIEW,
    base_revision: int | None = None,
) -> Answer:
    """A reviewer sends the answer back, saying why in a comment about what they saw."""
    require_role(membership, Role.REVIEWER, "request changes")
    if not comment.strip():
        raise ValidationError("Say what needs to change: the comment is required.")
    with transaction.atomic():
        current = _locked(answer)
        _require_open(current.questionnaire)
        if base_revision is not None and _changed_content_since(current, base_revision):
            raise _stale(current, base_revision)
        Comment.objects.create(answer=current, author=user, body=comment.strip(), is_review=True)
        _reopen_questionnaire(
            current.questionnaire, user, f"changes were requested on {current.question.code}"
        )
        return _set_review_status(
            current, user=user, status=ReviewStatus.CHANGES_REQUESTED, source=source
        )


def answers_assign(
    *,
    answers: QuerySet[Answer],
    assignee: User | None,
    membership: Membership,
    user: User,
    source: str = ChangeSource.PAGE,
) -> int:
    """Assign answers (a domain, a selection) to a member of the same organisation, or nobody."""
    require_role(membership, Role.REVIEWER, "assign questions")
    if (
        assignee is not None
        and not assignee.memberships.filter(organization_id=membership.organization_id).exists()
    ):
        raise ValidationError(f"{assignee} is not a member of {membership.organization}.")
    with transaction.atomic():
        changed = [
            a
            for a in answers.select_for_update(of=("self",)).select_related("assignee")
            if a.assignee_id != (assignee.pk if assignee else None)
        ]
        changes = []
        now = timezone.now()
        for a in changed:
            old = a.assignee.email if a.assignee else ""
            a.assignee = assignee
            a.revision += 1
            a.updated_at = now
            changes.append(
                AnswerChange(
                    answer=a,
                    changed_by=user,
                    source=source,
                    revision=a.revision,
                    changes={"assignee": [old, assignee.email if assignee else ""]},
                )
            )
        Answer.objects.bulk_update(changed, ["assignee", "revision", "updated_at"])
        AnswerChange.objects.bulk_create(changes)
    return len(changed)


def comment_add(*, answer: Answer, membership: Membership, user: User, body: str) -> Comment:
    require_role(membership, Role.CONTRIBUTOR, "comment")
    if not body.strip():
        raise ValidationError("A comment cannot be empty.")
    problems = value_problems({"internal_notes": body})
    if problems:
        raise ValidationError(problems["internal_notes"].replace("Internal notes", "The comment"))
    return Comment.objects.create(answer=answer, author=user, body=body.strip())


def answers_in(questionnaire: Questionnaire, ids: Iterable[int]) -> QuerySet[Answer]:
    return questionnaire.answers.filter(pk__in=list(ids))
