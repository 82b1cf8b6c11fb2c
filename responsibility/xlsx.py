"""The matrix as a workbook: one row per question, the domain on every row so that Excel's
filters work, the title and the questionnaire above. Pure (no ORM)."""

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from caiq.resources import escape_formula  # the one formula-escaping helper

from .matrix import EMPTY_MESSAGE, Domain

SHEET = "Customer responsibilities"
HEADERS = (
    "Domain",
    "Control",
    "Question ID",
    "Question",
    "SSRM control ownership",
    "CSC responsibilities",
    "CSP implementation description",
)
WIDTHS = (28, 12, 12, 60, 22, 60, 60)
HEADER_ROW = 4


def as_xlsx(domains: list[Domain], *, title: str, subtitle: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    # Every text is the user's or the imported catalog's: never a formula.
    sheet.append([escape_formula(title)])
    sheet.append([escape_formula(subtitle)])
    sheet.append([])
    sheet.append(HEADERS)
    sheet["A1"].font = Font(bold=True, size=14)
    for cell in sheet[HEADER_ROW]:
        cell.font = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for domain in domains:
        for row in domain.rows:
            values = (
                f"{domain.code} {domain.title}",
                row.control,
                row.code,
                row.question,
                row.ssrm,
                row.csc_responsibilities,
                row.implementation,
            )
            sheet.append([escape_formula(value) for value in values])
            for cell in sheet[sheet.max_row]:
                cell.alignment = wrap
    if not domains:
        sheet.append([EMPTY_MESSAGE])
    for letter, width in zip("ABCDEFG", WIDTHS, strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    if domains:
        sheet.auto_filter.ref = f"A{HEADER_ROW}:G{sheet.max_row}"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
