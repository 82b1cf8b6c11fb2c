"""Questionnaires out (CSA's workbook, CSV, JSON) and in (a completed CAIQ workbook).

Export writes only the answer cells of the catalog version's own workbook. Import validates
every row before writing anything, then applies all changes in one transaction through
``answers_bulk_update``, so each change lands in the answer history; importing the same file
twice changes nothing the second time. An import also says where the file was altered outside
the answers, which CSA would refuse.
"""

import csv
import functools
import io
import json
import logging
import zipfile
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from openpyxl.utils import get_column_letter

from accounts.models import Membership, User
from audit.models import EventKind
from audit.services import audit_record

from ..answer_rules import value_problems
from ..models import ChangeSource, Questionnaire
from ..selectors import AnswerRow, answer_rows
from ..xlsx.alterations import find_alterations
from ..xlsx.answers import AnswerSheet, RowError, read_answers
from ..xlsx.catalog import CatalogRejected
from ..xlsx.cells import CellError, shared_strings, sheet_values, workbook_sheet_grid
from ..xlsx.guard import WorkbookRejected, open_workbook
from ..xlsx.template import TemplateRejected, check_template, sheet_parts
from ..xlsx.writer import AnswerCells, ExportError, fill_workbook
from .answers_bulk import StaleAnswers, answers_bulk_update
from .catalog import workbook_limits

logger = logging.getLogger(__name__)

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
    cleared: int = 0  # answers with a value cleared by a blank cell (clear_blank only)
    changed_questions: list[str] = field(default_factory=list)
    # Cells outside the answers where the file differs from CSA's workbook (plain sentences).
    alterations: list[str] = field(default_factory=list)

    @property
    def changes_nothing(self) -> bool:
        return not self.new and not self.changed

    @property
    def message(self) -> str:
        """One sentence for the job, the page and the command."""
        if self.changes_nothing:
            return f"Nothing changed: the file's {self.unchanged} answers are the ones stored."
        return f"Imported: {self}."

    def __str__(self) -> str:
        cleared = f" ({self.cleared} with values cleared)" if self.cleared else ""
        return (
            f"{self.new} new, {self.changed} changed{cleared}, {self.unchanged} unchanged answers"
        )

    @property
    def altered_warning(self) -> str:
        """One sentence for the page, the command and the API; "" when the file is unaltered."""
        if not self.alterations:
            return ""
        count = len(self.alterations)
        return (
            f"This file differs from CSA's workbook in {count} cell{'s' if count > 1 else ''} "
            "outside the answers: CSA refuses an altered workbook, so export a fresh one from "
            "here before you submit."
        )


def answer_cells(
    questionnaire: Questionnaire, rows: list[AnswerRow] | None = None
) -> dict[str, AnswerCells]:
    """The four exported cells by question ID, in question order."""
    rows = answer_rows(questionnaire) if rows is None else rows
    return {
        r.code: AnswerCells(r.answer, r.ssrm, r.implementation, r.csc_responsibilities)
        for r in rows
    }


def export_filename(questionnaire: Questionnaire, extension: str) -> str:
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in questionnaire.name)
    return f"CAIQv{questionnaire.version.caiq_version}-{safe.strip('-')[:80]}.{extension}"


def export_xlsx(questionnaire: Questionnaire, rows: list[AnswerRow] | None = None) -> bytes:
    """CSA's workbook with the answers in it; ``rows`` when the caller read the answers."""
    version = questionnaire.version
    with version.template.open("rb") as handle:
        template = handle.read()
    if "sheet_part" not in version.layout:
        # Imported before templates were checked at catalog import: check it now.
        try:
            check_template(template)
        except TemplateRejected as exc:
            raise ExportError(str(exc)) from exc
    rows = answer_rows(questionnaire) if rows is None else rows
    return fill_workbook(
        template,
        questionnaire.version.layout,
        answer_cells(questionnaire, rows),
        {r.code: r.row for r in rows},
    )


def _csv_safe(value: str) -> str:
    # A leading apostrophe makes spreadsheet programs show the text instead of running it.
    return "'" + value if value.startswith(CSV_FORMULA_LEADS) else value


def export_csv(questionnaire: Questionnaire, rows: list[AnswerRow] | None = None) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Question ID", "CSP CAIQ Answer", "SSRM Control Ownership",
                     "CSP Implementation Description", "CSC Responsibilities"])  # fmt: skip
    for code, cells in answer_cells(questionnaire, rows).items():
        writer.writerow([code, *(_csv_safe(v) for v in cells.by_key().values())])
    return buffer.getvalue().encode("utf-8-sig")


def export_json(questionnaire: Questionnaire, rows: list[AnswerRow] | None = None) -> bytes:
    document = {
        "questionnaire": questionnaire.name,
        "service": questionnaire.service_name,
        "caiq_version": questionnaire.version.caiq_version,
        "answers": [
            {"question": code, **dict(zip(FIELD_OF.values(), cells.by_key().values(), strict=True))}
            for code, cells in answer_cells(questionnaire, rows).items()
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode()


def read_import(questionnaire: Questionnaire, data: bytes) -> AnswerSheet:
    """Parse (streaming) and validate a workbook against the questionnaire; raise ImportRefused."""
    try:
        workbook = open_workbook(data, limits=workbook_limits(), read_only=True)
        try:
            sheet = read_answers(workbook, lambda name: workbook_sheet_grid(data, name))
        finally:
            workbook.close()
    except (WorkbookRejected, CellError) as exc:
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
            key = next(k for k, f in FIELD_OF.items() if f == field_name)
            letter = get_column_letter(questionnaire.version.layout["columns"][key])
            errors.append(RowError(row, letter, problem))
    if errors:
        raise ImportRefused(errors)
    return sheet


def template_alterations(questionnaire: Questionnaire, sheet: AnswerSheet) -> list[str]:
    """Where the file differs from the catalog's template outside the answer cells."""
    version = questionnaire.version
    try:
        template = _template_values(
            version.source_sha256,
            version.template.storage,
            version.template.name,
            version.sheet_name,
        )
    except OSError:
        # The answers do not depend on the template; readiness reports it missing.
        logger.warning("Template of CAIQ v%s is missing; no alteration check", version.pk)
        return []
    return [str(a) for a in find_alterations(template, sheet.cells, version.layout)]


@functools.lru_cache(maxsize=8)
def _template_values(sha256: str, storage, name: str, sheet: str) -> dict[tuple[int, int], str]:
    """The template sheet's cell texts. Templates are stored by their SHA-256 and never change,
    so each worker reads one once; the caller must not modify the result."""
    with storage.open(name, "rb") as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    return sheet_values(archive.read(sheet_parts(archive)[sheet]), shared_strings(archive))


def _audit_import(questionnaire, user, summary: ImportSummary, clear_blank: bool) -> None:
    audit_record(
        EventKind.ANSWERS_IMPORTED,
        organization=questionnaire.organization,
        actor=user,
        target=questionnaire,
        details={
            "new": summary.new,
            "changed": summary.changed,
            "cleared": summary.cleared,
            "clear_blank": clear_blank,
            "altered_cells": len(summary.alterations),
        },
    )


def import_workbook(
    *,
    questionnaire: Questionnaire,
    data: bytes,
    user: User | None,
    membership: Membership | None,
    clear_blank: bool = False,
) -> ImportSummary:
    """Apply a completed CAIQ workbook to the questionnaire: all of it, or nothing.

    Every row is checked first; then the changes are written together (answers_bulk_update),
    and if someone saved one of those answers in the meantime nothing is written. Nothing is
    erased by omission: a blank cell leaves the stored value as it is, unless ``clear_blank``
    asks for blanks to clear (CSA's blank template would otherwise empty a questionnaire).
    """
    sheet = read_import(questionnaire, data)
    summary = ImportSummary(alterations=template_alterations(questionnaire, sheet))
    answers = questionnaire.answers.select_related("question").order_by("question__position")
    updates = []
    for answer in answers:
        cells = sheet.answers.get(answer.question.code)
        values = {FIELD_OF[k]: v for k, v in cells.by_key().items()} if cells else {}
        if not clear_blank:
            values = {f: v for f, v in values.items() if v}
        elif any(getattr(answer, f) and not v for f, v in values.items()):
            summary.cleared += 1
        if not any(getattr(answer, f) != v for f, v in values.items()):
            summary.unchanged += 1
            continue
        updates.append((answer, values))
    was_blank = {a.pk: not any(getattr(a, f) for f in FIELD_OF.values()) for a, _ in updates}

    def count_and_audit(written):
        for answer, _diff in written:
            summary.new += was_blank[answer.pk]
            summary.changed += not was_blank[answer.pk]
            summary.changed_questions.append(answer.question.code)
        _audit_import(questionnaire, user, summary, clear_blank)

    try:
        answers_bulk_update(
            questionnaire=questionnaire,
            updates=updates,
            membership=membership,
            user=user,
            source=ChangeSource.IMPORT,
            on_written=count_and_audit,  # the event commits with the answers, or neither does
        )
    except ValidationError as exc:  # e.g. the questionnaire was submitted meanwhile
        raise ImportRefused(exc.messages) from exc
    except StaleAnswers as exc:
        raise ImportRefused(
            [
                f"{', '.join(exc.codes[:5])} changed on the page while the file was being "
                "imported; nothing was imported. Import the file again to apply it."
            ]
        ) from exc
    return summary
