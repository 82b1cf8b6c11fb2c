"""Questionnaires out (CSA's workbook, CSV, JSON) and in (a completed CAIQ workbook).

Export writes only the answer cells of the catalog version's own workbook. Import validates
every row before writing anything, then applies all changes in one transaction through
``answer_update``, so each change lands in the answer history; importing the same file twice
changes nothing the second time.
"""

import csv
import io
import json
from dataclasses import dataclass, field

from django.db import transaction

from accounts.models import Membership, User

from ..answer_rules import value_problems
from ..models import ChangeSource, Questionnaire
from ..xlsx.answers import RowError, read_answers
from ..xlsx.catalog import CatalogRejected
from ..xlsx.guard import WorkbookRejected, open_workbook
from ..xlsx.writer import AnswerCells, fill_workbook
from .answers import answer_update
from .catalog import workbook_limits

FIELD_OF = {
    "answer": "answer",
    "ssrm": "ssrm",
    "implementation": "implementation",
    "csc": "csc_responsibilities",
}
# Spreadsheet programs run a CSV cell starting with these as a formula.
CSV_FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


class ImportRefused(Exception):
    """Nothing was imported; ``errors`` lists every problem (row, column, reason)."""

    def __init__(self, errors: list):
        self.errors = errors
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(f"{errors[0]}{more}")


@dataclass
class ImportSummary:
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    changed_questions: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.new} new, {self.changed} changed, {self.unchanged} unchanged answers"


def answer_cells(questionnaire: Questionnaire) -> dict[str, AnswerCells]:
    return {
        a.question.code: AnswerCells(a.answer, a.ssrm, a.implementation, a.csc_responsibilities)
        for a in questionnaire.answers.select_related("question").order_by("question__position")
    }


def export_filename(questionnaire: Questionnaire, extension: str) -> str:
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in questionnaire.name)
    return f"CAIQv{questionnaire.version.caiq_version}-{safe.strip('-')[:80]}.{extension}"


def export_xlsx(questionnaire: Questionnaire) -> bytes:
    with questionnaire.version.template.open("rb") as handle:
        template = handle.read()
    return fill_workbook(template, questionnaire.version.layout, answer_cells(questionnaire))


def _csv_safe(value: str) -> str:
    # A leading apostrophe makes spreadsheet programs show the text instead of running it.
    return "'" + value if value.startswith(CSV_FORMULA_LEADS) else value


def export_csv(questionnaire: Questionnaire) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Question ID", "CSP CAIQ Answer", "SSRM Control Ownership",
                     "CSP Implementation Description", "CSC Responsibilities"])  # fmt: skip
    for code, cells in answer_cells(questionnaire).items():
        writer.writerow([code, *(_csv_safe(v) for v in cells.by_key().values())])
    return buffer.getvalue().encode("utf-8-sig")


def export_json(questionnaire: Questionnaire) -> bytes:
    document = {
        "questionnaire": questionnaire.name,
        "service": questionnaire.service_name,
        "caiq_version": questionnaire.version.caiq_version,
        "answers": [
            {"question": code, **dict(zip(FIELD_OF.values(), cells.by_key().values(), strict=True))}
            for code, cells in answer_cells(questionnaire).items()
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode()


def read_import(questionnaire: Questionnaire, data: bytes):
    """Parse and validate a workbook against the questionnaire; raise ImportRefused."""
    try:
        sheet = read_answers(open_workbook(data, limits=workbook_limits()))
    except WorkbookRejected as exc:
        raise ImportRefused([str(exc)]) from exc
    except CatalogRejected as exc:
        raise ImportRefused(exc.problems) from exc
    version = questionnaire.version.caiq_version
    if sheet.caiq_version != version:
        raise ImportRefused(
            [f"The workbook is CAIQ v{sheet.caiq_version}; this questionnaire is CAIQ v{version}."]
        )
    errors: list = list(sheet.errors)
    known = set(questionnaire.answers.values_list("question__code", flat=True))
    for code, cells in sheet.answers.items():
        row = sheet.rows[code]
        if code not in known:
            errors.append(RowError(row, "A", f"{code} is not a question of CAIQ v{version}."))
            continue
        # The reader already checked (and mapped) the two dropdown columns: check the texts.
        values = {
            FIELD_OF[k]: v for k, v in cells.by_key().items() if k in ("implementation", "csc")
        }
        for field_name, problem in value_problems(values).items():
            column = next(k for k, f in FIELD_OF.items() if f == field_name)
            errors.append(RowError(row, column, problem))
    if errors:
        raise ImportRefused(errors)
    return sheet


def import_workbook(
    *, questionnaire: Questionnaire, data: bytes, user: User | None, membership: Membership | None
) -> ImportSummary:
    """Apply a completed CAIQ workbook to the questionnaire: all of it, or nothing."""
    sheet = read_import(questionnaire, data)
    summary = ImportSummary()
    with transaction.atomic():
        answers = questionnaire.answers.select_related("question", "questionnaire").order_by(
            "question__position"
        )
        for answer in answers.select_for_update(of=("self",)):
            cells = sheet.answers.get(answer.question.code)
            if cells is None:
                summary.unchanged += 1
                continue
            values = {FIELD_OF[k]: v for k, v in cells.by_key().items()}
            changed = {f: v for f, v in values.items() if getattr(answer, f) != v}
            if not changed:
                summary.unchanged += 1
                continue
            was_blank = not any(getattr(answer, f) for f in FIELD_OF.values())
            answer_update(
                answer=answer,
                membership=membership,
                user=user,
                values=changed,
                base_revision=answer.revision,
                source=ChangeSource.IMPORT,
            )
            summary.new += was_blank
            summary.changed += not was_blank
            summary.changed_questions.append(answer.question.code)
    return summary
