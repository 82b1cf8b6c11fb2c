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
