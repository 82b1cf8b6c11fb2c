"""Every bad workbook is refused with a reason naming the problem, and nothing is written."""

import pytest

from caiq.services import CatalogImportError, catalog_import
from tests.hostile import HOSTILE_WORKBOOKS
from tests.workbooks import edited, sample_bytes

from .test_catalog_import import catalog_snapshot

SHEET = "CAIQv4.0.3"


def rename_sheet(wb):
    wb[SHEET].title = "Questions"


def drop_header(key_letter: str):
    def edit(wb):
        wb[SHEET][f"{key_letter}2"] = None

    return edit


def rename_header(wb):
    wb[SHEET]["I2"] = "Control Identifier"


def duplicate_id(wb):
    wb[SHEET]["A4"] = "A&A-01.1"


def malformed_id(wb):
    wb[SHEET]["A4"] = "A&A-1.2"


def question_without_control(wb):
    # A&A-02.1 (row 5) starts a control; remove its control cells and merges.
    ws = wb[SHEET]
    for merged in list(ws.merged_cells.ranges):
        if merged.min_row == 5 and merged.min_col in (9, 10, 11):
            ws.unmerge_cells(str(merged))
    for col in (9, 10, 11):
        ws.cell(5, col).value = None


def missing_end_marker(wb):
    ws = wb[SHEET]
    ws.unmerge_cells("A264:D264")
    ws["A264"] = None


def question_removed(wb):
    wb[SHEET]["A263"] = "End of Standard"  # the last question (UEM-14.1) is cut off


def question_under_wrong_control(wb):
    wb[SHEET]["A3"] = "AIS-01.9"


def version_mismatch(wb):
    wb[SHEET]["A1"] = "v4.0.2"


def empty_question_text(wb):
    wb[SHEET]["B10"] = None


STRUCTURAL = {
    "wrong sheet name": (rename_sheet, "No CAIQ questionnaire sheet"),
    "missing header": (drop_header("J"), "Header 'CCM Control Specification' not found"),
    "renamed header": (rename_header, "Header 'CCM Control ID' not found"),
    "duplicate ID": (duplicate_id, "question ID A&A-01.1 is a duplicate of row 3"),
    "malformed ID": (malformed_id, "question ID 'A&A-1.2' is malformed"),
    "question with no control": (
        question_without_control,
        "question A&A-02.1 has no CCM Control ID",
    ),
    "no end marker": (missing_end_marker, "No 'End of Standard' row"),
    "wrong counts": (question_removed, "this file has 17, 196 and 260"),
    "question under another control": (question_under_wrong_control, "sits under control A&A-01"),
    "version mismatch": (version_mismatch, "Cell A1 says v4.0.2"),
    "missing question text": (empty_question_text, "has no question text"),
}

HOSTILE_REASONS = {
    "not_a_zip": "not a zip",
    "truncated_zip": "",
    "zip_bomb": "zip bomb",
    "huge_dimension": "1,048,576 rows",
    "xml_entity_attack": "entity",
    "external_entity": "entity",
    "empty_file": "",
    "old_xls": ".xls",
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", sorted(STRUCTURAL), ids=str)
def test_a_structurally_bad_workbook_is_refused_with_its_reason(case, official_workbook):
    catalog_import(data=sample_bytes(), filename="seed.xlsx", is_sample=True)
    edit, reason = STRUCTURAL[case]
    before = catalog_snapshot()

    with pytest.raises(CatalogImportError) as refused:
        # Against an existing sample, so "nothing written" covers the replace path too.
        catalog_import(data=edited(edit), filename=f"{case}.xlsx")

    assert any(reason in problem for problem in refused.value.problems), refused.value.problems
    assert catalog_snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize("case", sorted(HOSTILE_WORKBOOKS), ids=str)
def test_a_hostile_file_is_refused_with_one_line_and_nothing_written(case):
    before = catalog_snapshot()

    with pytest.raises(CatalogImportError) as refused:
        catalog_import(data=HOSTILE_WORKBOOKS[case](), filename=f"{case}.xlsx")

    message = str(refused.value)
    assert "\n" not in message
    assert message
    assert HOSTILE_REASONS.get(case, "").casefold() in message.casefold()
    assert catalog_snapshot() == before


def test_the_hostile_set_covers_the_issue_cases():
    assert {"not_a_zip", "truncated_zip", "zip_bomb", "huge_dimension", "xml_entity_attack"} <= set(
        HOSTILE_WORKBOOKS
    )
