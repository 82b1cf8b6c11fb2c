"""Scoped reads of the evidence library (through accounts.selectors, like all tenant data)."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.http import Http404

from accounts.models import Membership, User
from accounts.selectors import memberships_for, scope_to_user
from caiq.models import Answer
from config.lookups import AnyOfSubquery

from .models import (
    EXPIRY_WARNING_DAYS,
    Evidence,
    EvidenceLink,
    EvidenceVersion,
    Freshness,
    freshness_of,
)


def evidence_for(user: User) -> QuerySet[Evidence]:
    return scope_to_user(Evidence.objects.all(), user)


def freshness_filter(freshness: str, today: datetime.date) -> Q:
    horizon = today + datetime.timedelta(days=EXPIRY_WARNING_DAYS)
    return {
        "expired": Q(valid_until__lt=today),
        "expiring": Q(valid_until__gte=today, valid_until__lte=horizon),
        "stale": Q(valid_until__lte=horizon),
        "current": Q(valid_until__gt=horizon) | Q(valid_until__isnull=True),
    }.get(freshness, Q())


def evidence_list(
    membership: Membership, *, today: datetime.date, freshness: str = "", search: str = ""
) -> QuerySet[Evidence]:
    items = (
        Evidence.objects.filter(organization_id=membership.organization_id)
        .filter(freshness_filter(freshness, today))
        .select_related("owner")
        .annotate(link_count=Count("links", distinct=True))
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=EvidenceVersion.objects.select_related("stored_file").order_by("-number"),
            )
        )
        .order_by("title")
    )
    if search.strip():
        items = items.filter(Q(title__icontains=search) | Q(description__icontains=search))
    return items


def evidence_or_404(user: User, pk: int) -> tuple[Evidence, Membership]:
    evidence = evidence_for(user).select_related("owner", "organization").filter(pk=pk).first()
    if evidence is None:
        raise Http404("No such evidence.")
    membership = memberships_for(user).get(organization_id=evidence.organization_id)
    return evidence, membership


def version_or_404(user: User, pk: int, number: int) -> EvidenceVersion:
    version = (
        EvidenceVersion.objects.filter(
            evidence__in=evidence_for(user), evidence_id=pk, number=number
        )
        .select_related("stored_file", "evidence")
        .first()
    )
    if version is None:
        raise Http404("No such file.")
    return version


@dataclass(frozen=True, slots=True)
class Chip:
    """One evidence item as an answer shows it: a chip with its title, freshness and link."""

    link_id: int
    evidence_id: int
    title: str
    kind: str
    url: str
    fresh: Freshness


_CHIP_COLUMNS = (
    "answer_id",
    "pk",
    "evidence_id",
    "evidence__title",
    "evidence__kind",
    "evidence__url",
    "evidence__valid_until",
)


def chips_by_answer(answer_ids: Iterable[int], today: datetime.date) -> dict[int, list[Chip]]:
    """Each answer's evidence chips, by title. One query of plain values: the fill page showed
    a prefetch of models costing as much as the answers' own query."""
    chips: dict[int, list[Chip]] = {pk: [] for pk in answer_ids}
    rows = EvidenceLink.objects.filter(answer_id__in=chips).values_list(*_CHIP_COLUMNS)
    _collect(chips, rows.order_by("evidence__title", "pk"), today)
    return chips


def fill_page_evidence(
    questionnaire_id: int, answer_ids: Iterable[int], today: datetime.date
) -> tuple[dict[int, list[Chip]], dict[str, int]]:
    """The chips of the answers on the page, and how many evidence items linked anywhere in the
    questionnaire expired or expire soon (``stale_evidence_counts``): both from one query of
    the links that are either on the page or stale, which are few."""
    chips: dict[int, list[Chip]] = {pk: [] for pk in answer_ids}
    horizon = today + datetime.timedelta(days=EXPIRY_WARNING_DAYS)
    rows = list(
        EvidenceLink.objects.filter(answer__questionnaire_id=questionnaire_id)
        .filter(Q(answer_id__in=chips) | Q(evidence__valid_until__lte=horizon))
        .order_by("evidence__title", "pk")
        .values_list(*_CHIP_COLUMNS)
    )
    _collect(chips, rows, today)
    stale = [(row[2], row[6]) for row in rows if row[6] is not None and row[6] <= horizon]
    return chips, _stale_counts(stale, today)


def _stale_counts(items: Iterable[tuple[int, datetime.date]], today: datetime.date) -> dict:
    """How many distinct evidence items, of (id, valid_until) pairs within the warning horizon,
    expired and how many expire soon."""
    valid_until = dict(items)
    expired = sum(1 for day in valid_until.values() if day < today)
    return {"expired": expired, "expiring": len(valid_until) - expired}


def _collect(chips: dict[int, list[Chip]], rows: Iterable[tuple], today: datetime.date) -> None:
    for answer_id, link_id, evidence_id, title, kind, url, valid_until in rows:
        if answer_id in chips:
            fresh = freshness_of(valid_until, today)
            chips[answer_id].append(Chip(link_id, evidence_id, title, kind, url, fresh))


def stale_evidence_totals(organization_id: int, today: datetime.date) -> dict[str, int]:
    """How many of the organisation's evidence items expired or expire soon: one aggregate."""
    return Evidence.objects.filter(organization_id=organization_id).aggregate(
        expired=Count("id", filter=freshness_filter("expired", today)),
        expiring=Count("id", filter=freshness_filter("expiring", today)),
    )


def stale_evidence_counts(questionnaire_ids: list[int], today: datetime.date) -> dict[int, dict]:
    """Per questionnaire: how many linked evidence items expired or expire soon. One query.

    The stale links are few; counting them here was cheaper than building a filtered, distinct
    aggregate for the database (the fill page reads this on every load)."""
    horizon = today + datetime.timedelta(days=EXPIRY_WARNING_DAYS)
    # From the page's answers to their links, whatever the planner guesses (AnyOfSubquery): its
    # other choice, every link of the stale items, grows with every questionnaire.
    answers = Answer.objects.filter(questionnaire_id__in=questionnaire_ids).order_by().values("pk")
    rows = (
        EvidenceLink.objects.filter(
            AnyOfSubquery(F("answer_id"), answers), evidence__valid_until__lte=horizon
        )
        .values_list("answer__questionnaire_id", "evidence_id", "evidence__valid_until")
        .distinct()
    )
    items: dict[int, list] = {}
    for questionnaire_id, evidence_id, valid_until in rows:
        items.setdefault(questionnaire_id, []).append((evidence_id, valid_until))
    return {pk: _stale_counts(pairs, today) for pk, pairs in items.items()}


def expired_links_by_answer(questionnaire, today: datetime.date) -> dict[int, int]:
    """Answer id → number of expired evidence items backing it, for one questionnaire."""
    rows = (
        EvidenceLink.objects.filter(
            answer__questionnaire=questionnaire, evidence__valid_until__lt=today
        )
        .values("answer_id")
        .annotate(n=Count("evidence", distinct=True))
    )
    return {row["answer_id"]: row["n"] for row in rows}


def link_or_404(user: User, pk: int) -> EvidenceLink:
    link = (
        EvidenceLink.objects.filter(pk=pk, evidence__in=evidence_for(user))
        .select_related("evidence", "answer__questionnaire")
        .first()
    )
    if link is None:
        raise Http404("No such link.")
    return link
