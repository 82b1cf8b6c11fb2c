"""Write answers into CSA's own workbook: only the answer cells of question rows change.

Pure: takes the template's bytes, the layout found when the catalog was imported, and plain
values by question ID; returns the new workbook's bytes. Every text is written as a literal
string cell, so no answer can become a formula or an error value (CSV-style injection such as
``=HYPERLINK(...)``, ``+cmd``, ``@SUM``, ``#N/A``), and nothing is cut: a value longer than a
cell holds is refused before writing.
"""

import io
from collections.abc import Mapping
from dataclasses import dataclass

from openpyxl import load_workbook

from .layout import ANSWER_COLUMN_KEYS
from .ooxml import ooxml_escape

EXCEL_CELL_MAX = 32_767


class ExportError(Exception):
    """The answers cannot be written into this template; the message says why."""


@dataclass(frozen=True)
class AnswerCells:
    """The four exported columns of one answer (C..F in CSA's layout); "" means empty."""

    answer: str = ""
    ssrm: str = ""
    implementation: str = ""
    csc: str = ""

    def by_key(self) -> dict[str, str]:
        return dict(
            zip(
                ANSWER_COLUMN_KEYS,
                (self.answer, self.ssrm, self.implementation, self.csc),
                strict=True,
            )
        )


def _write_literal(cell, value: str) -> None:
    if not value:
        cell.value = None
        return
    if len(value) > EXCEL_CELL_MAX:
        raise ExportError(
            f"Cell {cell.coordinate} would hold {len(value):,} characters; the limit is "
            f"{EXCEL_CELL_MAX:,}."
        )
    stored = ooxml_escape(value)
    if len(stored) > EXCEL_CELL_MAX:
        # openpyxl would cut it silently; an escaped carriage return takes 7 characters.
        raise ExportError(
            f"Cell {cell.coordinate} would need {len(stored):,} characters once its line "
            f"breaks are encoded; the limit is {EXCEL_CELL_MAX:,}."
        )
    cell.value = stored
    # openpyxl turns "=..." into a formula and "#N/A"-like text into an error cell: force text.
    cell.data_type = "s"
    if value[0] in "=+-@\t\r\uff1d\uff0b\uff0d\uff20":
        # Excel keeps the text literal even when someone edits the cell later.
        cell.quotePrefix = True


def fill_workbook(template: bytes, layout: Mapping, answers: Mapping[str, AnswerCells]) -> bytes:
    """The template with ``answers`` written into its question rows (by question ID)."""
    workbook = load_workbook(io.BytesIO(template))
    try:
        sheet = workbook[layout["sheet"]]
    except KeyError as exc:
        raise ExportError(f"The template has no sheet '{layout['sheet']}'.") from exc
    columns = layout["columns"]
    id_column = columns["question_id"]
    written = set()
    for row in range(layout["first_row"], layout["last_row"] + 1):
        code = sheet.cell(row, id_column).value
        cells = answers.get(code.strip()) if isinstance(code, str) else None
        if cells is None:
            continue
        for key, value in cells.by_key().items():
            _write_literal(sheet.cell(row, columns[key]), value)
        written.add(code.strip())
    missing = set(answers) - written
    if missing:
        raise ExportError(
            f"The template has no row for {len(missing)} question(s), e.g. {sorted(missing)[0]}."
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
