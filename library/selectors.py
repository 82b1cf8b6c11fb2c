"""Reading the organisation's earlier answers: the suggestions for one question, the variants
in use for one control, and what a bulk fill from another questionnaire would write.

Questions are matched by their ID (``A&A-01.1``) across catalog versions; an answer given to a
question whose text has changed since is flagged, never hidden.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.http import Http404

from accounts.models import Membership, User
from caiq.answer_rules import CONTENT_FIELDS
from caiq.models import Answer, AnswerChange, Question, Questionnaire, ReviewStatus

# A panel, not a report: the best few. The query sorts the organisation's answers to one
# question (one per questionnaire) and reads this many rows.
SUGGESTION_LIMIT = 8
# The questionnaires offered as the source of a bulk fill: the ones edited last.
SOURCE_CHOICES = 100
# What a reuse copies: an answer's content (caiq's definition), never its internal notes.
REUSED_FIELDS = CONTENT_FIELDS


@dataclass
class Suggestion:
    """An earlier answer to the same question ID, as the library panel shows it."""

    answer: Answer
    text_changed: bool
    approved_by: User | None = None
    approved_at: datetime | None = None

    @property
    def approved(self) -> bool:
        return self.answer.review_status == ReviewStatus.APPROVED


APPROVED_FIRST = Case(
    When(review_status=ReviewStatus.APPROVED, then=Value(0)),
    default=Value(1),
    output_field=IntegerField(),
)


def _answered_in(organization_id: int) -> QuerySet[Answer]:
    return Answer.objects.filter(questionnaire__organization_id=organization_id).exclude(answer="")


def _same_question(code: str) -> QuerySet[Question]:
    return Question.objects.filter(code=code).values("pk")


ORDER = ("approved_first", "-updated_at", "-pk")


def best_suggestions(answer: Answer, *, limit: int = SUGGESTION_LIMIT) -> QuerySet:
    """The ids of the best ``limit`` library answers for ``answer``, chosen on narrow rows.

    Only they are then read whole with what the panel shows: a large organisation has an
    answer to the question in each of its questionnaires, and sorting them all with their texts
    and joins cost 1.3x at 1,000 questionnaires (bench/library.py). On PostgreSQL the choice
    reads the covering index ``answer_library_idx`` alone."""
    return (
        _answered_in(answer.questionnaire.organization_id)
        .filter(question__in=_same_question(answer.question.code))
        .exclude(pk=answer.pk)
        .annotate(approved_first=APPROVED_FIRST)
        .order_by(*ORDER)
        .values("pk")[:limit]
    )


def suggestions(answer: Answer, *, limit: int = SUGGESTION_LIMIT) -> list[Suggestion]:
    """The organisation's other answers to ``answer``'s question ID, in any questionnaire and
    catalog version: approved ones first, then the newest. Two queries, however many
    questionnaires the organisation has (the answers, then who approved the approved ones).

    ``answer`` comes with its questionnaire and question (``answer_for_member``)."""
    rows = list(
        Answer.objects.filter(pk__in=best_suggestions(answer, limit=limit))
        .select_related("questionnaire__version", "question", "updated_by")
        .annotate(approved_first=APPROVED_FIRST)
        .order_by(*ORDER)
    )
    found = [Suggestion(row, row.question.text != answer.question.text) for row in rows]
    _attach_approvals([s for s in found if s.approved])
    return found


def _attach_approvals(approved: list[Suggestion]) -> None:
    """Who approved each answer last, and when: its newest history entry that set "approved"."""
    if not approved:
        return
    by_answer = {s.answer.pk: s for s in approved}
    approvals = (
        AnswerChange.objects.filter(
            answer_id__in=by_answer, changes__review_status__1=ReviewStatus.APPROVED
        )
        .select_related("changed_by")
        .order_by("answer_id", "-revision")
    )
    for change in approvals:
        suggestion = by_answer[change.answer_id]
        if suggestion.approved_at is None:
            suggestion.approved_by, suggestion.approved_at = change.changed_by, change.changed_at


def library_answer(answer: Answer, source_pk: int) -> Answer:
    """The library answer ``source_pk`` offered for ``answer``: answered, of the same
    organisation and question ID, not ``answer`` itself. 404 otherwise (another
    organisation's answer is invisible)."""
    source = (
        _answered_in(answer.questionnaire.organization_id)
        .filter(pk=source_pk, question__code=answer.question.code)
        .exclude(pk=answer.pk)
        .select_related("questionnaire", "question")
        .first()
    )
    if source is None:
        raise Http404("No such answer in this organisation's library.")
    return source


def source_questionnaires(target: Questionnaire) -> QuerySet[Questionnaire]:
    """Where a bulk fill of ``target`` may copy from: the organisation's other questionnaires,
    edited last first."""
    return (
        Questionnaire.objects.filter(organization_id=target.organization_id)
        .exclude(pk=target.pk)
        .select_related("version")
        .order_by("-updated_at", "-id")[:SOURCE_CHOICES]
    )


def source_questionnaire(target: Questionnaire, pk: int) -> Questionnaire:
    source = (
        Questionnaire.objects.filter(organization_id=target.organization_id, pk=pk)
        .exclude(pk=target.pk)
        .select_related("version")
        .first()
    )
    if source is None:
        raise Http404("No such questionnaire in this organisation.")
    return source


@dataclass(frozen=True)
class Fill:
    """One unanswered answer of the target and the source's answer to the same question ID."""

    target: Answer
    source: Answer
    text_changed: bool


def empty_answers(questionnaire: Questionnaire) -> QuerySet[Answer]:
    """Answers with nothing in them yet: a bulk fill writes only there, so nothing anyone
    wrote is ever replaced."""
    return questionnaire.answers.filter(**dict.fromkeys(CONTENT_FIELDS, ""))


def bulk_fill_plan(target: Questionnaire, source: Questionnaire) -> list[Fill]:
    """What filling ``target``'s empty answers from ``source`` would write, in the target's
    question order: two queries."""
    given = {
        row.question.code: row
        for row in source.answers.exclude(answer="").select_related("question")
    }
    plan = []
    empty = empty_answers(target).select_related("question").order_by("question__position")
    for answer in empty:
        earlier = given.get(answer.question.code)
        if earlier is not None:
            answer.questionnaire = target
            plan.append(Fill(answer, earlier, earlier.question.text != answer.question.text))
    return plan


@dataclass
class Variant:
    """One combination of answer, owner and descriptions, and where it is used."""

    answer: str
    ssrm: str
    implementation: str
    csc_responsibilities: str
    questionnaires: list[Questionnaire] = field(default_factory=list)


@dataclass
class QuestionVariants:
    code: str
    text: str
    variants: list[Variant]

    @property
    def disagree(self) -> bool:
        """Different answers or owners for the same question (descriptions may differ)."""
        return len({(v.answer, v.ssrm) for v in self.variants}) > 1


def control_variants(membership: Membership, control_code: str) -> list[QuestionVariants]:
    """Per question of the control, the variants the organisation's questionnaires answer it
    with, the most used first (then the one edited last). The question reads as the newest
    catalog words it. Two queries."""
    rows = (
        _answered_in(membership.organization_id)
        .filter(question__control__code=control_code)
        .select_related("questionnaire", "question")
        .order_by("question__position", "-questionnaire__updated_at")
    )
    grouped: dict[str, dict[tuple, Variant]] = defaultdict(dict)
    for row in rows:
        key = tuple(getattr(row, name) for name in CONTENT_FIELDS)
        variant = grouped[row.question.code].setdefault(key, Variant(*key))
        variant.questionnaires.append(row.questionnaire)
    texts = dict(
        Question.objects.filter(code__in=grouped)
        .order_by("version__imported_at", "version_id")
        .values_list("code", "text")
    )
    return [
        QuestionVariants(
            code, texts[code], sorted(variants.values(), key=lambda v: -len(v.questionnaires))
        )
        for code, variants in grouped.items()
    ]


def library_overview(membership: Membership) -> list[dict]:
    """Per control the organisation answered: how many questionnaires answer it and whether
    their answers or owners disagree on any of its questions. One query."""
    rows = (
        _answered_in(membership.organization_id)
        .values("question__control__code", "question__code")
        .annotate(
            questionnaires=Count("questionnaire_id", distinct=True),
            answers=Count("answer", distinct=True),
            owners=Count("ssrm", distinct=True, filter=~Q(ssrm="")),
        )
        .order_by()
    )
    controls: dict[str, dict] = {}
    for row in rows:
        control = controls.setdefault(
            row["question__control__code"],
            {"code": row["question__control__code"], "questionnaires": 0, "disagree": False},
        )
        control["questionnaires"] = max(control["questionnaires"], row["questionnaires"])
        control["disagree"] |= row["answers"] > 1 or row["owners"] > 1
    return sorted(controls.values(), key=lambda c: c["code"])
