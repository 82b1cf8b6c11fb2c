"""Reads of the catalog, shaped for pages and API. The catalog is shared by all organisations."""

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import Membership, User
from accounts.selectors import memberships_for, scope_to_user
from evidence.selectors import links_prefetch

from .models import (
    Answer,
    AnswerChange,
    CatalogVersion,
    Control,
    CspAnswer,
    Domain,
    Job,
    Question,
    Questionnaire,
    ReviewStatus,
)


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


def questionnaire_for_member(user: User, pk: int) -> tuple[Questionnaire, Membership]:
    """The questionnaire and the user's membership of its organisation; 404 for outsiders."""
    questionnaire = (
        questionnaires_for(user).select_related("version", "organization", "owner").filter(pk=pk)
    ).first()
    if questionnaire is None:
        raise Http404("No such questionnaire.")
    membership = memberships_for(user).get(organization_id=questionnaire.organization_id)
    return questionnaire, membership


def _progress(prefix: str = "") -> dict:
    answers = f"{prefix}answers" if prefix else "answers"
    return {
        "total": Count(answers),
        "answered": Count(answers, filter=~Q(**{f"{answers}__answer": ""})),
        "approved": Count(
            answers, filter=Q(**{f"{answers}__review_status": ReviewStatus.APPROVED})
        ),
    }


def questionnaire_list(membership: Membership) -> QuerySet[Questionnaire]:
    """The organisation's questionnaires with answered and approved counts: one query."""
    return (
        Questionnaire.objects.filter(organization_id=membership.organization_id)
        .select_related("version", "owner")
        .annotate(**_progress())
        .order_by("-created_at")
    )


def _domain_rows(answers: QuerySet[Answer]) -> QuerySet:
    return (
        answers.values(
            "questionnaire_id",
            code=F("question__control__domain__code"),
            title=F("question__control__domain__title"),
            position=F("question__control__domain__position"),
        )
        .annotate(
            total=Count("id"),
            answered=Count("id", filter=~Q(answer="")),
            approved=Count("id", filter=Q(review_status=ReviewStatus.APPROVED)),
        )
        .order_by("questionnaire_id", "position")
    )


def domain_progress(questionnaire: Questionnaire) -> list[dict]:
    """Per domain: code, title, total, answered, approved, in catalog order. One query."""
    return list(_domain_rows(questionnaire.answers.all()))


def domain_progress_by_questionnaire(questionnaires: list[Questionnaire]) -> dict[int, list]:
    """``domain_progress`` for many questionnaires in one query, keyed by questionnaire id."""
    rows: dict[int, list] = {q.pk: [] for q in questionnaires}
    for row in _domain_rows(Answer.objects.filter(questionnaire__in=questionnaires)):
        rows[row["questionnaire_id"]].append(row)
    return rows


def answers_for_fill_page(
    questionnaire: Questionnaire,
    user: User,
    *,
    domain: str | None = None,
    show: str | None = None,
    search: str = "",
) -> QuerySet[Answer]:
    """The answers the fill page shows, with everything it renders: two queries."""
    answers = (
        questionnaire.answers.select_related("question__control__domain", "assignee", "updated_by")
        .annotate(comment_count=Count("comments"))
        .prefetch_related(links_prefetch())
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


def answer_for_member(
    user: User, questionnaire_pk: int, answer_pk: int
) -> tuple[Answer, Membership]:
    """The answer and the user's membership of its organisation; 404 for outsiders."""
    answer = (
        scope_to_user(Answer.objects.all(), user, via="questionnaire__organization")
        .select_related("questionnaire", "question__control__domain", "assignee", "updated_by")
        .filter(pk=answer_pk, questionnaire_id=questionnaire_pk)
        .first()
    )
    if answer is None:
        raise Http404("No such answer.")
    membership = memberships_for(user).get(organization_id=answer.questionnaire.organization_id)
    return answer, membership


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
    return answer.changes.select_related("changed_by")


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
