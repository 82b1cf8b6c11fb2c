"""What pages need to show evidence: freshness for templates, URL prefixes for fragments."""

import datetime
from collections.abc import Iterable

from django.urls import reverse

from .models import Evidence


def mark_freshness(items: Iterable[Evidence], today: datetime.date) -> None:
    """Set ``fresh`` (a Freshness) on each item, for templates: they cannot pass ``today``."""
    for item in items:
        item.fresh = item.freshness(today)


def mark_answer_evidence(answers: Iterable, today: datetime.date) -> None:
    """``mark_freshness`` for the evidence linked to answers (prefetched with links_prefetch)."""
    mark_freshness((link.evidence for a in answers for link in a.evidence_links.all()), today)


def evidence_urls(questionnaire_id: int) -> dict:
    """The prefixes _answer_evidence.html builds its URLs from: one reverse per page."""
    base = reverse("evidence:list")
    return {"evidence_base": base, "attach_base": f"{base}attach/{questionnaire_id}/"}
