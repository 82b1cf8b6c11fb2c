"""What pages need to show evidence: freshness for templates, URL prefixes for fragments."""

import datetime
from collections.abc import Iterable

from django.urls import reverse

from .models import Evidence
from .selectors import chips_by_answer


def mark_freshness(items: Iterable[Evidence], today: datetime.date) -> None:
    """Set ``fresh`` (a Freshness) on each item, for templates: they cannot pass ``today``."""
    for item in items:
        item.fresh = item.freshness(today)


def mark_answer_evidence(answers: Iterable, today: datetime.date) -> None:
    """Set ``chips`` on each answer: its evidence as _answer_evidence.html shows it."""
    answers = list(answers)
    attach_chips(answers, chips_by_answer([a.pk for a in answers], today))


def attach_chips(answers: Iterable, chips: dict[int, list]) -> None:
    """``chips`` (by answer id, from chips_by_answer or fill_page_evidence) onto the answers."""
    for answer in answers:
        answer.chips = chips[answer.pk]


def evidence_urls(questionnaire_id: int) -> dict:
    """The prefixes _answer_evidence.html builds its URLs from: one reverse per page."""
    base = reverse("evidence:list")
    return {"evidence_base": base, "attach_base": f"{base}attach/{questionnaire_id}/"}
