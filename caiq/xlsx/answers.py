"""Read the answers of a completed CAIQ workbook (ours, CSA's, or one filled elsewhere).

Pure: takes an openpyxl workbook (opened by ``caiq.xlsx.guard``) and returns the answers by
question ID plus every problem as (row, column, reason). Nothing is written; the caller applies
the answers only when there are no problems. CSA's Introduction spells some values in prose
("N/A", "Third-party outsourced"): those are accepted and mapped to the dropdown strings.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook

from .catalog import find_header, find_questionnaire_sheet
from .layout import ANSWER_COLUMN_KEYS, ANSWER_VALUES, QUESTION_ID_RE, SSRM_VALUES, header_key
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
ALLOWED_SHOWN = {
    "answer": ", ".join(ANSWER_VALUES[:-1]) + f" or {ANSWER_VALUES[-1]}",
    "ssrm": ", ".join(SSRM_VALUES[:-1]) + f" or {SSRM_VALUES[-1]}",
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


Grid = Mapping[tuple[int, int], tuple[str, bool]]


def read_answers(workbook: Workbook, grid: Callable[[str], Grid]) -> AnswerSheet:
    """Answers by question ID, with every problem found; raises CatalogRejected on layout.

    ``workbook`` is opened read-only (streaming): only the sheet names and the first rows (the
    header) are read from it, so anything else, such as a CAIQ v3.0.1 or a CCM workbook, is
    refused before a question row is parsed. The rows then come from ``grid(sheet name)``, the
    sheet's cells decoded from its XML (cells.sheet_grid).
    """
    ws, version = find_questionnaire_sheet(workbook)
    if hasattr(ws, "reset_dimensions"):
        ws.reset_dimensions()  # CSA's <dimension> says A1:D265: trusting it would cut columns
    header_row, columns = find_header(ws)
    cells = grid(ws.title)
    sheet = AnswerSheet(caiq_version=version)
    sheet.cells = {key: text for key, (text, _formula) in cells.items() if text}
    last = max((row for row, _column in cells), default=0)
    for number in range(header_row + 1, last + 1):
        if len(sheet.errors) >= MAX_ERRORS or _read_row(sheet, number, cells, columns):
            break
    return sheet


def _read_row(sheet: AnswerSheet, number: int, cells: Grid, columns: dict[str, int]) -> bool:
    """Read one question row into ``sheet``; True at the "End of Standard" row."""
    code = cells.get((number, columns["question_id"]), ("", False))[0].strip()
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
        text, formula = cells.get((number, columns[key]), ("", False))
        if formula:
            sheet.errors.append(
                RowError(
                    number,
                    get_column_letter(columns[key]),
                    f"{COLUMN_LABELS[key]} holds a formula, not a value.",
                )
            )
            text = ""
        values[key] = text
    values["answer"], values["ssrm"] = values["answer"].strip(), values["ssrm"].strip()
    for key, spellings in (("answer", ANSWER_SPELLINGS), ("ssrm", SSRM_SPELLINGS)):
        if values[key]:
            mapped = spellings.get(header_key(values[key]))
            if mapped is None:
                sheet.errors.append(
                    RowError(
                        number,
                        get_column_letter(columns[key]),
                        f"'{values[key][:40]}' is not a valid {COLUMN_LABELS[key]}: use "
                        f"{ALLOWED_SHOWN[key]}.",
                    )
                )
            else:
                values[key] = mapped
    sheet.rows[code] = number
    sheet.answers[code] = AnswerCells(**values)
    return False
