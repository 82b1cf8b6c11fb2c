"""CAIQ's rules for one answer, as pure functions shared by every write path.

Two levels: ``value_problems`` must hold for any save (values from CSA's lists, text that an
Excel cell can hold, no control characters); ``approval_problems`` must hold before a reviewer
may approve (answered, SSRM owner for Yes and No, NA explained).
"""

import re
from collections.abc import Mapping

from .models.questionnaire import EXCEL_CELL_MAX, CspAnswer, SsrmOwnership

TEXT_FIELDS = ("implementation", "csc_responsibilities", "internal_notes")
# C0 controls except tab, line feed and carriage return, plus DEL: Excel and XML refuse them.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
SURROGATES = re.compile("[\ud800-\udfff]")
# Fields whose change withdraws a review: what the reviewer approved is no longer there.
CONTENT_FIELDS = ("answer", "ssrm", "implementation", "csc_responsibilities")
FIELD_LABELS = {
    "answer": "CSP CAIQ answer",
    "ssrm": "SSRM control ownership",
    "implementation": "CSP implementation description",
    "csc_responsibilities": "CSC responsibilities",
    "internal_notes": "Internal notes",
}


def value_problems(values: Mapping[str, str]) -> dict[str, str]:
    """Problems with the given field values, by field; empty when they may be saved."""
    problems = {}
    if "answer" in values and values["answer"] not in ("", *CspAnswer.values):
        problems["answer"] = f"'{values['answer']}' is not a CAIQ answer: use Yes, No or NA."
    if "ssrm" in values and values["ssrm"] not in ("", *SsrmOwnership.values):
        problems["ssrm"] = (
            f"'{values['ssrm']}' is not an SSRM control ownership: use one of "
            + ", ".join(SsrmOwnership.values)
            + "."
        )
    for field in TEXT_FIELDS:
        text = values.get(field)
        if text is None:
            continue
        if len(text) > EXCEL_CELL_MAX:
            problems[field] = (
                f"{FIELD_LABELS[field]} is {len(text):,} characters long; an Excel cell holds "
                f"at most {EXCEL_CELL_MAX:,}."
            )
        elif match := SURROGATES.search(text):
            # Only an escape such as _xD800_ in a workbook makes one; no database can store it.
            problems[field] = (
                f"{FIELD_LABELS[field]} contains U+{ord(match.group()):04X}, half of a "
                "character, which cannot be stored; remove it."
            )
        elif match := CONTROL_CHARS.search(text):
            problems[field] = (
                f"{FIELD_LABELS[field]} contains the control character "
                f"U+{ord(match.group()):04X}, which a workbook cannot hold; remove it."
            )
    return problems


def approval_problems(answer) -> list[str]:
    """Why this answer cannot be approved yet; empty when it can."""
    if not answer.answer:
        return ["The question is not answered."]
    problems = []
    if answer.answer in (CspAnswer.YES, CspAnswer.NO) and not answer.ssrm:
        problems.append(f"A {answer.answer} answer needs an SSRM control ownership.")
    if answer.answer == CspAnswer.NA and not answer.implementation.strip():
        problems.append("An NA answer needs an explanation in the implementation description.")
    return problems


def content_authors_since_approval(history, content_fields, approved: str) -> set[int]:
    """Who changed content since the last approval, from ``(changed_by_id, changes)`` pairs in
    revision order: the four-eyes rule's one definition, for the service and the page."""
    since_approval: list = []
    for changed_by_id, changes in history:
        if changes.get("review_status", [None, None])[1] == approved:
            since_approval = []
        else:
            since_approval.append((changed_by_id, changes))
    return {
        changed_by_id
        for changed_by_id, changes in since_approval
        if changed_by_id is not None and set(changes) & set(content_fields)
    }
