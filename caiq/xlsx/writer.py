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
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass

from openpyxl.utils import get_column_letter

from .cells import CellError, attributes, cell_text, row_cells, shared_strings, sheet_rows
from .layout import ANSWER_COLUMN_KEYS
from .ooxml import t_element
from .template import sheet_parts

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


def _fill_row(
    body: bytes, row: int, columns: Mapping[str, int], answers: Mapping[str, AnswerCells], strings
) -> tuple[bytes, str | None]:
    """The row's cells with its answer cells replaced, and the question it holds (if answered)."""
    cells = list(row_cells(body, row))
    id_cell = next((m for col, m in cells if col == columns["question_id"]), None)
    code = cell_text(attributes(id_cell[1]), id_cell[2], strings).strip() if id_cell else ""
    values = answers.get(code)
    if values is None:
        return body, None
    wanted = {columns[key]: value for key, value in values.by_key().items()}
    out, position, done = [], 0, set()
    for column, match in cells:
        for missing in sorted(c for c in wanted if c < column and c not in done):
            # The template has no element for this answer cell: insert one, in column order.
            out.append(body[position : match.start()])
            out.append(_answer_cell(f"{get_column_letter(missing)}{row}", None, wanted[missing]))
            position = match.start()
            done.add(missing)
        if column in wanted:
            out.append(body[position : match.start()])
            style = attributes(match[1]).get(b"s")
            out.append(_answer_cell(f"{get_column_letter(column)}{row}", style, wanted[column]))
            position = match.end()
            done.add(column)
    out.append(body[position:])
    for missing in sorted(c for c in wanted if c not in done):
        out.append(_answer_cell(f"{get_column_letter(missing)}{row}", None, wanted[missing]))
    return b"".join(out), code


def fill_sheet(
    xml: bytes, layout: Mapping, answers: Mapping[str, AnswerCells], strings: list[str]
) -> bytes:
    """The sheet XML with the answers written into their rows; every other byte kept."""
    first, last = layout["first_row"], layout["last_row"]
    columns = layout["columns"]
    written: set[str] = set()
    out, position = [], 0
    try:
        for number, row in sheet_rows(xml):
            if not first <= number <= last or row[2] is None:
                continue
            filled, code = _fill_row(row[2], number, columns, answers, strings)
            if code is None:
                continue
            if code in written:
                raise ExportError(f"The template has question {code} twice.")
            written.add(code)
            out += [xml[position : row.start(2)], filled]
            position = row.end(2)
    except CellError as exc:
        raise ExportError(f"The template cannot be filled: {exc}") from exc
    out.append(xml[position:])
    missing = set(answers) - written
    if missing:
        raise ExportError(
            f"The template has no row for {len(missing)} question(s), e.g. {sorted(missing)[0]}."
        )
    return b"".join(out)


def fill_workbook(template: bytes, layout: Mapping, answers: Mapping[str, AnswerCells]) -> bytes:
    """The template with ``answers`` written into its question rows (by question ID)."""
    try:
        source = zipfile.ZipFile(io.BytesIO(template))
    except zipfile.BadZipFile as exc:
        raise ExportError("The stored template is not a workbook.") from exc
    # Recorded at catalog import; versions imported before that record are looked up.
    part = layout.get("sheet_part") or sheet_parts(source).get(layout["sheet"])
    if part is None or part not in source.namelist():
        raise ExportError(f"The template has no sheet '{layout['sheet']}'.")
    sheet = fill_sheet(source.read(part), layout, answers, shared_strings(source))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            # Same name, order, time stamp, attributes and compression method: only bytes move.
            target.writestr(info, sheet if info.filename == part else source.read(info))
    return buffer.getvalue()
