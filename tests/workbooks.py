"""Workbooks for tests, built by the project's own builder with placeholder text.

The repository holds no CSA text and the suite needs nothing outside it: every workbook here
comes from ``caiq.xlsx.builder``, which writes CSA's file part for part (docs/caiq-format.md).
Tests that need a user's edited copy load those bytes into openpyxl, change them and save, as a
spreadsheet program would.
"""

import io
from collections.abc import Callable
from functools import cache

from openpyxl import Workbook, load_workbook

from caiq.xlsx.builder import Structure, build_caiq_xlsx, load_structure

OFFICIAL_FILENAME = "CAIQv4.0.3_STAR-Security-Questionnaire_Generated-at_2024-06-03.xlsx"


def to_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@cache
def sample_bytes() -> bytes:
    """The embedded sample catalog's workbook (what ``bin/run`` loads)."""
    return build_caiq_xlsx(load_structure())


def sample_workbook() -> Workbook:
    return load_workbook(io.BytesIO(sample_bytes()))


@cache
def official_bytes() -> bytes:
    """Stands in for CSA's own v4.0.3 file: the same structure, other (placeholder) text.

    Importing it over the sample catalog is what a user does with the real download.
    """
    return build_caiq_xlsx(
        load_structure(),
        question_text=lambda code: f"Placeholder question text for {code}:\nsecond line?",
        control_specification=lambda code: f"Placeholder specification of {code}.\nSecond line.",
        control_title=lambda code: f"Placeholder title of {code}",
        notice="Placeholder copyright notice (CSA's file carries its terms here).",
    )


def tiny_structure(version: str = "9.9.0") -> Structure:
    """An unknown version (no count checks): two domains, three controls, five questions."""
    return Structure(
        caiq_version=version,
        domains=[
            ("A&A", "Audit & Assurance", [("A&A-01", ["A&A-01.1", "A&A-01.2"])]),
            (
                "AIS",
                "Application & Interface Security",
                [("AIS-01", ["AIS-01.1"]), ("AIS-02", ["AIS-02.1", "AIS-02.2"])],
            ),
        ],
    )


def edited(edit: Callable[[Workbook], None], workbook: Workbook | None = None) -> bytes:
    """The sample workbook after ``edit`` changed it in place, as .xlsx bytes."""
    workbook = workbook or sample_workbook()
    edit(workbook)
    # Round-trip so the bytes are exactly what a user's spreadsheet program would give us.
    return to_bytes(load_workbook(io.BytesIO(to_bytes(workbook))))
