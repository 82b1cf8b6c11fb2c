"""STAR readiness: what CSA's reviewers would reject, checked before every export.

STAR Level 1 accepts only CSA's own workbook, unaltered and complete. A finding names its
question (when it has one) so the page can link to it. Export is still allowed with findings,
marked "not ready".
"""

import datetime
from dataclasses import dataclass

from .models import Answer, CspAnswer, Questionnaire, SsrmOwnership
from .xlsx.catalog import CatalogRejected, parse_catalog
from .xlsx.guard import WorkbookRejected, open_workbook

# Ownerships in which the customer carries part of the control: say what it must do.
CSC_SHARES = (SsrmOwnership.CSC, SsrmOwnership.SHARED_CSC)


@dataclass(frozen=True)
class Finding:
    kind: str
    message: str
    question: str = ""
    answer_id: int | None = None


def answer_findings(answer: Answer, expired_evidence: int = 0) -> list[Finding]:
    code, pk = answer.question.code, answer.pk

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


def template_findings(questionnaire: Questionnaire, question_codes: list[str]) -> list[Finding]:
    """The kept workbook must still match the catalog: sheet, headers, question IDs in order."""
    version = questionnaire.version
    try:
        with version.template.open("rb") as handle:
            workbook = open_workbook(handle.read())
        catalog = parse_catalog(workbook)
    except (OSError, WorkbookRejected, CatalogRejected, ValueError) as exc:
        return [Finding("template", f"The export template cannot be used: {exc}")]
    found = []
    if catalog.sheet_name != version.sheet_name:
        found.append(Finding("template", f"The template's sheet is '{catalog.sheet_name}'."))
    if catalog.layout.get("columns") != version.layout.get("columns"):
        found.append(Finding("template", "The template's columns differ from the catalog's."))
    if [q.code for q in catalog.questions] != question_codes:
        found.append(Finding("template", "The template's question IDs differ from the catalog's."))
    return found


def readiness(questionnaire: Questionnaire, *, today: datetime.date) -> list[Finding]:
    """Every finding for the questionnaire, in question order; empty when STAR-ready."""
    from evidence.selectors import expired_links_by_answer  # evidence depends on caiq

    answers = list(questionnaire.answers.select_related("question").order_by("question__position"))
    expired = expired_links_by_answer(questionnaire, today)
    found = []
    for answer in answers:
        found += answer_findings(answer, expired.get(answer.pk, 0))
    found += template_findings(questionnaire, [a.question.code for a in answers])
    return found
