"""Reads of share links: a visitor's link by its secret (404 unless usable), an organisation's
links for its members, and what a visitor may read of the questionnaire."""

from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.digests import secret_digest
from accounts.models import User
from accounts.selectors import scope_to_user
from caiq.models import Questionnaire
from responsibility.matrix import CUSTOMER_OWNERS, Domain, Row, by_domain
from responsibility.selectors import FIELDS

from .models import AccessKind, ShareAccess, ShareLink
from .services import SHAREABLE


def usable_link(token: str) -> ShareLink:
    """The link ``token`` opens, or 404 (unknown, revoked, expired, or its questionnaire no
    longer approved or submitted): every refusal looks the same, and says nothing."""
    link = (
        ShareLink.objects.select_related("questionnaire__version", "organization")
        .filter(
            token_hash=secret_digest(token),
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
            questionnaire__status__in=SHAREABLE,
        )
        .order_by()
        .first()
    )
    if link is None:
        raise Http404("No such link.")
    return link


def with_counts(links: QuerySet[ShareLink]) -> QuerySet[ShareLink]:
    return links.annotate(
        views=Count("accesses", filter=Q(accesses__kind=AccessKind.VIEWED)),
        downloads=Count("accesses", filter=Q(accesses__kind=AccessKind.DOWNLOADED)),
        last_access=Max("accesses__at"),
    )


def links_of_questionnaire(questionnaire: Questionnaire) -> QuerySet[ShareLink]:
    return with_counts(
        questionnaire.share_links.select_related("created_by", "revoked_by")
    ).order_by("-created_at", "-pk")


def links_of_organization(organization) -> QuerySet[ShareLink]:
    return with_counts(
        ShareLink.objects.filter(organization=organization).select_related(
            "questionnaire", "created_by", "revoked_by"
        )
    ).order_by("-created_at", "-pk")


def links_for_user(user: User) -> QuerySet[ShareLink]:
    """Share links of the user's organisations (another organisation's are absent: 404)."""
    return scope_to_user(ShareLink.objects.all(), user).select_related(
        "questionnaire", "organization", "created_by", "revoked_by"
    )


def accesses_of(link: ShareLink) -> QuerySet[ShareAccess]:
    return link.accesses.order_by("-at", "-pk")


def shared_answers(questionnaire: Questionnaire) -> tuple[list[Domain], list[Domain]]:
    """Every answer by domain, and the customer responsibility summary, from one query: what
    a visitor reads (never internal notes, comments, assignees or evidence)."""
    rows = [
        Row(*values)
        for values in questionnaire.answers.order_by("question__position").values_list(*FIELDS)
    ]
    return by_domain(rows), by_domain([r for r in rows if r.ssrm in CUSTOMER_OWNERS])
