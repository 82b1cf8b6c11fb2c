"""Build a workbook shaped like CSA's CAIQ v4 file down to its XML, from IDs and texts we supply.

Used for the embedded sample catalog (official IDs and structure, placeholder text, so the app
works before anyone loads CSA's file) and by tests, which derive every workbook they need from
it. It writes the zip parts directly rather than through openpyxl, because what matters is what
CSA's file is at the XML level (docs/caiq-format.md): shared strings, G/H hidden by a zero width,
empty styled answer cells (``<c r="C3" s="8" />``), empty inline strings, one merge per control
column even for a single row, the sheet protection hash, the drawings and the logos. A sample
that a library re-saved would hide exactly the defects the importer and exporter must not have.
It never holds CSA text: the caller passes the texts.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl.utils import column_index_from_string, get_column_letter

from . import package as p
from .layout import ANSWER_COLUMN_KEYS as ANSWER_KEYS
from .layout import ANSWER_VALUES, COLUMNS, SSRM_VALUES
from .ooxml import t_element

SAMPLE_STRUCTURE = Path(__file__).resolve().parent.parent / "sample" / "caiq-v4.0.3-structure.json"
SAMPLE_FILENAME = "sample-caiq-v4.0.3-placeholder-text.xlsx"
HIDDEN_COLUMNS = ("G", "H")
COLUMN_LETTERS = {
    "question_id": "A", "question": "B", "answer": "C", "ssrm": "D", "implementation": "E",
    "csc": "F", "control_id": "I", "control_specification": "J", "control_title": "K",
    "domain_title": "L",
}  # fmt: skip
WIDTHS = {"A": 20, "B": 74, "C": 14, "D": 22, "E": 32, "F": 32, "G": 0, "H": 0, "I": 13, "J": 70,
          "K": 24, "L": 24}  # fmt: skip
CONTROL_KEYS = ("control_id", "control_specification", "control_title")
# Sheet protection as CSA sets it (locked cells selectable, rows and columns fixed) and the
# legacy password hashes found in its file; they protect against slips, not people.
PROTECTION = (
    'sheet="1" objects="0" scenarios="0" formatCells="1" formatColumns="0" formatRows="0" '
    'insertColumns="1" insertRows="1" insertHyperlinks="1" deleteColumns="1" deleteRows="1" '
    'selectLockedCells="0" sort="1" autoFilter="0" pivotTables="1" selectUnlockedCells="0"'
)
QUESTIONS_PASSWORD, INTRODUCTION_PASSWORD = "9E15", "8D55"
# CSA's two dropdowns: prompt and stop error as its file has them.
VALIDATION = (
    'promptTitle="" prompt="Select a response" errorTitle="Response not selected" '
    'error="Please select a response from the list" showErrorMessage="1" allowBlank="1" '
    'showInputMessage="1" showDropDown="0" type="list" errorStyle="stop"'
)
DEFAULT_NOTICE = "Sample workbook built by CAIQ Manager; it contains no CSA text."
SHEET_VIEW = (
    '<sheetView defaultGridColor="1" rightToLeft="0" showFormulas="0" showGridLines="1" '
    'showRowColHeaders="1" showRuler="1" showWhiteSpace="0" showZeros="1" tabSelected="0" '
    'windowProtection="0" showOutlineSymbols="1" zoomScaleSheetLayoutView="0" '
    'zoomScalePageLayoutView="0" zoomScaleNormal="0" workbookViewId="0" zoomScale="100" >'
)
SHEET_TAIL = (
    '<printOptions gridLines="0" headings="0" horizontalCentered="0" verticalCentered="0" />'
    '<pageMargins left="0.75" right="0.75" top="1.0" bottom="1.0" header="0.5" footer="0.5" />'
    '<pageSetup orientation="landscape" /><headerFooter ></headerFooter>'
)


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


@dataclass
class SharedStrings:
    """xl/sharedStrings.xml: each distinct text once, in order of first use, as axlsx writes."""

    index: dict[str, int] = field(default_factory=dict)
    references: int = 0

    def add(self, text: str) -> int:
        self.references += 1
        return self.index.setdefault(text, len(self.index))

    def xml(self) -> str:
        items = "".join(f"<si>{t_element(text, mark_space=False)}</si>" for text in self.index)
        return (
            f'{p.XML_DECLARATION}<sst xmlns="{p.MAIN_NS}" count="{self.references}" '
            f'uniqueCount="{len(self.index)}" xml:space="preserve">{items}</sst>'
        )


class SheetWriter:
    """One worksheet's rows and merges, written as axlsx does (cells sorted by column)."""

    def __init__(self, strings: SharedStrings) -> None:
        self.strings = strings
        self.rows: list[str] = []
        self.merges: list[str] = []

    def row(self, number: int, cells: dict[str, tuple[int, str | None]], height: int | None):
        """``cells``: letter -> (style, text); None is an empty styled cell, "" an empty string."""
        out = []
        for letter in sorted(cells, key=column_index_from_string):
            style, text = cells[letter]
            ref = f"{letter}{number}"
            if text is None:
                out.append(f'<c r="{ref}" s="{style}" />')
            elif text == "":
                out.append(f'<c r="{ref}" s="{style}" t="inlineStr"><is><t></t></is></c>')
            else:
                index = self.strings.add(text)
                out.append(f'<c r="{ref}" s="{style}" t="s"><v>{index}</v></c>')
        size = f'customHeight="1" ht="{height}" ' if height else ""
        self.rows.append(f'<row {size}r="{number}" >{"".join(out)}</row>')

    def merge(self, ref: str) -> None:
        self.merges.append(ref)

    def xml(
        self, *, last_row: int, pane: str, cols: dict[str, int], protection: str, tail: str
    ) -> str:
        """The part; ``tail`` follows the merges (validations, page set-up, drawing)."""
        col_xml = "".join(
            f'<col width="{width}" min="{n}" max="{n}" bestFit="1" customWidth="1" />'
            for n, width in sorted((column_index_from_string(c), w) for c, w in cols.items())
        )
        merges = "".join(f"<mergeCell ref='{ref}'></mergeCell>" for ref in self.merges)
        return (
            f'{p.XML_DECLARATION}<worksheet xmlns="{p.MAIN_NS}" xmlns:r="{p.REL_NS}" '
            'xml:space="preserve"><sheetPr ><pageSetUpPr fitToPage="0" /></sheetPr>'
            f'<dimension ref="A1:D{last_row}"></dimension><sheetViews>{SHEET_VIEW}{pane}'
            '</sheetView></sheetViews><sheetFormatPr baseColWidth="8" defaultRowHeight="18" />'
            f"<cols>{col_xml}</cols><sheetData>{''.join(self.rows)}</sheetData>"
            f'<sheetCalcPr fullCalcOnLoad="1" />{protection}'
            f"<mergeCells count='{len(self.merges)}'>{merges}</mergeCells>{tail}"
        )


def _height(*texts: str) -> int:
    """Rows as tall as their longest wrapped text, in CSA's 16-point steps (at least 48)."""
    lines = max(sum(len(line) // 70 + 1 for line in text.split("\n")) for text in texts)
    return 16 * max(3, lines)


def _introduction(strings: SharedStrings, version: str, notice: str) -> str:
    """A short Introduction in our own words, laid out like CSA's (A:D merged paragraphs)."""
    sheet = SheetWriter(strings)
    title = f"CONSENSUS ASSESSMENTS INITIATIVE QUESTIONNAIRE v{version}"
    sheet.row(1, {"A": (17, f"v{version}"), "B": (16, title), "C": (16, ""), "D": (16, "")}, 44)
    sheet.merge("B1:D1")
    paragraphs = [
        (p.STYLE_HEADER, "Introduction", 50),
        (p.STYLE_TEXT, "", None),
        (p.STYLE_SECTION, "About this sample", 32),
        (p.STYLE_TEXT, notice, 32),
        (p.STYLE_TEXT, "Import CSA's own workbook to replace every placeholder.", 32),
        (p.STYLE_TEXT, "", None),
        (p.STYLE_SECTION, "Allowed values", 32),
        (p.STYLE_TEXT, "CSP CAIQ Answer: " + ", ".join(ANSWER_VALUES), 32),
        (p.STYLE_TEXT, "SSRM Control Ownership: " + ", ".join(SSRM_VALUES), 48),
        (p.STYLE_TEXT, "", None),
    ]
    row = 2
    for style, text, height in paragraphs:
        sheet.row(row, {"A": (style, text), "B": (style, ""), "C": (style, ""), "D": (style, "")},
                  height)  # fmt: skip
        if text:
            sheet.merge(f"A{row}:D{row}")
        row += 1
    sheet.row(row, {"A": (p.STYLE_BANNER, "End of Introduction")}, 32)
    sheet.merge(f"A{row}:D{row}")
    row += 1
    sheet.row(row, {c: (p.STYLE_TEXT, notice if c == "A" else "") for c in "ABCD"}, 160)
    sheet.merge(f"A{row}:D{row}")
    pane = '<pane state="frozen" topLeftCell="A3" xSplit="0" ySplit="2" />'
    protection = f'<sheetProtection {PROTECTION} password="{INTRODUCTION_PASSWORD}" />'
    return sheet.xml(
        last_row=row,
        pane=pane,
        cols={"A": 20, "B": 32, "C": 14, "D": 72},
        protection=protection,
        tail=f"{SHEET_TAIL}<drawing r:id='rId8'/></worksheet>",
    )


def _question_sheet(
    strings: SharedStrings,
    structure: Structure,
    texts: dict[str, Callable[[str], str]],
    notice: str,
    letter_of: dict[str, str],
) -> str:
    sheet = SheetWriter(strings)
    version = structure.caiq_version
    title = f"CONSENSUS ASSESSMENTS INITIATIVE QUESTIONNAIRE v{version}"
    sheet.row(1, {"A": (17, f"v{version}"), "B": (16, title), "C": (16, ""), "D": (16, "")}, 44)
    sheet.merge("B1:D1")
    headers = {letter_of[c.key]: (p.STYLE_HEADER, c.header) for c in COLUMNS}
    headers.update(dict.fromkeys(HIDDEN_COLUMNS, (p.STYLE_HEADER, "")))
    sheet.row(2, headers, 54)

    row = 3
    for _code, domain_title, controls in structure.domains:
        domain_start = row
        domain_rows = sum(len(questions) for _, questions in controls)
        for n, (control_code, question_codes) in enumerate(controls):
            control_start = row
            specification = texts["control_specification"](control_code)
            control_texts = (control_code, specification, texts["control_title"](control_code))
            for question_code in question_codes:
                odd = row % 2 == 1  # CSA shades every other question row
                question = texts["question"](question_code)
                first = row == control_start
                cells = {
                    letter_of["question_id"]: (
                        p.STYLE_ID_ODD if odd else p.STYLE_ID_EVEN,
                        question_code,
                    ),
                    letter_of["question"]: (
                        p.STYLE_QUESTION_ODD if odd else p.STYLE_QUESTION_EVEN,
                        question,
                    ),
                    **{
                        letter_of[key]: (p.STYLE_ANSWER_ODD if odd else p.STYLE_ANSWER_EVEN, None)
                        for key in ANSWER_KEYS
                    },
                    **dict.fromkeys(HIDDEN_COLUMNS, (p.STYLE_DEFAULT, None)),
                    letter_of["control_id"]: (p.STYLE_CONTROL, control_code if first else None),
                    letter_of["control_specification"]: (
                        (p.STYLE_TEXT, specification) if first else (p.STYLE_CONTROL, None)
                    ),
                    letter_of["control_title"]: (
                        p.STYLE_CONTROL,
                        control_texts[2] if first else None,
                    ),
                    letter_of["domain_title"]: (
                        (p.STYLE_CONTROL, domain_title)
                        if row == domain_start
                        else (p.STYLE_DEFAULT, None)
                    ),
                }
                sheet.row(row, cells, _height(question, specification if first else ""))
                row += 1
            for key in CONTROL_KEYS:  # one merge per column, even over a single row, as CSA's
                sheet.merge(f"{letter_of[key]}{control_start}:{letter_of[key]}{row - 1}")
            if n == 0:
                letter = letter_of["domain_title"]
                sheet.merge(f"{letter}{domain_start}:{letter}{domain_start + domain_rows - 1}")
    last_question = row - 1
    used = sorted({*letter_of.values(), *HIDDEN_COLUMNS}, key=column_index_from_string)
    end_cells = {
        get_column_letter(n): (p.STYLE_BANNER, "End of Standard" if n == 1 else "")
        for n in range(1, column_index_from_string(used[-1]) + 1)
    }
    sheet.row(row, end_cells, 32)
    sheet.row(row + 1, {c: (p.STYLE_TEXT, notice if c == "A" else "") for c in "ABCD"}, 160)
    sheet.merge(f"A{row}:D{row}")
    sheet.merge(f"A{row + 1}:D{row + 1}")

    validations = "".join(
        f'<dataValidation sqref="{letter_of[key]}3:{letter_of[key]}{last_question}" '
        f"{VALIDATION}>"
        f'<formula1>"{",".join(values)}"</formula1></dataValidation>'
        for key, values in (("answer", ANSWER_VALUES), ("ssrm", SSRM_VALUES))
    )
    widths = {letter_of[key]: WIDTHS[letter] for key, letter in COLUMN_LETTERS.items()}
    widths.update(dict.fromkeys(HIDDEN_COLUMNS, 0))
    pane = '<pane state="frozen" topLeftCell="E3" xSplit="4" ySplit="2" />'
    protection = f'<sheetProtection {PROTECTION} password="{QUESTIONS_PASSWORD}" />'
    return sheet.xml(
        last_row=row + 1,
        pane=pane,
        cols=widths,
        protection=protection,
        tail=(
            f"<dataValidations count='2'>{validations}</dataValidations>"
            f"{SHEET_TAIL}<drawing r:id='rId9'/></worksheet>"
        ),
    )


def build_caiq_xlsx(
    structure: Structure,
    *,
    question_text: Callable[[str], str] = placeholder_question,
    control_specification: Callable[[str], str] = placeholder_specification,
    control_title: Callable[[str], str] = placeholder_title,
    notice: str = DEFAULT_NOTICE,
    column_letters: dict[str, str] = COLUMN_LETTERS,
    creator: str = "CAIQ Manager",
) -> bytes:
    """The .xlsx bytes; ``column_letters`` can move columns (CSA's next release may)."""
    texts = {
        "question": question_text,
        "control_specification": control_specification,
        "control_title": control_title,
    }
    strings = SharedStrings()
    sheet_name = f"CAIQv{structure.caiq_version}"
    parts = p.fixed_parts(("Introduction", sheet_name), creator)
    # Introduction first: axlsx numbers shared strings in the order the sheets use them.
    parts["xl/worksheets/sheet1.xml"] = _introduction(strings, structure.caiq_version, notice)
    parts["xl/worksheets/sheet2.xml"] = _question_sheet(
        strings, structure, texts, notice, column_letters
    )
    parts["xl/sharedStrings.xml"] = strings.xml()
    return p.zip_parts(parts)


def sample_workbook_bytes() -> bytes:
    """The embedded sample catalog: CAIQ v4.0.3's IDs and structure with placeholder text."""
    return build_caiq_xlsx(load_structure())
