"""How answers read on the page: option lists rendered once per value, and changes in the
words people see there, never model field names or internal values."""

from functools import cache

from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString

from config.charts import Bar, Part, stacked_bars

from .answer_rules import FIELD_LABELS
from .models import CspAnswer, ReviewStatus, SsrmOwnership

CHANGE_LABELS = {
    **FIELD_LABELS,
    "review_status": "Review status",
    "assignee": "Assigned to",
}
VALUE_LABELS = {"review_status": dict(ReviewStatus.choices)}
EMPTY = {"answer": "Not yet", "ssrm": "—"}


@cache
def _options(choices: tuple[tuple[str, str], ...], selected: str, empty: str) -> SafeString:
    # 261 answers x 2 selects x 6 options was a template tag per option; the HTML of a select's
    # options depends only on the selected value, so each variant is built once per process.
    return format_html('<option value="">{}</option>', empty) + format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((value, " selected" if value == selected else "", label) for value, label in choices),
    )


# Read once: an enum's .choices is rebuilt on every access.
_ANSWER_CHOICES = tuple(CspAnswer.choices)
_SSRM_CHOICES = tuple(SsrmOwnership.choices)


def answer_options(selected: str) -> SafeString:
    return _options(_ANSWER_CHOICES, selected or "", EMPTY["answer"])


def ssrm_options(selected: str) -> SafeString:
    return _options(_SSRM_CHOICES, selected or "", EMPTY["ssrm"])


def describe_changes(changes: dict[str, list]) -> list[tuple[str, str, str]]:
    """(label, old, new) per changed field: "Review status", "Not started" → "In progress"."""
    described = []
    for field, (old, new) in changes.items():
        values = VALUE_LABELS.get(field, {})
        label = CHANGE_LABELS.get(field, field.replace("_", " ").capitalize())
        described.append((label, values.get(old, old), values.get(new, new)))
    return described


def domain_count(domain: dict, oob: bool = False) -> SafeString:
    """A domain's "answered/total · approved✓" in the sidebar; ``oob`` for htmx's out-of-band
    swap after a save. Rendered 18 times per page and per save, so built with an f-string
    rather than format_html: the slug is escaped, the rest are numbers."""
    approved = f" · {int(domain['approved'])}✓" if domain["approved"] else ""
    swap = ' hx-swap-oob="true"' if oob else ""
    return SafeString(
        f'<span id="count-{escape(domain["slug"])}"{swap}>'
        f"{int(domain['answered'])}/{int(domain['total'])}{approved}</span>"
    )


def _percent(part: int, whole: int) -> int:
    # As Django's {% widthratio %} rounded it, so the bars did not move with the change.
    return round(part / whole * 100) if whole else 0


def progress_bar(total: int, answered: int, approved: int) -> SafeString:
    """The progress bar and its "answered/total · approved" line: the fill page's header, each
    save's out-of-band update, and the questionnaire lists. Widths are SVG attributes, not
    style="width: …": the Content-Security-Policy allows no inline styles."""
    total, answered, approved = total or 0, answered or 0, approved or 0
    return format_html(
        '<svg class="progress" role="img" aria-label="{answered} of {total} answered, '
        '{approved} approved" focusable="false">'
        '<rect class="answered" height="100%" width="{answered_width}%"/>'
        '<rect class="approved" height="100%" width="{approved_width}%"/></svg>\n'
        '<span class="muted">{answered}/{total} answered · {approved} approved</span>',
        total=total,
        answered=answered,
        approved=approved,
        answered_width=_percent(answered, total),
        approved_width=_percent(approved, total),
    )


ANSWER_PARTS = (
    Part("Yes", "yes"),
    Part("No", "no"),
    Part("NA", "na"),
    Part("Unanswered", "unanswered"),
)


def _split(row: dict) -> tuple[int, int, int, int]:
    yes, no, answered, total = row["yes"], row["no"], row["answered"], row["total"]
    return yes, no, answered - yes - no, total - answered


def answer_split_chart(title: str, rows: list[dict], *, label: str, chart_id: str) -> SafeString:
    """Yes / No / NA / unanswered per row (domains of ``domain_progress``, or questionnaires
    with ``attach_progress``'s counts), as a chart with its table (config.charts)."""
    bars = [Bar(str(row[label]), _split(row)) for row in rows]
    return stacked_bars(title, ANSWER_PARTS, bars, chart_id=chart_id)


# Higher apps' notes beside a question on the fill page (consistency warnings): functions of
# (questionnaire, the answers of one whole domain) returning {answer id: [message, ...]}. They
# register at start-up (consistency.apps), as this app may not import them.
ANSWER_NOTE_SOURCES: list = []


def attach_notes(questionnaire, answers: list) -> None:
    """Set ``notes`` on each answer: what the registered sources say about it."""
    notes: dict[int, list[str]] = {}
    for source in ANSWER_NOTE_SOURCES:
        for pk, messages in source(questionnaire, answers).items():
            notes.setdefault(pk, []).extend(messages)
    for answer in answers:
        answer.notes = notes.get(answer.pk, [])


# Higher apps' panels on every answer card (the answer library): Jinja2 template names, included
# after the evidence with the card's context. Registered at start-up, as ANSWER_NOTE_SOURCES.
ANSWER_PANELS: list[str] = []
