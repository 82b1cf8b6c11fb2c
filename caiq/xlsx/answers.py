"""Read the answers of a completed CAIQ workbook (ours, CSA's, or one filled elsewhere).

Pure: takes an openpyxl workbook (opened by ``caiq.xlsx.guard``) and returns the answers by
question ID plus every problem as (row, column, reason). Nothing is written; the caller applies
the answers only when there are no problems. CSA's Introduction spells some values in prose
("N/A", "Third-party outsourced"): those are accepted and mapped to the dropdown strings.
"""

from dataclasses import dataclass, field

from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook

from .catalog import find_header, find_questionnaire_sheet
from .layout import ANSWER_COLUMN_KEYS, ANSWER_VALUES, QUESTION_ID_RE, SSRM_VALUES, header_key
from .ooxml import ooxml_unescape
from .writer import AnswerCells

MAX_ERRORS = 200

# Accepted spellings, compared case- and space-insensitively, to the dropdown string.
ANSWER_SPELLINGS = {
    **{header_key(v): v for v in ANSWER_VALUES},
    "n/a": "NA",
    "n.a.": "NA",
    "not applicable": "NA",
}
SSRM_SPELLINGS = {
    **{header_key(v): v for v in SSRM_VALUES},
    "third-party outsourced": "3rd-party outsourced",
    "third party outsourced": "3rd-party outsourced",
    "shared csp and third party": "Shared CSP and 3rd-party",
    "shared csp and third-party": "Shared CSP and 3rd-party",
    "shared csp and 3rd party": "Shared CSP and 3rd-party",
    "csp owned": "CSP-owned",
    "csc owned": "CSC-owned",
}
COLUMN_LABELS = {
    "answer": "CSP CAIQ Answer",
    "ssrm": "SSRM Control Ownership",
    "implementation": "CSP Implementation Description",
    "csc": "CSC Responsibilities",
}


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.reason}"


@dataclass
class AnswerSheet:
    caiq_version: str
    answers: dict[str, AnswerCells] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    # Every non-empty cell's text by (row, column): what the altered-workbook check compares.
    cells: dict[tuple[int, int], str] = field(default_factory=dict)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return ooxml_unescape(str(value))


def read_answers(workbook: Workbook) -> AnswerSheet:
    """Answers by question ID, with every problem found; raises CatalogRejected on layout.

    Works on a read-only (streaming) workbook: the sheet names and the header are checked
    before any question row is parsed, and rows are read once, in order.
    """
    ws, version = find_questionnaire_sheet(workbook)
    if hasattr(ws, "reset_dimensions"):
        ws.reset_dimensions()  # CSA's <dimension> says A1:D265: trusting it would cut columns
    header_row, columns = find_header(ws)
    sheet = AnswerSheet(caiq_version=version)
    ended = False
    for number, row in enumerate(ws.iter_rows(), start=1):
        for column, cell in enumerate(row, start=1):
            if cell.value is not None and (text := _text(cell.value)):
                sheet.cells[(number, column)] = text
        if number <= header_row or ended or len(sheet.errors) >= MAX_ERRORS:
            continue
        ended = _read_row(sheet, number, row, columns)
    return sheet


def _read_row(sheet: AnswerSheet, number: int, row: tuple, columns: dict[str, int]) -> bool:
    """Read one question row into ``sheet``; True at the "End of Standard" row."""
    id_cell = row[columns["question_id"] - 1] if len(row) >= columns["question_id"] else None
    code = _text(id_cell.value if id_cell else None).strip()
    if header_key(code) == "end of standard":
        return True
    if not code:
        return False
    if not QUESTION_ID_RE.match(code):
        sheet.errors.append(RowError(number, "A", f"'{code[:40]}' is not a question ID."))
        return False
    if code in sheet.rows:
        sheet.errors.append(
            RowError(number, "A", f"{code} appears twice (first in row {sheet.rows[code]}).")
        )
        return False
    values = {}
    for key in ANSWER_COLUMN_KEYS:
        index = columns[key] - 1
        cell = row[index] if index < len(row) else None
        if cell is not None and cell.data_type == "f":
            sheet.errors.append(
                RowError(
                    number,
                    get_column_letter(columns[key]),
                    f"{COLUMN_LABELS[key]} holds a formula, not a value.",
                )
            )
            values[key] = ""
            continue
        values[key] = _text(cell.value if cell is not None else None)
    values["answer"], values["ssrm"] = values["answer"].strip(), values["ssrm"].strip()
    for key, spellings in (("answer", ANSWER_SPELLINGS), ("ssrm", SSRM_SPELLINGS)):
        if values[key]:
            mapped = spellings.get(header_key(values[key]))
            if mapped is None:
                sheet.errors.append(
                    RowError(
                        number,
                        get_column_letter(columns[key]),
                        f"'{values[key][:40]}' is not a valid {COLUMN_LABELS[key]}.",
                    )
                )
            else:
                values[key] = mapped
    sheet.rows[code] = number
    sheet.answers[code] = AnswerCells(**values)
    return False
