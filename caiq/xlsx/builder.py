"""Build a workbook with the layout of CSA's CAIQ v4 workbook, from IDs and texts we supply.

Used for the embedded sample catalog (official IDs and structure, placeholder text, so the app
works before anyone loads CSA's file) and by tests, which derive bad workbooks from it. It never
holds CSA text: the caller passes the texts.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, Protection
from openpyxl.worksheet.datavalidation import DataValidation

from .layout import ANSWER_COLUMN_KEYS as ANSWER_KEYS
from .layout import ANSWER_VALUES, COLUMNS, SSRM_VALUES

SAMPLE_STRUCTURE = Path(__file__).resolve().parent.parent / "sample" / "caiq-v4.0.3-structure.json"
HIDDEN_COLUMNS = ("G", "H")
COLUMN_LETTERS = {
    "question_id": "A", "question": "B", "answer": "C", "ssrm": "D", "implementation": "E",
    "csc": "F", "control_id": "I", "control_specification": "J", "control_title": "K",
    "domain_title": "L",
}  # fmt: skip
WIDTHS = {"A": 20, "B": 74, "C": 14, "D": 22, "E": 32, "F": 32, "I": 13, "J": 70, "K": 24, "L": 24}


@dataclass(frozen=True)
class Structure:
    """IDs only: [(domain code, domain title, [(control code, [question codes])])]."""

    caiq_version: str
    domains: list[tuple[str, str, list[tuple[str, list[str]]]]]


def load_structure(path: Path = SAMPLE_STRUCTURE) -> Structure:
    raw = json.loads(path.read_text(encoding="utf-8"))
    domains = [
        (d["code"], d["title"], [(c["code"], list(c["questions"])) for c in d["controls"]])
        for d in raw["domains"]
    ]
    return Structure(caiq_version=raw["caiq_version"], domains=domains)


def placeholder_question(code: str) -> str:
    return f"Sample question {code}. Load CSA's official CAIQ workbook for the real text."


def placeholder_specification(code: str) -> str:
    return f"Sample control specification for {code}. Placeholder text, not CSA's."


def placeholder_title(code: str) -> str:
    return f"Sample control {code}"


def build_caiq_workbook(
    structure: Structure,
    *,
    question_text: Callable[[str], str] = placeholder_question,
    control_specification: Callable[[str], str] = placeholder_specification,
    control_title: Callable[[str], str] = placeholder_title,
    notice: str = "Sample workbook built by CAIQ Manager; it contains no CSA text.",
    column_letters: dict[str, str] = COLUMN_LETTERS,
) -> Workbook:
    """A workbook laid out like CSA's; ``column_letters`` can move columns (v4.1 may)."""
    letter_of = column_letters
    version = structure.caiq_version
    workbook = Workbook()
    intro = workbook.active
    intro.title = "Introduction"
    intro["A1"] = f"v{version}"
    intro["B1"] = f"CONSENSUS ASSESSMENTS INITIATIVE QUESTIONNAIRE v{version}"
    intro["A3"] = "Introduction"
    intro["A5"] = notice
    intro.merge_cells("A5:D5")
    intro.protection.sheet = True

    ws = workbook.create_sheet(f"CAIQv{version}")
    ws["A1"] = f"v{version}"
    ws["B1"] = f"CONSENSUS ASSESSMENTS INITIATIVE QUESTIONNAIRE v{version}"
    ws.merge_cells("B1:D1")
    for column in COLUMNS:
        ws[f"{letter_of[column.key]}2"] = column.header
    for letter in HIDDEN_COLUMNS:
        ws[f"{letter}2"] = ""
    for cell in ws[2]:
        cell.font = Font(bold=True)

    row = 3
    wrap = Alignment(wrap_text=True, vertical="top")
    for _code, domain_title, controls in structure.domains:
        domain_start = row
        for control_code, question_codes in controls:
            control_start = row
            for question_code in question_codes:
                ws[f"{letter_of['question_id']}{row}"] = question_code
                ws[f"{letter_of['question']}{row}"] = question_text(question_code)
                ws[f"{letter_of['question']}{row}"].alignment = wrap
                for key in ANSWER_KEYS:  # the only cells a CSP may edit
                    ws[f"{letter_of[key]}{row}"].protection = Protection(locked=False)
                row += 1
            control_letters = [
                letter_of[key] for key in ("control_id", "control_specification", "control_title")
            ]
            for letter, text in zip(
                control_letters,
                (
                    control_code,
                    control_specification(control_code),
                    control_title(control_code),
                ),
                strict=True,
            ):
                ws[f"{letter}{control_start}"] = text
            for letter in control_letters:
                if row - 1 > control_start:
                    ws.merge_cells(f"{letter}{control_start}:{letter}{row - 1}")
        domain_letter = letter_of["domain_title"]
        ws[f"{domain_letter}{domain_start}"] = domain_title
        if row - 1 > domain_start:
            ws.merge_cells(f"{domain_letter}{domain_start}:{domain_letter}{row - 1}")
    last = row - 1
    ws[f"A{row}"] = "End of Standard"
    ws.merge_cells(f"A{row}:D{row}")
    ws[f"A{row + 1}"] = notice
    ws.merge_cells(f"A{row + 1}:D{row + 1}")

    answers = DataValidation(type="list", formula1=f'"{",".join(ANSWER_VALUES)}"', allow_blank=True)
    ssrm = DataValidation(type="list", formula1=f'"{",".join(SSRM_VALUES)}"', allow_blank=True)
    for validation, letter in ((answers, letter_of["answer"]), (ssrm, letter_of["ssrm"])):
        validation.error = "Please select a response from the list"
        validation.errorTitle = "Response not selected"
        validation.prompt = "Select a response"
        validation.add(f"{letter}3:{letter}{last}")
        ws.add_data_validation(validation)

    for letter, width in WIDTHS.items():
        ws.column_dimensions[letter].width = width
    for letter in HIDDEN_COLUMNS:
        ws.column_dimensions[letter].width = 0
        ws.column_dimensions[letter].hidden = True
    ws.freeze_panes = "E3"
    ws.protection.sheet = True
    ws.protection.insertRows = True  # True means "protected" in openpyxl's SheetProtection
    ws.protection.deleteRows = True
    ws.protection.insertColumns = True
    ws.protection.deleteColumns = True
    return workbook
