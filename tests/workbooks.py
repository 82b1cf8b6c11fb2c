"""Workbooks for tests, built with placeholder text (the repository holds no CSA text)."""

import io
from collections.abc import Callable

from openpyxl import Workbook, load_workbook

from caiq.xlsx.builder import Structure, build_caiq_workbook, load_structure

LAYOUT_SAMPLE = "CAIQv4.0.3-layout-sample.xlsx"


def to_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def sample_workbook(**kwargs) -> Workbook:
    return build_caiq_workbook(load_structure(), **kwargs)


def sample_bytes(**kwargs) -> bytes:
    return to_bytes(sample_workbook(**kwargs))


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
