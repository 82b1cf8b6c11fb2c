"""Facts about the CAIQ workbook's layout, shared by reader, builder and writer.

docs/caiq-format.md describes the file these facts come from.

Headers are matched after normalising white space and case, so CSA's double space in
``CSC Responsibilities  (Optional/Recommended)`` or a moved column in v4.1 do not matter.
"""

import re
from dataclasses import dataclass

from .ooxml import ooxml_unescape

QUESTION_ID_RE = re.compile(r"^[A-Z&]{3}-\d{2}\.\d+$")
CONTROL_ID_RE = re.compile(r"^[A-Z&]{3}-\d{2}$")
SHEET_NAME_RE = re.compile(r"^CAIQv(\d+(?:\.\d+)+)$")
END_MARKER = "end of standard"


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # CSA's spelling, used when we build a workbook
    prefix_match: bool = False  # v4.1 may reword the "(Optional/Recommended)" tail


COLUMNS: tuple[Column, ...] = (
    Column("question_id", "Question ID"),
    Column("question", "Question"),
    Column("answer", "CSP CAIQ Answer"),
    Column("ssrm", "SSRM Control Ownership"),
    Column(
        "implementation",
        "CSP Implementation Description (Optional/Recommended)",
        prefix_match=True,
    ),
    Column("csc", "CSC Responsibilities  (Optional/Recommended)", prefix_match=True),
    Column("control_id", "CCM Control ID"),
    Column("control_specification", "CCM Control Specification"),
    Column("control_title", "CCM Control Title"),
    Column("domain_title", "CCM Domain Title"),
)
ANSWER_COLUMN_KEYS = ("answer", "ssrm", "implementation", "csc")

ANSWER_VALUES = ("Yes", "No", "NA")
SSRM_VALUES = (
    "CSP-owned",
    "CSC-owned",
    "3rd-party outsourced",
    "Shared CSP and CSC",
    "Shared CSP and 3rd-party",
)

# Known releases: CCM version and counts (domains, controls, questions): docs/caiq-format.md.
KNOWN_VERSIONS: dict[str, tuple[str, tuple[int, int, int]]] = {
    "4.0.1": ("4.0.12", (17, 197, 261)),
    "4.0.2": ("4.0.12", (17, 197, 261)),
    "4.0.3": ("4.0.12", (17, 197, 261)),
    "4.1.0": ("4.1", (17, 207, 283)),
}

# Questions per domain in v4.0.x (docs/caiq-format.md): a cross-check of the whole structure.
V4_0_QUESTIONS_PER_DOMAIN = {
    "A&A": 8, "AIS": 11, "BCR": 18, "CCC": 11, "CEK": 23, "DCS": 23, "DSP": 24, "GRC": 9,
    "HRS": 20, "IAM": 21, "IPY": 8, "IVS": 14, "LOG": 18, "SEF": 11, "STA": 15, "TVM": 12,
    "UEM": 15,
}  # fmt: skip


def header_key(text: object) -> str:
    """A header cell's text in comparable form: case-folded, white space collapsed."""
    return " ".join(str(text or "").casefold().split())


def match_column(header_text: object) -> Column | None:
    key = header_key(header_text)
    if not key:
        return None
    for column in COLUMNS:
        wanted = header_key(column.header)
        if key == wanted:
            return column
        if column.prefix_match and key.startswith(wanted.split(" (")[0]):
            return column
    return None


def normalize_text(value: object) -> str:
    """CSA text as we store it: lines kept, runs of blanks collapsed, outer blank lines dropped."""
    if value is None:
        return ""
    # Excel and our builder store a carriage return as _x000D_; openpyxl's reader leaves it.
    text = ooxml_unescape(str(value)).replace("\r\n", "\n").replace("\r", "\n").replace("\xa0", " ")
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return "\n".join(lines).strip("\n").strip()


def comparable(value: str) -> str:
    """Text with all white space collapsed: two spellings of one text compare equal."""
    return " ".join(value.split())
