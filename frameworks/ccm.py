"""Read the framework mappings out of CSA's Cloud Controls Matrix (CCM) workbook.

Pure: takes an openpyxl workbook (opened by ``caiq.xlsx.guard``), returns plain dataclasses, or
raises ``CcmRejected`` with every problem found. The sheet "Scope Applicability (Mappings)"
holds, per CCM control (rows) and framework (three columns each: Control Mapping, Gap Level,
Addendum), the framework's requirement IDs one per line (or "No Mapping"), the gap level and an
addendum. Facts of CSA's file this reader relies on (see ../shared/ccm/README.md):

- the sheet's ``<dimension>`` says A1:D219 although data runs to column AK: openpyxl's
  read-only mode believes it unless told to reset the dimensions;
- the framework names sit one row above the headers, over each framework's first column;
- a domain heading row (merged A:D, nothing in C) comes before each domain's controls, and an
  "End of Standard" row after the last;
- some requirement cells are numbers (CIS "8.1"), and two cells spell "No Gap" or "N/A" with
  Greek capitals and small letters that look Latin.
"""

import re
from collections import Counter
from dataclasses import dataclass

from openpyxl.workbook.workbook import Workbook

from caiq.xlsx.layout import header_key, normalize_text

MAPPINGS_SHEET = "Scope Applicability (Mappings)"
HEADER_SEARCH_ROWS = 6
CONTROL_ID_RE = re.compile(r"[A-Z&]{2,4}-\d{2}")
VERSION_RE = re.compile(r"v?(\d+(?:\.\d+){1,3})")
END_MARKER = "end of standard"
NO_MAPPING = "no mapping"
FRAMEWORK_COLUMNS = ("control mapping", "gap level", "addendum")
GAP_LEVELS = {"no gap": "no", "partial gap": "partial", "full gap": "full"}
# Greek letters that look like Latin ones: CSA's file spells one "No Gap" with a Greek capital
# nu and small omicron, and one "N/A" with a Greek nu and alpha.
_LOOKALIKES = str.maketrans("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧαβεικνορτυχ", "ABEZHIKMNOPTYXabeiknoptux")
MAX_PROBLEMS = 20


class CcmRejected(Exception):
    """The workbook is not a CCM workbook this reader can use; ``problems`` says why."""

    def __init__(self, problems: list[str]):
        super().__init__(" ".join(problems[:MAX_PROBLEMS]))
        self.problems = problems


@dataclass(frozen=True)
class MappingData:
    """One CCM control's mapping to one framework."""

    control_id: str
    requirements: tuple[str, ...]  # empty: "No Mapping"
    gap_level: str  # "no", "partial", "full", or "" when the cell is empty
    addendum: str


@dataclass(frozen=True)
class FrameworkData:
    name: str
    mappings: tuple[MappingData, ...]

    @property
    def counts(self) -> dict:
        gaps = Counter(m.gap_level for m in self.mappings)
        return {
            "mapped_controls": sum(1 for m in self.mappings if m.requirements),
            "unmapped_controls": sum(1 for m in self.mappings if not m.requirements),
            "requirements": len({r for m in self.mappings for r in m.requirements}),
            "gaps": {level: gaps.get(level, 0) for level in ("no", "partial", "full", "")},
        }


@dataclass(frozen=True)
class CcmData:
    version: str  # "4.0.12"
    controls: tuple[tuple[str, str], ...]  # (control ID, domain), in the sheet's order
    frameworks: tuple[FrameworkData, ...]


def plain(value: object) -> str:
    """A cell as comparable text: numbers without a trailing ".0", look-alike Greek made Latin."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return normalize_text(value).translate(_LOOKALIKES)


def parse_ccm(workbook: Workbook) -> CcmData:
    if MAPPINGS_SHEET not in workbook.sheetnames:
        raise CcmRejected([_not_ccm(workbook.sheetnames)])
    ws = workbook[MAPPINGS_SHEET]
    if hasattr(ws, "reset_dimensions"):  # read-only mode: the stored dimension is wrong
        ws.reset_dimensions()
    rows = [tuple(row) for row in ws.iter_rows(values_only=True)]
    version = _version(rows)
    header_row, frameworks = _frameworks(rows)
    problems: list[str] = []
    controls: list[tuple[str, str]] = []
    mappings: list[list[MappingData]] = [[] for _ in frameworks]
    ended = False
    for number, row in enumerate(rows[header_row:], start=header_row + 1):
        first = plain(_cell(row, 0))
        if header_key(first) == END_MARKER:
            ended = True
            break
        control_id = plain(_cell(row, 2))
        if not control_id:
            continue  # a domain heading, or an empty row
        if not CONTROL_ID_RE.fullmatch(control_id):
            problems.append(f"Row {number}: '{control_id[:40]}' is not a CCM control ID.")
            continue
        controls.append((control_id, first))
        for index, (_name, column) in enumerate(frameworks):
            mapping = _mapping(row, column, control_id, number, problems)
            mappings[index].append(mapping)
    if not ended:
        problems.append(
            f"The mappings end early: no 'End of Standard' row after {len(controls)} controls. "
            "Upload CSA's complete CCM workbook."
        )
    duplicates = [cid for cid, n in Counter(c for c, _d in controls).items() if n > 1]
    problems += [f"Control {cid} appears more than once." for cid in duplicates]
    if problems:
        raise CcmRejected(problems)
    return CcmData(
        version=version,
        controls=tuple(controls),
        frameworks=tuple(
            FrameworkData(name, tuple(found))
            for (name, _column), found in zip(frameworks, mappings, strict=True)
        ),
    )


def _not_ccm(sheet_names: list[str]) -> str:
    if any(re.match(r"CAIQv?\d", name, re.IGNORECASE) for name in sheet_names):
        return (
            "This is a CAIQ workbook, not the Cloud Controls Matrix: upload CSA's CCM workbook "
            f"(it has a sheet named '{MAPPINGS_SHEET}')."
        )
    return f"This is not CSA's CCM workbook: it has no sheet named '{MAPPINGS_SHEET}'."


def _cell(row: tuple, index: int) -> object:
    return row[index] if index < len(row) else None


def _version(rows: list[tuple]) -> str:
    found = VERSION_RE.fullmatch(plain(_cell(rows[0], 0))) if rows else None
    if found is None:
        raise CcmRejected([f"No CCM version (like 'v4.0.12') in cell A1 of '{MAPPINGS_SHEET}'."])
    return found.group(1)


def _frameworks(rows: list[tuple]) -> tuple[int, list[tuple[str, int]]]:
    """The header row (1-based) and each framework's name and first column (0-based)."""
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        headers = [header_key(plain(value)) for value in row]
        if "control id" not in headers:
            continue
        names = rows[index - 1] if index else ()
        found = []
        for column, header in enumerate(headers):
            if header != FRAMEWORK_COLUMNS[0]:
                continue
            trio = tuple(headers[column : column + 3])
            name = plain(_cell(names, column))
            if trio != FRAMEWORK_COLUMNS or not name:
                raise CcmRejected(
                    [
                        f"Row {index + 1} of '{MAPPINGS_SHEET}': the framework at column "
                        f"{column + 1} needs a name above it and the headers Control Mapping, "
                        "Gap Level, Addendum."
                    ]
                )
            found.append((name, column))
        if not found:
            raise CcmRejected([f"No 'Control Mapping' columns in row {index + 1}."])
        return index + 1, found
    raise CcmRejected([f"No header row with 'Control ID' in the first {HEADER_SEARCH_ROWS} rows."])


def _mapping(row, column: int, control_id: str, number: int, problems: list[str]) -> MappingData:
    text = plain(_cell(row, column))
    # Once each: a few of CSA's cells list the same requirement twice.
    requirements = tuple(dict.fromkeys(line.strip() for line in text.split("\n") if line.strip()))
    if len(requirements) == 1 and header_key(requirements[0]) == NO_MAPPING:
        requirements = ()
    gap_text = header_key(plain(_cell(row, column + 1)))
    gap = GAP_LEVELS.get(gap_text, "")
    if gap_text and gap_text not in GAP_LEVELS:
        problems.append(
            f"Row {number}, control {control_id}: gap level '{gap_text[:30]}' is none of "
            "No Gap, Partial Gap, Full Gap."
        )
    addendum = plain(_cell(row, column + 2))
    if header_key(addendum) in ("n/a", "na"):
        addendum = ""
    return MappingData(control_id, requirements, gap, addendum)
