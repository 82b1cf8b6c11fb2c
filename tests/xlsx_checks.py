"""Checks of an exported workbook against its template, at the XML level (docs/caiq-format.md).

CSA accepts only its own workbook, unaltered: the export may differ from the template in the
answer cells' elements and nowhere else.
"""

import io
import re
import zipfile

from openpyxl.utils import column_index_from_string, get_column_letter

from caiq.xlsx.cells import attributes
from caiq.xlsx.template import sheet_parts

ROW = re.compile(rb"<row\b([^>]*?)(?:/>|>(.*?)</row>)", re.S)
CELL = re.compile(rb"<c\b([^>]*?)(?:/>|>.*?</c>)", re.S)
SHEET_DATA = re.compile(rb"<sheetData>.*</sheetData>", re.S)


def rows(xml: bytes) -> dict[int, tuple[bytes, dict[str, bytes]]]:
    """Row number -> (the row's attributes, {cell reference: the cell's element}).

    Fails on a reference written twice or out of column order, which a dict would hide.
    """
    found = {}
    for m in ROW.finditer(xml):
        cells = [(attributes(c[1])[b"r"].decode(), c[0]) for c in CELL.finditer(m[2] or b"")]
        columns = [column_index_from_string(ref.rstrip("0123456789")) for ref, _ in cells]
        assert columns == sorted(set(columns)), f"row {m[1]!r}: cells repeated or out of order"
        found[int(attributes(m[1])[b"r"])] = (m[1], dict(cells))
    return found


def answer_refs(layout: dict) -> set[str]:
    return {
        f"{get_column_letter(column)}{row}"
        for column in layout["answer_columns"]
        for row in range(layout["first_row"], layout["last_row"] + 1)
    }


def assert_only_answer_cells_changed(template: bytes, exported: bytes, layout: dict) -> dict:
    """Every part but the sheet byte for byte, the sheet but its answer cells byte for byte.

    Returns the exported answer cells' elements by reference, for further checks.
    """
    before, after = zipfile.ZipFile(io.BytesIO(template)), zipfile.ZipFile(io.BytesIO(exported))
    assert [i.filename for i in after.infolist()] == [i.filename for i in before.infolist()]
    assert [i.compress_type for i in after.infolist()] == [
        i.compress_type for i in before.infolist()
    ]
    part = sheet_parts(before)[layout["sheet"]]
    for name in before.namelist():
        if name != part:
            assert after.read(name) == before.read(name), name
    old, new = before.read(part), after.read(part)
    assert SHEET_DATA.sub(b"", new) == SHEET_DATA.sub(b"", old)  # all outside <sheetData>
    old_rows, new_rows = rows(old), rows(new)
    assert old_rows.keys() == new_rows.keys()
    answers = answer_refs(layout)
    written = {}
    for number, (old_attributes, old_cells) in old_rows.items():
        new_attributes, new_cells = new_rows[number]
        assert new_attributes == old_attributes, f"row {number}"
        assert set(new_cells) >= set(old_cells), f"row {number} lost a cell"
        for ref, element in new_cells.items():
            if ref in answers:
                style = attributes(old_cells[ref]).get(b"s") if ref in old_cells else None
                assert attributes(element).get(b"s") == style, f"{ref} lost its style"
                written[ref] = element
            else:
                assert element == old_cells.get(ref), f"{ref} changed"
    return written
