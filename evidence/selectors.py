"""Scoped reads of the evidence library (through accounts.selectors, like all tenant data)."""

import datetime

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from accounts.models import Membership, User
from accounts.selectors import memberships_for, scope_to_user

from .models import EXPIRY_WARNING_DAYS, Evidence, EvidenceLink, EvidenceVersion


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


def links_prefetch() -> Prefetch:
    """For answer querysets: each answer's evidence, with the latest version, in two queries."""
    return Prefetch(
        "evidence_links",
        queryset=EvidenceLink.objects.select_related("evidence").order_by("evidence__title"),
    )


def stale_evidence_totals(organization_id: int, today: datetime.date) -> dict[str, int]:
    """How many of the organisation's evidence items expired or expire soon: one aggregate."""
    return Evidence.objects.filter(organization_id=organization_id).aggregate(
        expired=Count("id", filter=freshness_filter("expired", today)),
        expiring=Count("id", filter=freshness_filter("expiring", today)),
    )


def stale_evidence_counts(questionnaire_ids: list[int], today: datetime.date) -> dict[int, dict]:
    """Per questionnaire: how many linked evidence items expired or expire soon. One query."""
    horizon = today + datetime.timedelta(days=EXPIRY_WARNING_DAYS)
    rows = (
        EvidenceLink.objects.filter(answer__questionnaire_id__in=questionnaire_ids)
        .values("answer__questionnaire_id")
        .annotate(
            expired=Count("evidence", filter=Q(evidence__valid_until__lt=today), distinct=True),
            expiring=Count(
                "evidence",
                filter=Q(evidence__valid_until__gte=today, evidence__valid_until__lte=horizon),
                distinct=True,
            ),
        )
    )
    return {row["answer__questionnaire_id"]: row for row in rows}


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
