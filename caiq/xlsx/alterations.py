"""Where a completed CAIQ differs from CSA's workbook outside the answer cells.

CSA accepts a STAR Level 1 submission only in its own workbook, unaltered: a reworded question,
a typed-over control ID or an edited header gets the file refused. This compares every cell
outside the answer cells of question rows with the catalog's template and says, in plain words,
where the file was altered. The answers still import; the warning tells the user to fix the file
before they submit it. Pure: two maps of cell texts in, a list out.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from openpyxl.utils import get_column_letter

from .layout import COLUMNS

MAX_SHOWN_CHARS = 60


@dataclass(frozen=True)
class Alteration:
    row: int
    column: int
    expected: str
    found: str
    label: str = ""

    def __str__(self) -> str:
        where = f"Row {self.row}, column {get_column_letter(self.column)}"
        if self.label:
            where += f" ({self.label})"
        expected, found = _shown(self.expected), _shown(self.found)
        return f"{where}: CSA's workbook has {expected}, this file has {found}."


def _shown(text: str) -> str:
    if not text:
        return "nothing"
    flat = " ".join(text.split())
    return f"“{flat[:MAX_SHOWN_CHARS]}…”" if len(flat) > MAX_SHOWN_CHARS else f"“{flat}”"


def find_alterations(
    template: Mapping[tuple[int, int], str], found: Mapping[tuple[int, int], str], layout: Mapping
) -> list[Alteration]:
    """Cells whose text differs from the template's, answer cells of question rows excepted.

    Both maps hold non-empty cell texts by (row, column), so an empty string and an absent cell
    (which a spreadsheet program may swap on saving) count as the same.
    """
    answer_columns = set(layout["answer_columns"])
    first, last = layout["first_row"], layout["last_row"]
    labels = {number: c.header for c in COLUMNS if (number := layout["columns"].get(c.key))}
    altered = []
    for row, column in sorted(template.keys() | found.keys()):
        if first <= row <= last and column in answer_columns:
            continue
        expected, actual = template.get((row, column), ""), found.get((row, column), "")
        if expected != actual:
            altered.append(Alteration(row, column, expected, actual, labels.get(column, "")))
    return altered
