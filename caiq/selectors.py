"""Reads of the catalog, shaped for pages and API. The catalog is shared by all organisations."""

from django.db.models import Count, Prefetch, QuerySet

from .models import CatalogVersion, Control, Domain, Question


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
