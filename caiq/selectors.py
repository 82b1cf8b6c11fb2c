"""Reads of the catalog, shaped for pages and API. The catalog is shared by all organisations."""

import datetime
from dataclasses import dataclass
from functools import cache

from django.db import connection
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils import timezone

from accounts.models import Membership, User
from accounts.selectors import memberships_for, scope_to_user
from config.lookups import AnyOfSubquery

from . import carry_over, star
from .answer_rules import CONTENT_FIELDS, content_authors_since_approval
from .models import (
    Answer,
    AnswerChange,
    CatalogVersion,
    Comment,
    Control,
    CspAnswer,
    Domain,
    Job,
    Question,
    Questionnaire,
    QuestionnaireStatus,
    QuestionnaireTally,
    ReviewStatus,
)


@dataclass(frozen=True)
class AnswerRow:
    """What readiness and the exports read of an answer, without building model objects."""

    pk: int
    code: str
    row: int  # the question's row in the catalog's template
    answer: str
    ssrm: str
    implementation: str
    csc_responsibilities: str


def answer_rows(questionnaire: Questionnaire) -> list[AnswerRow]:
    """The questionnaire's answers in question order, in one query (a job reads them once for
    its readiness check and its export)."""
    values = questionnaire.answers.order_by("question__position").values_list(
        "pk",
        "question__code",
        "question__row",
        "answer",
        "ssrm",
        "implementation",
        "csc_responsibilities",
    )
    return [AnswerRow(*row) for row in values]


def catalog_versions() -> QuerySet[CatalogVersion]:
    return CatalogVersion.objects.annotate(
        domain_count=Count("domains", distinct=True),
        control_count=Count("controls", distinct=True),
        question_count=Count("questions", distinct=True),
    ).order_by("-caiq_version")


def domains_with_questions(version: CatalogVersion, *, domain_code: str | None = None):
    """Domains of a version, each with its controls and their questions: three queries in all."""
    domains = Domain.objects.filter(version=version).annotate(
        question_count=Count("controls__questions")
    )
    if domain_code:
        domains = domains.filter(code=domain_code)
    return domains.prefetch_related(
        Prefetch(
            "controls",
            queryset=Control.objects.order_by("position").prefetch_related(
                Prefetch("questions", queryset=Question.objects.order_by("position"))
            ),
        )
    )


# --- Questionnaires: tenant data, scoped through accounts.selectors -------------------------

ANSWER_FILTERS = {
    "unanswered": ("Unanswered", Q(answer="")),
    "mine": ("Assigned to me", None),  # needs the user: see answers_for_fill_page
    "ready": ("Ready for review", Q(review_status=ReviewStatus.READY)),
    "changes": ("Changes requested", Q(review_status=ReviewStatus.CHANGES_REQUESTED)),
    "na_unexplained": ("NA without explanation", Q(answer=CspAnswer.NA, implementation="")),
    "no": ("No answers", Q(answer=CspAnswer.NO)),
    "flagged": ("Flagged on copy", ~Q(carry_over="")),
    "expired_evidence": ("Backed by expired evidence", None),  # needs the date: see below
}


def questionnaires_for(user: User) -> QuerySet[Questionnaire]:
    return scope_to_user(Questionnaire.objects.all(), user)


def answers_for(user: User) -> QuerySet[Answer]:
    """The answers of the user's organisations, scoped by the organisations' ids.

    Same rows as ``scope_to_user(..., via="questionnaire__organization")``, but with the ids
    as literals (one small query first) PostgreSQL estimates the organisation's share of the
    answers from its statistics. Through the membership join it assumes an average-sized
    organisation, and for a large one it planned an ``updated_since`` pull as a walk through
    all of that organisation's answers instead of down the ``updated_at`` index.
    """
    organization_ids = list(memberships_for(user).values_list("organization_id", flat=True))
    return Answer.objects.filter(questionnaire__organization_id__in=organization_ids)


def questionnaire_for_member(
    user: User, pk: int, *, memberships: list[Membership] | None = None
) -> tuple[Questionnaire, Membership]:
    """The questionnaire and the user's membership of its organisation; 404 for outsiders.

    One query, as ``answer_for_member``: the membership comes with the questionnaire. A page
    that already read the user's memberships (``memberships_for``, for its header) passes them,
    and the query then looks only among their organisations, without joining the memberships.
    """
    if memberships is not None:
        return _questionnaire_among(memberships, pk)
    questionnaire = (
        _with_membership(Questionnaire.objects.all(), user, "organization")
        .select_related("version", "organization", "owner")
        .filter(pk=pk)
        .order_by()[:1]
    )
    questionnaire = questionnaire[0] if questionnaire else None
    if questionnaire is None:
        raise Http404("No such questionnaire.")
    return questionnaire, _membership_of(questionnaire, user, questionnaire.organization_id)


def _questionnaire_among(
    memberships: list[Membership], pk: int
) -> tuple[Questionnaire, Membership]:
    by_organization = {m.organization_id: m for m in memberships}
    questionnaire = (
        Questionnaire.objects.filter(pk=pk, organization_id__in=by_organization)
        .select_related("version", "owner")
        .order_by()
        .first()
    )
    if questionnaire is None:
        raise Http404("No such questionnaire.")
    membership = by_organization[questionnaire.organization_id]
    questionnaire.organization = membership.organization  # read with the membership
    return questionnaire, membership


def _with_membership(queryset: QuerySet, user: User, organization: str) -> QuerySet:
    """``queryset`` narrowed to the user's organisations, each row carrying the user's
    membership id and role (``organization`` is the path to the Organization).

    One join: the filter and the annotations name the same multi-valued relation in one
    queryset step, so Django joins the memberships once (a subquery per value cost more).
    """
    memberships = f"{organization}__memberships__"
    return queryset.filter(**{f"{memberships}user_id": user.pk}).annotate(
        member_id=F(f"{memberships}id"), member_role=F(f"{memberships}role")
    )


def _membership_of(row, user: User, organization_id: int) -> Membership:
    return Membership(
        pk=row.member_id, user=user, organization_id=organization_id, role=row.member_role
    )


PROGRESS_KEYS = ("total", "answered", "approved", "yes", "no")


def _counts() -> dict:
    """Progress counts over a queryset of answers."""
    return {
        "total": Count("id"),
        "answered": Count("id", filter=~Q(answer="")),
        "approved": Count("id", filter=Q(review_status=ReviewStatus.APPROVED)),
        "yes": Count("id", filter=Q(answer=CspAnswer.YES)),
        "no": Count("id", filter=Q(answer=CspAnswer.NO)),
    }


def questionnaire_list(
    membership: Membership, *, search: str = "", status: str = ""
) -> QuerySet[Questionnaire]:
    """The organisation's questionnaires, newest first, filtered by name or service and status.

    No progress counts here: aggregating the answers of every questionnaire would make the
    list cost grow with their number. Count for the page shown with ``attach_progress``.
    """
    questionnaires = (
        Questionnaire.objects.filter(organization_id=membership.organization_id)
        .select_related("version", "owner")
        .order_by("-created_at", "-id")
    )
    if status in QuestionnaireStatus.values:
        questionnaires = questionnaires.filter(status=status)
    search = search.strip()
    if search:
        questionnaires = questionnaires.filter(
            Q(name__icontains=search) | Q(service_name__icontains=search)
        )
    return questionnaires


def questionnaire_status_counts(membership: Membership) -> list[tuple[str, str, int]]:
    """(status, label, how many) for every status, in workflow order: the tally's few rows
    (QuestionnaireTally, kept by triggers), not a count of every questionnaire."""
    counts = dict(
        QuestionnaireTally.objects.filter(organization_id=membership.organization_id).values_list(
            "status", "count"
        )
    )
    return [(value, label, counts.get(value, 0)) for value, label in QuestionnaireStatus.choices]


STAR_ENTRIES_SHOWN = 5


# Deprecated entries stay on the dashboard this long after they lapse, unless renewed.
STAR_DEPRECATED_SHOWN_DAYS = 90


def star_entries_to_renew(membership: Membership, today) -> list[tuple[Questionnaire, object]]:
    """The organisation's STAR entries due for renewal, or deprecated in the last
    STAR_DEPRECATED_SHOWN_DAYS days, and not renewed yet (no copy of them submitted since):
    oldest first, at most STAR_ENTRIES_SHOWN + 1 (the dashboard says "and more" past the
    limit). A range scan of ``questionnaire_star_idx``."""
    newest = today - datetime.timedelta(days=365 - star.DUE_DAYS)
    oldest = today - datetime.timedelta(days=366 + STAR_DEPRECATED_SHOWN_DAYS)
    renewed = Questionnaire.objects.filter(
        copied_from=OuterRef("pk"),
        status=QuestionnaireStatus.SUBMITTED,
        submitted_at__gt=OuterRef("submitted_at"),
    )
    due = (
        Questionnaire.objects.filter(
            organization_id=membership.organization_id,
            status=QuestionnaireStatus.SUBMITTED,
            submitted_at__range=(oldest, newest),
        )
        .exclude(Exists(renewed))
        .order_by("submitted_at", "pk")[: STAR_ENTRIES_SHOWN + 1]
    )
    entries = [(q, star.entry(q.submitted_at, today)) for q in due]
    return [
        (q, entry)
        for q, entry in entries
        if entry.state == star.DUE or -entry.days_left <= STAR_DEPRECATED_SHOWN_DAYS
    ]


def attach_progress(questionnaires: list[Questionnaire], *, by_domain: bool = True) -> None:
    """Set ``total``, ``answered``, ``approved``, ``yes``, ``no`` (and ``domains``) on each:
    one query."""
    if by_domain:
        domains = domain_progress_by_questionnaire(questionnaires)
        for questionnaire in questionnaires:
            rows = questionnaire.domains = domains[questionnaire.pk]
            for key in PROGRESS_KEYS:
                setattr(questionnaire, key, sum(row[key] for row in rows))
        return
    totals = {
        row["questionnaire_id"]: row
        for row in Answer.objects.filter(questionnaire__in=questionnaires)
        .values("questionnaire_id")
        .annotate(**_counts())
        .order_by()
    }
    for questionnaire in questionnaires:
        row = totals.get(questionnaire.pk, {})
        for key in PROGRESS_KEYS:
            setattr(questionnaire, key, row.get(key, 0))


# How far back the dashboard looks for answer activity: a bounded read, whatever the volume.
RECENT_CHANGES_SCANNED = 500


def recently_updated_questionnaires(membership: Membership, *, limit: int = 8) -> list:
    """The questionnaires whose answers changed last, newest first, each with ``last_change``.

    Read from the organisation's latest RECENT_CHANGES_SCANNED answer changes (a walk down the
    ``updated_at`` index, not a maximum over every answer of every questionnaire); when those
    name fewer than ``limit`` questionnaires, the rest are the ones edited last themselves.
    """
    organization_id = membership.organization_id
    recent = (
        Answer.objects.filter(questionnaire__organization_id=organization_id)
        .order_by("-updated_at")
        .values_list("questionnaire_id", "updated_at")[:RECENT_CHANGES_SCANNED]
    )
    last_change: dict[int, object] = {}
    for questionnaire_id, at in recent:
        last_change.setdefault(questionnaire_id, at)
        if len(last_change) == limit:
            break
    base = Questionnaire.objects.filter(organization_id=organization_id)
    # One query either way: the ones found, plus the ones edited last in case they are too few.
    latest_edited = base.order_by("-updated_at", "-id").values("pk")[:limit]
    candidates = list(
        # AnyOfSubquery: with a plain IN, PostgreSQL served the OR by walking every
        # questionnaire of the organisation instead of two look-ups of eight ids.
        base.filter(
            Q(pk__in=list(last_change)) | AnyOfSubquery(F("pk"), latest_edited)
        ).select_related("version")
    )
    found = {q.pk: q for q in candidates}
    questionnaires = [found[pk] for pk in last_change if pk in found]
    others = sorted(
        (q for q in candidates if q.pk not in last_change),
        key=lambda q: (q.updated_at, q.pk),
        reverse=True,
    )
    questionnaires = (questionnaires + others)[:limit]
    for questionnaire in questionnaires:
        questionnaire.last_change = last_change.get(questionnaire.pk, questionnaire.updated_at)
    return questionnaires


# Counted up to here, shown as "99+" beyond: a number nobody reads exactly, and a count that
# stops there costs the same for a person assigned 50 answers or 50,000.
OPEN_ASSIGNMENTS_SHOWN = 99


def open_assignment_count(user: User, membership: Membership) -> int:
    """The user's assigned answers not approved yet, in questionnaires still open: exact up to
    OPEN_ASSIGNMENTS_SHOWN, and OPEN_ASSIGNMENTS_SHOWN + 1 for anything above."""
    return (
        Answer.objects.filter(
            assignee=user, questionnaire__organization_id=membership.organization_id
        )
        .exclude(review_status=ReviewStatus.APPROVED)
        .exclude(questionnaire__status=QuestionnaireStatus.SUBMITTED)[: OPEN_ASSIGNMENTS_SHOWN + 1]
        .count()
    )


def _domain_rows(answers: QuerySet[Answer], *group: str) -> QuerySet:
    return (
        answers.values(
            *group,
            code=F("question__control__domain__code"),
            title=F("question__control__domain__title"),
            position=F("question__control__domain__position"),
        )
        .annotate(**_counts())
        .order_by(*group, "position")
    )


@cache
def _domain_progress_sql(vendor: str) -> str:
    # ``vendor`` keys the cache: identifiers are quoted by the backend in use.
    quote = connection.ops.quote_name
    answer, question, control, domain = (
        quote(model._meta.db_table) for model in (Answer, Question, Control, Domain)
    )
    return (
        "SELECT d.code, d.title, d.position, COUNT(*),"  # noqa: S608 - quoted table names, values as parameters
        " SUM(CASE WHEN a.answer <> '' THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN a.review_status = %s THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN a.answer = %s THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN a.answer = %s THEN 1 ELSE 0 END)"
        f" FROM {answer} a JOIN {question} q ON q.id = a.question_id"
        f" JOIN {control} c ON c.id = q.control_id JOIN {domain} d ON d.id = c.domain_id"
        " WHERE a.questionnaire_id = %s"
        " GROUP BY d.id, d.code, d.title, d.position ORDER BY d.position"
    )


def domain_progress(questionnaire: Questionnaire) -> list[dict]:
    """Per domain: code, title, total, answered, approved, yes, no, in catalog order. One query.

    Read on every fill page and on every save that moves a count, so written as SQL: the same
    aggregate built by the ORM (``_domain_rows``) spent 0.65 ms of its 0.85 ms in Django
    compiling it and converting its rows (bench/fill_page.py). It must agree with that
    aggregate: test_the_hand_written_domain_counts_agree_with_the_orm.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            _domain_progress_sql(connection.vendor),
            [ReviewStatus.APPROVED, CspAnswer.YES, CspAnswer.NO, questionnaire.pk],
        )
        rows = cursor.fetchall()
    keys = ("code", "title", "position", "total", "answered", "approved", "yes", "no")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def domain_progress_by_questionnaire(questionnaires: list[Questionnaire]) -> dict[int, list]:
    """``domain_progress`` for many questionnaires in one query, keyed by questionnaire id."""
    rows: dict[int, list] = {q.pk: [] for q in questionnaires}
    answers = Answer.objects.filter(questionnaire__in=questionnaires)
    for row in _domain_rows(answers, "questionnaire_id"):
        rows[row["questionnaire_id"]].append(row)
    return rows


# What an answer card or grid row shows. Only these columns: Django compiles every selected
# column of every joined table on each query, which showed in the fill page's profile.
FILL_PAGE_FIELDS = (
    "questionnaire_id",
    *CONTENT_FIELDS,
    "internal_notes",
    "review_status",
    "carry_over",
    "updated_at",
    "revision",
    "question__code",
    "question__text",
    "question__control__code",
    "question__control__title",
    "question__control__specification",
    "assignee__name",
    "assignee__email",
    "updated_by__name",
    "updated_by__email",
)


def _quoted(model, field: str = "") -> str:
    name = connection.ops.quote_name(model._meta.db_table)
    return f"{name}.{connection.ops.quote_name(field)}" if field else name


# Each answer's number of comments, as a correlated count in SQL. Written out rather than as
# Subquery(OuterRef(...)): Django compiled that subquery anew on every view of the fill page,
# 0.65 ms of its ~10 (bench/fill_page.py); this costs a third of that. The answer table is the
# query's own base table, under its own name.
_COMMENT_COUNT_SQL = "SELECT COUNT(*) FROM {comment} WHERE {comment_answer} = {answer_id}"


def _comment_count() -> RawSQL:
    sql = _COMMENT_COUNT_SQL.format(
        comment=_quoted(Comment),
        comment_answer=_quoted(Comment, "answer_id"),
        answer_id=_quoted(Answer, "id"),
    )
    return RawSQL(sql, (), output_field=IntegerField())  # noqa: S611 - no user input


def answers_for_fill_page(
    questionnaire: Questionnaire,
    user: User,
    *,
    domain: str | None = None,
    show: str | None = None,
    search: str = "",
) -> QuerySet[Answer]:
    """The answers the fill page shows, with what their cards show but the evidence chips
    (evidence.presentation.mark_answer_evidence): one query."""
    answers = (
        questionnaire.answers.select_related("question__control", "assignee", "updated_by")
        .only(*FILL_PAGE_FIELDS)
        # A subquery, not Count("comments"): that grouped the whole wide row, which PostgreSQL
        # sorted to aggregate (0.4 ms of the fill page's 12).
        .annotate(comment_count=_comment_count())
        .order_by("question__position")
    )
    if domain:
        answers = answers.filter(question__control__domain__code=domain)
    if show == "mine":
        answers = answers.filter(assignee=user)
    elif show == "expired_evidence":
        expired = Answer.objects.filter(
            questionnaire=questionnaire,
            evidence_links__evidence__valid_until__lt=timezone.localdate(),
        )
        answers = answers.filter(pk__in=expired.values("pk"))
    elif show in ANSWER_FILTERS:
        answers = answers.filter(ANSWER_FILTERS[show][1])
    search = search.strip()
    if search:
        answers = answers.filter(
            Q(question__code__icontains=search)
            | Q(question__text__icontains=search)
            | Q(implementation__icontains=search)
        )
    return answers


def answers_with_own_content(answers: list[Answer], user: User) -> set[int]:
    """Which of ``answers`` hold content ``user`` changed since their last approval (directly
    or through an organisation token they created): the ones they may not approve. One query.
    """
    history: dict[int, list] = {answer.pk: [] for answer in answers}
    rows = (
        AnswerChange.objects.filter(answer_id__in=history)
        .annotate(token_creator=F("changed_by__service_token__created_by_id"))
        .order_by("answer_id", "revision")
        .values_list("answer_id", "changed_by_id", "token_creator", "changes")
    )
    for answer_id, changed_by_id, token_creator, changes in rows:
        history[answer_id].append((token_creator or changed_by_id, changes))
    return {
        answer_id
        for answer_id, changes in history.items()
        if user.pk in content_authors_since_approval(changes, CONTENT_FIELDS, ReviewStatus.APPROVED)
    }


def answer_for_member(
    user: User, questionnaire_pk: int, answer_pk: int
) -> tuple[Answer, Membership]:
    """The answer and the user's membership of its organisation; 404 for outsiders.

    One query: every save on the fill page starts here, so the membership (its id and role)
    comes with the answer instead of in a second round trip. It reads what a save needs, the
    questionnaire and the question; a card to show is read by ``answers_for_fill_page``.
    """
    answer = (
        _with_membership(Answer.objects.all(), user, "questionnaire__organization")
        .select_related("questionnaire", "question")
        .filter(pk=answer_pk, questionnaire_id=questionnaire_pk)
        .order_by()[:1]
    )
    answer = answer[0] if answer else None
    if answer is None:
        raise Http404("No such answer.")
    return answer, _membership_of(answer, user, answer.questionnaire.organization_id)


def answers_assigned_to(user: User, membership: Membership) -> QuerySet[Answer]:
    return (
        Answer.objects.filter(
            assignee=user, questionnaire__organization_id=membership.organization_id
        )
        .exclude(questionnaire__status="submitted")
        .select_related("questionnaire", "question")
        .order_by("questionnaire__name", "question__position")
    )


def answer_history(answer: Answer) -> QuerySet[AnswerChange]:
    return answer.changes.select_related("changed_by", "reused_from")


def organization_people(membership: Membership) -> QuerySet[User]:
    """Who questions can be assigned to: the organisation's people, not its API tokens."""
    return User.objects.filter(
        memberships__organization_id=membership.organization_id, is_service_account=False
    ).order_by("email")


def questionnaire_jobs(questionnaire: Questionnaire, *, limit: int = 20) -> list[Job]:
    return list(questionnaire.jobs.select_related("created_by")[:limit])


def job_for_member(user: User, questionnaire_pk: int, job_pk: int) -> Job:
    job = (
        scope_to_user(Job.objects.all(), user)
        .filter(pk=job_pk, questionnaire_id=questionnaire_pk)
        .first()
    )
    if job is None:
        raise Http404("No such job.")
    return job


def copy_forward_plan(source: Questionnaire, version: CatalogVersion) -> carry_over.CarryPlan:
    """What copying ``source`` into ``version`` would carry, flag, add and leave behind: two
    queries, nothing written."""
    old = source.answers.order_by("question__position").values_list(
        "question__code", "question__text", "answer"
    )
    new = version.questions.order_by("position").values_list("code", "text")
    return carry_over.plan(list(old), list(new))
