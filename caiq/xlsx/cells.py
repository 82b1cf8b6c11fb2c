"""Cells of a sheet part, read straight from its XML: what the writer edits and what the
altered-workbook check compares, without building a workbook object.

Cell text is XML-escaped, so ``<`` never occurs inside a value and a cell never contains another
element named ``c`` or ``row``: regular expressions over the part are exact here, and about ten
times faster than a full parse of CSA's sheet.
"""

import functools
import io
import re
import zipfile
from collections.abc import Iterator
from xml.sax.saxutils import unescape

from defusedxml import ElementTree
from openpyxl.utils import column_index_from_string

from .ooxml import ooxml_unescape
from .template import sheet_parts

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
SHEET_DATA = re.compile(rb"<sheetData\b[^>]*?(?:/>|>(.*?)</sheetData>)", re.S)
ROW = re.compile(rb"<row\b([^>]*?)(?:/>|>(.*?)</row>)", re.S)
CELL = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_ATTRIBUTE = re.compile(rb'([\w:]+)\s*=\s*(?:"([^"]*)"|\'([^\']*)\')')
_CELL_REF = re.compile(rb'\br\s*=\s*["\']([A-Z]{1,3})(\d+)["\']')
_ROW_NUMBER = re.compile(rb'\br\s*=\s*["\'](\d+)["\']')
_FORMULA = re.compile(rb"<(?:\w+:)?f\b")
_TEXT = re.compile(rb"<(?:\w+:)?t\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?t>)", re.S)
_VALUE = re.compile(rb"<(?:\w+:)?v\b[^>]*>(.*?)</(?:\w+:)?v>", re.S)


class CellError(ValueError):
    """The sheet's XML is not laid out as a worksheet must be; the message says where."""


def attributes(tag: bytes) -> dict[bytes, bytes]:
    return {m[1]: m[2] if m[2] is not None else m[3] for m in _ATTRIBUTE.finditer(tag)}


def shared_strings(archive: zipfile.ZipFile) -> list[str]:
    """The shared strings' texts by index (runs joined, phonetic hints left out)."""
    try:
        root = ElementTree.fromstring(archive.read("xl/sharedStrings.xml"))
    except KeyError:
        return []
    texts = []
    for item in root.iter(f"{_MAIN}si"):
        runs = [item.find(f"{_MAIN}t")] + [r.find(f"{_MAIN}t") for r in item.iter(f"{_MAIN}r")]
        texts.append("".join(t.text or "" for t in runs if t is not None))
    return texts


@functools.cache
def _column_number(letters: bytes) -> int:
    return column_index_from_string(letters.decode())


def cell_text(attrs: dict[bytes, bytes], body: bytes | None, strings: list[str]) -> str:
    """What a cell holds, as text (OOXML escapes undone); "" for an empty cell."""
    if not body:
        return ""
    kind = attrs.get(b"t", b"n")
    if kind == b"inlineStr":
        raw = b"".join(m[1] or b"" for m in _TEXT.finditer(body))
        return ooxml_unescape(unescape(raw.decode("utf-8")))
    value = _VALUE.search(body)
    if value is None:
        return ""
    text = unescape(value[1].decode("utf-8"))
    if kind == b"s":
        index = int(text)
        return ooxml_unescape(strings[index]) if 0 <= index < len(strings) else ""
    return ooxml_unescape(text)


def row_cells(body: bytes, row: int) -> Iterator[tuple[int, re.Match]]:
    """(column number, match) of each cell; a cell without ``r`` follows the one before it."""
    column = 0
    for match in CELL.finditer(body):
        ref = _CELL_REF.search(match[1])
        if ref is None:
            column += 1
        else:
            column = _column_number(ref[1])
            if int(ref[2]) != row:
                raise CellError(f"Cell {ref[0].decode()} sits in row {row} of the sheet.")
        yield column, match


def sheet_rows(xml: bytes) -> Iterator[tuple[int, re.Match]]:
    """(row number, match) of each row of the sheet's data; a row without ``r`` follows."""
    data = SHEET_DATA.search(xml)
    if data is None or data[1] is None:
        return
    number = 0
    for match in ROW.finditer(xml, data.start(1), data.end(1)):
        given = _ROW_NUMBER.search(match[1])
        number = int(given[1]) if given else number + 1
        yield number, match


def sheet_grid(xml: bytes, strings: list[str]) -> dict[tuple[int, int], tuple[str, bool]]:
    """Every cell with a text or a formula, by (row, column): (text, holds a formula).

    Texts are decoded once, from the XML itself: openpyxl's reader half-decodes shared
    strings (it drops ``x005F_``), so a typed "_x0041_" would come out of it as "A".
    """
    grid = {}
    for number, row in sheet_rows(xml):
        for column, cell in row_cells(row[2] or b"", number):
            body = cell[2]
            formula = bool(body) and _FORMULA.search(body) is not None
            text = cell_text(attributes(cell[1]), body, strings)
            if text or formula:
                grid[(number, column)] = (text, formula)
    return grid


def sheet_values(xml: bytes, strings: list[str]) -> dict[tuple[int, int], str]:
    """Every non-empty cell's text by (row, column)."""
    return {key: text for key, (text, _formula) in sheet_grid(xml, strings).items() if text}


def workbook_sheet_grid(data: bytes, sheet: str) -> dict[tuple[int, int], tuple[str, bool]]:
    """sheet_grid of the named sheet of a workbook's bytes (already through the guard)."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    part = sheet_parts(archive).get(sheet)
    if part is None or part not in archive.namelist():
        raise CellError(f"The workbook has no part for sheet '{sheet}'.")
    return sheet_grid(archive.read(part), shared_strings(archive))
