"""STAR readiness: what CSA's reviewers would reject, checked before every export.

STAR Level 1 accepts only CSA's own workbook, unaltered and complete. A finding names its
question (when it has one) so the page can link to it. Export is still allowed with findings,
marked "not ready".
"""

import datetime
from dataclasses import dataclass

from .models import CspAnswer, Questionnaire, SsrmOwnership
from .selectors import AnswerRow, answer_rows

# Ownerships in which the customer carries part of the control: say what it must do.
CSC_SHARES = (SsrmOwnership.CSC, SsrmOwnership.SHARED_CSC)


@dataclass(frozen=True)
class Finding:
    kind: str
    message: str
    question: str = ""
    answer_id: int | None = None


# Higher apps' checks that the readiness report lists as warnings, which never block an export:
# functions of (questionnaire, its answer rows as readiness read them) returning Findings. They
# register themselves at start-up (consistency.apps), as this app may not import them.
WARNING_SOURCES: list = []


def readiness_warnings(questionnaire: Questionnaire, rows: list[AnswerRow]) -> list[Finding]:
    return [finding for source in WARNING_SOURCES for finding in source(questionnaire, rows)]


# Each kind of a question's finding as the readiness page names it, in the order it lists them.
KIND_LABELS = {
    "unanswered": "Not answered",
    "na_unexplained": "NA without an explanation",
    "ssrm_missing": "Yes or No without an SSRM control ownership",
    "csc_missing": "CSC share without the CSC responsibilities",
    "evidence_expired": "Backed by expired evidence",
}
# The fill page's filter (``caiq.selectors.ANSWER_FILTERS``) that shows a kind's answers.
# The other kinds have none: their links narrow the fill page to the domain only.
KIND_FILTERS = {
    "unanswered": "unanswered",
    "na_unexplained": "na_unexplained",
    "evidence_expired": "expired_evidence",
}


def answer_findings(answer: AnswerRow, expired_evidence: int = 0) -> list[Finding]:
    code, pk = answer.code, answer.pk

    def finding(kind, message):
        return Finding(kind, message, code, pk)

    if not answer.answer:
        return [finding("unanswered", "Not answered.")]
    found = []
    if answer.answer == CspAnswer.NA and not answer.implementation.strip():
        found.append(finding("na_unexplained", "NA without an explanation."))
    if answer.answer in (CspAnswer.YES, CspAnswer.NO) and not answer.ssrm:
        found.append(finding("ssrm_missing", f"{answer.answer} without an SSRM control ownership."))
    if answer.ssrm in CSC_SHARES and not answer.csc_responsibilities.strip():
        found.append(
            finding("csc_missing", f"{answer.ssrm} without the CSC responsibilities stated.")
        )
    if expired_evidence:
        found.append(finding("evidence_expired", f"Backed by {expired_evidence} expired evidence."))
    return found


def template_findings(questionnaire: Questionnaire) -> list[Finding]:
    """The export template must still be there.

    Its content was checked once, strictly, when the catalog was imported (caiq/xlsx/template.py)
    and the file never changes after that, so this reads the record rather than the workbook.
    """
    template = questionnaire.version.template
    if not template or not template.storage.exists(template.name):
        return [
            Finding(
                "template",
                "The export template is missing: import CSA's workbook for this version again.",
            )
        ]
    return []


def readiness(
    questionnaire: Questionnaire, *, today: datetime.date, rows: list[AnswerRow] | None = None
) -> list[Finding]:
    """Every finding for the questionnaire, in question order; empty when STAR-ready.

    ``rows`` are the answers when the caller read them already (an export job does).
    """
    from evidence.selectors import expired_links_by_answer  # evidence depends on caiq

    answers = answer_rows(questionnaire) if rows is None else rows
    expired = expired_links_by_answer(questionnaire, today)
    found = []
    for answer in answers:
        found += answer_findings(answer, expired.get(answer.pk, 0))
    found += template_findings(questionnaire)
    return found


@dataclass(frozen=True)
class KindCount:
    kind: str
    label: str
    count: int
    show: str  # the fill page's filter for this kind, "" when it has none


@dataclass(frozen=True)
class DomainFindings:
    code: str
    title: str
    kinds: list[KindCount]
    findings: list[Finding]

    @property
    def count(self) -> int:
        return len(self.findings)


@dataclass(frozen=True)
class GroupedFindings:
    """Findings of questions counted by kind and by domain; ``general`` are those of none."""

    by_kind: list[KindCount]
    by_domain: list[DomainFindings]
    general: list[Finding]


def _kind_counts(findings: list[Finding]) -> list[KindCount]:
    counts: dict[str, int] = {}
    for finding in findings:
        counts[finding.kind] = counts.get(finding.kind, 0) + 1
    order = [*KIND_LABELS, *sorted(set(counts) - set(KIND_LABELS))]
    return [
        KindCount(kind, KIND_LABELS.get(kind, kind), counts[kind], KIND_FILTERS.get(kind, ""))
        for kind in order
        if kind in counts
    ]


def group_findings(findings: list[Finding], domain_titles: dict[str, str]) -> GroupedFindings:
    """Group ``readiness`` findings for its page: by kind, by domain (in ``domain_titles``'
    order, the catalog's), and the findings of no question apart.

    A question's domain is the first three characters of its code: the catalog import derives
    each domain from its controls' codes that way (caiq/xlsx/catalog.py).
    """
    general = [f for f in findings if not f.question]
    answers = [f for f in findings if f.question]
    per_domain: dict[str, list[Finding]] = {}
    for finding in answers:
        per_domain.setdefault(finding.question[:3], []).append(finding)
    order = [*domain_titles, *sorted(set(per_domain) - set(domain_titles))]
    by_domain = [
        DomainFindings(
            code, domain_titles.get(code, ""), _kind_counts(per_domain[code]), per_domain[code]
        )
        for code in order
        if code in per_domain
    ]
    return GroupedFindings(_kind_counts(answers), by_domain, general)


def domain_titles(questionnaire: Questionnaire) -> dict[str, str]:
    """Code → title of the questionnaire's domains, in catalog order (one query)."""
    return dict(questionnaire.version.domains.order_by("position").values_list("code", "title"))
