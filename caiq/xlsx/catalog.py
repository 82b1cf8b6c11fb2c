"""Read the CAIQ catalog (domains, controls, questions) out of CSA's workbook.

Pure: takes an openpyxl workbook (opened by ``caiq.xlsx.guard``), returns plain dataclasses, or
raises ``CatalogRejected`` with every problem found. Nothing is written anywhere; the caller
decides what to store once the whole file has been validated.
"""

import re
from dataclasses import dataclass, field

from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from .layout import (
    ANSWER_COLUMN_KEYS,
    COLUMNS,
    CONTROL_ID_RE,
    END_MARKER,
    KNOWN_VERSIONS,
    QUESTION_ID_RE,
    SHEET_NAME_RE,
    V4_0_QUESTIONS_PER_DOMAIN,
    header_key,
    match_column,
    normalize_text,
)

HEADER_SEARCH_ROWS = 10
# CAIQ v3.0.1's sheet is "CSA CAIQ v3.0.1"; the CCM workbook has these sheets among others.
LEGACY_CAIQ_SHEET_RE = re.compile(r"\bCAIQ\s*v?(3(?:\.\d+)*)", re.IGNORECASE)
CCM_SHEETS = {"CCM", "Scope Applicability (Mappings)"}


class CatalogRejected(Exception):
    """The workbook is not a usable CAIQ catalog; ``problems`` lists every reason found."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        extra = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        super().__init__(f"{problems[0]}{extra}")


@dataclass(frozen=True)
class DomainData:
    code: str
    title: str


@dataclass(frozen=True)
class ControlData:
    code: str
    domain_code: str
    title: str
    specification: str


@dataclass(frozen=True)
class QuestionData:
    code: str
    control_code: str
    text: str
    row: int


@dataclass(frozen=True)
class CatalogData:
    caiq_version: str
    ccm_version: str
    sheet_name: str
    domains: tuple[DomainData, ...]
    controls: tuple[ControlData, ...]
    questions: tuple[QuestionData, ...]
    # Sheet, header row, first/last question row and column letter per column key.
    layout: dict = field(default_factory=dict)

    @property
    def counts(self) -> tuple[int, int, int]:
        return len(self.domains), len(self.controls), len(self.questions)


def find_questionnaire_sheet(workbook: Workbook) -> tuple[Worksheet, str]:
    """The one sheet named like ``CAIQv4.0.3``, and the version its name carries."""
    matches = [
        (ws, m.group(1)) for ws in workbook.worksheets if (m := SHEET_NAME_RE.match(ws.title))
    ]
    if len(matches) != 1:
        found = ", ".join(f"'{name}'" for name in workbook.sheetnames)
        if not matches and (other := identify_other(workbook.sheetnames)):
            raise CatalogRejected([other])
        if not matches:
            raise CatalogRejected(
                [
                    "No CAIQ questionnaire sheet: expected one named like 'CAIQv4.0.3' "
                    f"(found {found})."
                ]
            )
        raise CatalogRejected([f"More than one CAIQ questionnaire sheet ({found})."])
    return matches[0]


def identify_other(sheet_names: list[str]) -> str | None:
    """The sentence for a CSA workbook that is not a CAIQ v4 (a v3 CAIQ, the CCM), or None."""
    for name in sheet_names:
        if legacy := LEGACY_CAIQ_SHEET_RE.search(name):
            return (
                f"This is a CAIQ v{legacy.group(1)} workbook; only CAIQ v4.x can be imported "
                "(CSA's v4 workbook has a sheet named like 'CAIQv4.0.3')."
            )
    if set(sheet_names) >= CCM_SHEETS:
        return (
            "This is the Cloud Controls Matrix (CCM) workbook, not a CAIQ: import CSA's CAIQ "
            "workbook (a sheet named like 'CAIQv4.0.3') instead."
        )
    return None


def find_header(ws: Worksheet) -> tuple[int, dict[str, int]]:
    """The header row and the column number of each known header, found by header text."""
    for row in ws.iter_rows(min_row=1, max_row=HEADER_SEARCH_ROWS):
        if not any(header_key(cell.value) == "question id" for cell in row):
            continue
        columns: dict[str, int] = {}
        problems = []
        for cell in row:
            column = match_column(cell.value)
            if column is None:
                continue
            if column.key in columns:
                problems.append(f"Header '{column.header}' appears twice in row {cell.row}.")
            columns[column.key] = cell.column
        header_row = row[0].row
        missing = [c.header for c in COLUMNS if c.key not in columns]
        problems += [
            f"Header '{name}' not found in row {header_row} of sheet '{ws.title}'."
            for name in missing
        ]
        if problems:
            raise CatalogRejected(problems)
        return header_row, columns
    raise CatalogRejected(
        [
            f"No header row with 'Question ID' in the first {HEADER_SEARCH_ROWS} rows "
            f"of '{ws.title}'."
        ]
    )


def merged_values(ws: Worksheet, columns: set[int]) -> dict[tuple[int, int], object]:
    """Forward-fill merges: every cell of a merged range in ``columns`` gets its top-left value."""
    filled: dict[tuple[int, int], object] = {}
    for merged in ws.merged_cells.ranges:
        top_left = ws.cell(merged.min_row, merged.min_col).value
        for col in range(merged.min_col, merged.max_col + 1):
            if col not in columns:
                continue
            for row in range(merged.min_row, merged.max_row + 1):
                filled[(row, col)] = top_left
    return filled


def parse_catalog(workbook: Workbook) -> CatalogData:
    ws, version = find_questionnaire_sheet(workbook)
    problems: list[str] = []
    title_cell = normalize_text(ws.cell(1, 1).value)
    if title_cell.startswith("v") and title_cell != f"v{version}":
        problems.append(f"Cell A1 says {title_cell} but the sheet is named '{ws.title}'.")

    header_row, columns = find_header(ws)
    col = columns.__getitem__
    merge_cols = {col("control_id"), col("control_specification"), col("control_title")}
    merge_cols.add(col("domain_title"))
    filled = merged_values(ws, merge_cols)

    def value(row: int, key: str) -> str:
        number = col(key)
        raw = ws.cell(row, number).value
        if raw is None:
            raw = filled.get((row, number))
        return normalize_text(raw)

    domains: dict[str, DomainData] = {}
    controls: dict[str, ControlData] = {}
    questions: dict[str, QuestionData] = {}
    control_seen_last: str | None = None
    end_row = None
    for row in range(header_row + 1, ws.max_row + 1):
        qid = value(row, "question_id")
        if _is_end_marker(ws, row):
            end_row = row
            break
        if not qid:
            if any(value(row, key) for key in ("question", "control_id")):
                problems.append(f"Row {row}: a question with no Question ID.")
            continue
        problems += _check_row(row, qid, value, questions)
        control_code = value(row, "control_id")
        if not control_code or not CONTROL_ID_RE.match(control_code):
            continue
        if control_code in controls and control_seen_last != control_code:
            problems.append(f"Row {row}: control {control_code} appears in two separate places.")
        control_seen_last = control_code
        domain_code = control_code[:3]
        domain_title = value(row, "domain_title")
        if domain_code not in domains:
            if not domain_title:
                problems.append(f"Row {row}: domain {domain_code} has no CCM Domain Title.")
            domains[domain_code] = DomainData(domain_code, domain_title)
        elif domain_title and domain_title != domains[domain_code].title:
            problems.append(f"Row {row}: domain {domain_code} has two different titles.")
        if control_code not in controls:
            controls[control_code] = ControlData(
                code=control_code,
                domain_code=domain_code,
                title=value(row, "control_title"),
                specification=value(row, "control_specification"),
            )
        questions.setdefault(qid, QuestionData(qid, control_code, value(row, "question"), row))

    if end_row is None:
        problems.append(f"No 'End of Standard' row closes the questions of '{ws.title}'.")
    else:
        problems += _questions_after_end(ws, end_row, col("question_id"))
    if not questions and not problems:
        problems.append(f"Sheet '{ws.title}' holds no questions.")
    if not problems:
        problems += _check_counts(version, domains, controls, questions)
    if problems:
        raise CatalogRejected(problems)

    rows = [q.row for q in questions.values()]
    layout = {
        "sheet": ws.title,
        "header_row": header_row,
        "first_row": min(rows),
        "last_row": max(rows),
        "columns": dict(columns),
        "answer_columns": [columns[key] for key in ANSWER_COLUMN_KEYS],
    }
    return CatalogData(
        caiq_version=version,
        ccm_version=KNOWN_VERSIONS.get(version, ("", ()))[0],
        sheet_name=ws.title,
        domains=tuple(domains.values()),
        controls=tuple(controls.values()),
        questions=tuple(questions.values()),
        layout=layout,
    )


def _questions_after_end(ws: Worksheet, end_row: int, id_column: int) -> list[str]:
    """CSA's file has only its notice after 'End of Standard': a question there was added."""
    for row in range(end_row + 1, ws.max_row + 1):
        code = normalize_text(ws.cell(row, id_column).value)
        if QUESTION_ID_RE.match(code):
            return [
                f"Row {row} holds question ID {code} after 'End of Standard'; CSA's file has "
                "no questions there."
            ]
    return []


def _is_end_marker(ws: Worksheet, row: int) -> bool:
    """CSA closes the questions with 'End of Standard' merged over A:D, wherever columns moved."""
    return any(
        isinstance(cell.value, str) and header_key(cell.value) == END_MARKER for cell in ws[row][:6]
    )


def _check_row(row: int, qid: str, value, questions: dict) -> list[str]:
    problems = []
    if not QUESTION_ID_RE.match(qid):
        problems.append(f"Row {row}: question ID '{qid}' is malformed (expected like A&A-01.1).")
        return problems
    if qid in questions:
        problems.append(f"Row {row}: question ID {qid} is a duplicate of row {questions[qid].row}.")
    if not value(row, "question"):
        problems.append(f"Row {row}: question {qid} has no question text.")
    control_code = value(row, "control_id")
    if not control_code:
        problems.append(f"Row {row}: question {qid} has no CCM Control ID.")
    elif not CONTROL_ID_RE.match(control_code):
        problems.append(
            f"Row {row}: control ID '{control_code}' is malformed (expected like A&A-01)."
        )
    elif not qid.startswith(control_code + "."):
        problems.append(f"Row {row}: question {qid} sits under control {control_code}.")
    elif not value(row, "control_specification"):
        problems.append(f"Row {row}: control {control_code} has no CCM Control Specification.")
    return problems


def _check_counts(version: str, domains: dict, controls: dict, questions: dict) -> list[str]:
    """Known releases must have exactly CSA's counts: a cut or padded file is refused."""
    known = KNOWN_VERSIONS.get(version)
    if known is None:
        return []
    expected = known[1]
    found = (len(domains), len(controls), len(questions))
    if found != expected:
        return [
            f"CAIQ v{version} has {expected[0]} domains, {expected[1]} controls and "
            f"{expected[2]} questions; this file has {found[0]}, {found[1]} and {found[2]}."
        ]
    if version.startswith("4.0."):
        per_domain: dict[str, int] = {}
        for question in questions.values():
            per_domain[question.control_code[:3]] = per_domain.get(question.control_code[:3], 0) + 1
        if per_domain != V4_0_QUESTIONS_PER_DOMAIN:
            wrong = sorted(
                code
                for code in set(per_domain) | set(V4_0_QUESTIONS_PER_DOMAIN)
                if per_domain.get(code) != V4_0_QUESTIONS_PER_DOMAIN.get(code)
            )
            return [
                f"CAIQ v{version}: question counts differ from CSA's in domains {', '.join(wrong)}."
            ]
    return []
