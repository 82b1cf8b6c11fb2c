"""Write answers into CSA's own workbook: only the answer cells of question rows change.

Pure: takes the template's bytes, the layout found when the catalog was imported, and plain
values by question ID; returns the new workbook's bytes. CSA accepts a STAR Level 1 submission
only in its own workbook, unaltered, so this works on the zip rather than on a workbook object
(a library's load-and-save rewrites most parts; docs/caiq-format.md): every part is copied as
it is, in the same order with the same compression, except the questionnaire sheet's XML, and
in that XML only the answer cells' elements are replaced.

Answers are written as inline strings (``t="inlineStr"``, as CSA's file writes empty text),
keeping each cell's style, so sharedStrings.xml and styles.xml stay untouched. An inline string
is text: no answer can become a formula or an error value (``=HYPERLINK(...)``, ``+cmd``,
``@SUM``, ``#N/A``). Nothing is cut: a value longer than a cell holds is refused before writing.
"""

import io
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass

from openpyxl.utils import get_column_letter

from .cells import CELL, CellError, row_cells, sheet_rows
from .layout import ANSWER_COLUMN_KEYS
from .ooxml import t_element
from .template import sheet_parts

EXCEL_CELL_MAX = 32_767
_STYLE = re.compile(rb'\ss="(\d+)"')


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


def _checked(value: str, ref: str) -> str:
    if len(value) > EXCEL_CELL_MAX:
        raise ExportError(
            f"Cell {ref} would hold {len(value):,} characters; the limit is {EXCEL_CELL_MAX:,}."
        )
    return value


def _answer_cell(ref: str, style: bytes | None, value: str) -> bytes:
    s = f' s="{style.decode()}"' if style is not None else ""
    if not value:
        return f'<c r="{ref}"{s} />'.encode()
    text = t_element(_checked(value, ref))
    return f'<c r="{ref}"{s} t="inlineStr"><is>{text}</is></c>'.encode()


def _fill_row(body: bytes, row: int, wanted: dict[int, str]) -> bytes:
    """The row's cells with the answer cells (column -> value) replaced; inserts any the row
    lacks, in column order."""
    out, position, done = [], 0, set()
    for column, match in row_cells(body, row):
        for missing in sorted(c for c in wanted if c < column and c not in done):
            # The template has no element for this answer cell: insert one, in column order.
            out.append(body[position : match.start()])
            out.append(_answer_cell(f"{get_column_letter(missing)}{row}", None, wanted[missing]))
            position = match.start()
            done.add(missing)
        if column in wanted:
            out.append(body[position : match.start()])
            style = _STYLE.search(match[1])
            ref = f"{get_column_letter(column)}{row}"
            out.append(_answer_cell(ref, style[1] if style else None, wanted[column]))
            position = match.end()
            done.add(column)
    out.append(body[position:])
    for missing in sorted(c for c in wanted if c not in done):
        out.append(_answer_cell(f"{get_column_letter(missing)}{row}", None, wanted[missing]))
    return b"".join(out)


def fill_sheet(
    xml: bytes, layout: Mapping, answers: Mapping[str, AnswerCells], rows: Mapping[str, int]
) -> bytes:
    """The sheet XML with the answers written into their rows; every other byte kept."""
    first, last = layout["first_row"], layout["last_row"]
    by_row = {}
    for code, values in answers.items():
        row = rows.get(code)
        if row is None or not first <= row <= last:
            raise ExportError(f"The template has no row for question {code}.")
        columns = layout["columns"]
        by_row[row] = {columns[key]: value for key, value in values.by_key().items()}
    direct = _fill_direct(xml, by_row)
    if direct is not None:
        return direct
    out, position, written = [], 0, 0
    try:
        for number, row in sheet_rows(xml):
            wanted = by_row.get(number)
            if wanted is None:
                continue
            out += [xml[position : row.start(0)], _row(row, number, wanted)]
            position = row.end(0)
            written += 1
    except CellError as exc:
        raise ExportError(f"The template cannot be filled: {exc}") from exc
    if written != len(by_row):
        raise ExportError("The template lacks some of the rows its catalog recorded.")
    out.append(xml[position:])
    return b"".join(out)


def _fill_direct(xml: bytes, by_row: dict[int, dict[int, str]]) -> bytes | None:
    """Answer cells found by their reference, in one forward pass; None if one is missing.

    Every writer we know of (axlsx, Excel, LibreOffice, openpyxl) puts ``r="C3"`` first in a
    cell, and a reference occurs once in a sheet (cell text cannot hold a raw ``<``), so this
    finds each answer cell without parsing the rows around it.
    """
    out, position = [], 0
    for number in sorted(by_row):
        for column, value in sorted(by_row[number].items()):
            ref = f"{get_column_letter(column)}{number}"
            start = xml.find(b'<c r="%s"' % ref.encode(), position)
            match = CELL.match(xml, start) if start >= 0 else None
            if match is None:
                return None
            style = _STYLE.search(match[1])
            out += [xml[position:start], _answer_cell(ref, style[1] if style else None, value)]
            position = match.end()
    out.append(xml[position:])
    return b"".join(out)


def _row(match, number: int, wanted: dict[int, str]) -> bytes:
    if match[2] is None:  # <row r="3"/>: open it to hold the cells
        start = match[0][: -len(b"/>")].rstrip()
        return start + b">" + _fill_row(b"", number, wanted) + b"</row>"
    head = match[0][: match.start(2) - match.start(0)]
    return head + _fill_row(match[2], number, wanted) + b"</row>"


def fill_workbook(
    template: bytes,
    layout: Mapping,
    answers: Mapping[str, AnswerCells],
    rows: Mapping[str, int],
) -> bytes:
    """The template with ``answers`` written into their rows.

    ``rows`` (question ID -> row) and ``layout`` were recorded when the catalog was imported
    from this very template, which never changes after, so the writer does not read the
    question IDs again.
    """
    try:
        source = zipfile.ZipFile(io.BytesIO(template))
    except zipfile.BadZipFile as exc:
        raise ExportError("The stored template is not a workbook.") from exc
    # Recorded at catalog import; versions imported before that record are looked up.
    part = layout.get("sheet_part") or sheet_parts(source).get(layout["sheet"])
    if part is None or part not in source.namelist():
        raise ExportError(f"The template has no sheet '{layout['sheet']}'.")
    sheet = fill_sheet(source.read(part), layout, answers, rows)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            # Same name, order, time stamp, attributes and compression method: only bytes move.
            target.writestr(info, sheet if info.filename == part else source.read(info))
    return buffer.getvalue()
