"""The exporter writes only answer cells, as literal text, into CSA's own workbook."""

import io
import re
import zipfile

import pytest
from openpyxl import load_workbook

from caiq.xlsx.catalog import parse_catalog
from caiq.xlsx.ooxml import ooxml_unescape
from caiq.xlsx.writer import AnswerCells, ExportError, fill_workbook
from tests.workbooks import official_bytes
from tests.xlsx_checks import assert_only_answer_cells_changed

SHEET = "CAIQv4.0.3"
LEADING = [
    "_x000D_",
    "=",
    "+",
    "-",
    "@",
    "\t",
    "\r",
    "\uff1d",
    "\uff0b",
    "\uff0d",
    "\uff20",
    "#",
    "'",
]
PAYLOADS = [
    '=HYPERLINK("https://evil.example","click")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3",
    "#N/A",
]


@pytest.fixture(scope="module")
def template():
    return official_bytes()


@pytest.fixture(scope="module")
def layout(template):
    return parse_catalog(load_workbook(io.BytesIO(template))).layout


# Each question's row, as the catalog import records it.
ROWS = {q.code: q.row for q in parse_catalog(load_workbook(io.BytesIO(official_bytes()))).questions}


def reopen(data: bytes):
    return load_workbook(io.BytesIO(data))


def test_only_the_answer_cells_of_question_rows_change(template, layout):
    out = fill_workbook(
        template, layout, {"A&A-01.1": AnswerCells("Yes", "CSP-owned", "How", "What")}, ROWS
    )

    before, after = reopen(template)[SHEET], reopen(out)[SHEET]
    changed = [
        cell.coordinate
        for row_before, row_after in zip(before.iter_rows(), after.iter_rows(), strict=True)
        for cell, cell_after in zip(row_before, row_after, strict=True)
        if cell.value != cell_after.value
    ]
    assert changed == ["C3", "D3", "E3", "F3"]
    assert [after[c].value for c in changed] == ["Yes", "CSP-owned", "How", "What"]


def test_the_template_structure_survives(template, layout):
    out = fill_workbook(template, layout, {"A&A-01.1": AnswerCells("No", "CSC-owned")}, ROWS)

    before, after = reopen(template), reopen(out)
    assert after.sheetnames == before.sheetnames == ["Introduction", SHEET]
    ws, orig = after[SHEET], before[SHEET]
    assert [c.value for c in ws[2]] == [c.value for c in orig[2]]
    assert [dv.formula1 for dv in ws.data_validations.dataValidation] == [
        dv.formula1 for dv in orig.data_validations.dataValidation
    ]
    assert [str(dv.sqref) for dv in ws.data_validations.dataValidation] == ["C3:C263", "D3:D263"]
    assert ws.protection.sheet
    assert after["Introduction"].protection.sheet
    assert {str(r) for r in ws.merged_cells.ranges} == {str(r) for r in orig.merged_cells.ranges}
    assert ws.freeze_panes == "E3"
    assert ws.column_dimensions["G"].width == 0  # hidden by width, as in CSA's file
    assert ws.column_dimensions["H"].width == 0
    assert ws["C3"].protection.locked is False
    assert ws["A3"].protection.locked is True


def test_no_text_becomes_a_formula_or_an_error_and_it_reads_back_identical(template, layout):
    # Every leading character times every payload, one question row each, in one export.
    texts = [lead + payload for lead in LEADING for payload in PAYLOADS]
    codes = [q.code for q in parse_catalog(load_workbook(io.BytesIO(template))).questions]
    answers = {
        code: AnswerCells("Yes", "CSP-owned", text, text)
        for code, text in zip(codes, texts, strict=False)
    }

    out = fill_workbook(template, layout, answers, ROWS)

    ws = reopen(out)[SHEET]
    for row, text in enumerate(texts, start=3):
        for column in ("E", "F"):
            cell = ws[f"{column}{row}"]
            assert cell.data_type == "s", (cell.coordinate, text)
            assert ooxml_unescape(cell.value) == text, cell.coordinate
    sheet_xml = zipfile.ZipFile(io.BytesIO(out)).read("xl/worksheets/sheet2.xml")
    assert b"<f>" not in sheet_xml
    assert b"<f " not in sheet_xml
    assert b't="e"' not in sheet_xml
    assert len(texts) >= 60


def test_text_longer_than_a_cell_is_refused_not_truncated(template, layout):
    with pytest.raises(ExportError, match="32,767"):
        fill_workbook(template, layout, {"A&A-01.1": AnswerCells("Yes", "", "x" * 32_768)}, ROWS)


def test_an_answer_for_a_question_the_template_lacks_is_refused(template, layout):
    with pytest.raises(ExportError, match=r"The template has no row for question ZZZ-01\.1\."):
        fill_workbook(template, layout, {"ZZZ-01.1": AnswerCells("Yes")}, ROWS)


def test_a_text_of_the_full_cell_length_with_line_breaks_is_written_whole(template, layout):
    text = "\r\n" + "x" * 32_765  # 32,767 characters: the limit, however they are encoded

    out = fill_workbook(template, layout, {"A&A-01.1": AnswerCells("Yes", "", text)}, ROWS)

    assert ooxml_unescape(reopen(out)[SHEET]["E3"].value) == text


def test_only_answer_cells_differ_from_the_template_at_the_xml_level(template, layout):
    codes = [q.code for q in parse_catalog(load_workbook(io.BytesIO(template))).questions]
    answers = {
        code: AnswerCells(("Yes", "No", "NA")[i % 3], "CSP-owned", f" How {i}\n", f"What {i}")
        for i, code in enumerate(codes)
    }

    out = fill_workbook(template, layout, answers, ROWS)

    written = assert_only_answer_cells_changed(template, out, layout)
    assert len(written) == 261 * 4
    assert written["C3"] == b'<c r="C3" s="8" t="inlineStr"><is><t>Yes</t></is></c>'
    assert written["E4"] == (
        b'<c r="E4" s="7" t="inlineStr"><is><t xml:space="preserve"> How 1\n</t></is></c>'
    )
    ws = reopen(out)[SHEET]
    assert [ws.cell(row, 5).value for row in (3, 4)] == [" How 0\n", " How 1\n"]


def test_an_empty_answer_leaves_the_template_cell_as_it_was(template, layout):
    out = fill_workbook(template, layout, {"A&A-01.1": AnswerCells("Yes")}, ROWS)

    written = assert_only_answer_cells_changed(template, out, layout)
    assert written["D3"] == b'<c r="D3" s="8" />'


def test_answer_cells_missing_from_the_template_are_inserted_in_column_order(template, layout):
    from tests.hostile import with_parts

    sheet = zipfile.ZipFile(io.BytesIO(template)).read("xl/worksheets/sheet2.xml")
    sparse = with_parts(
        {
            "xl/worksheets/sheet2.xml": sheet.replace(b'<c r="C3" s="8" />', b"").replace(
                b'<c r="F3" s="8" />', b""
            )
        },
        base=template,
    )

    out = fill_workbook(
        sparse, layout, {"A&A-01.1": AnswerCells("Yes", "CSP-owned", "E", "F")}, ROWS
    )

    row = re.search(
        rb'<row [^>]*r="3" >(.*?)</row>',
        zipfile.ZipFile(io.BytesIO(out)).read("xl/worksheets/sheet2.xml"),
    )[1]
    assert re.findall(rb'<c r="([A-Z]+)3"', row) == [c.encode() for c in "ABCDEFGHIJKL"]
    ws = reopen(out)[SHEET]
    assert [ws[f"{c}3"].value for c in "CDEF"] == ["Yes", "CSP-owned", "E", "F"]


@pytest.mark.parametrize(
    "text", ["_x0041_x0042_", "_x005f_x0041_", "__x0041__", "_x0041", "a_x000D_b"]
)
def test_text_that_looks_like_an_ooxml_escape_comes_back_as_typed(template, layout, text):
    out = fill_workbook(template, layout, {"A&A-01.1": AnswerCells("Yes", "", text)}, ROWS)

    assert ooxml_unescape(reopen(out)[SHEET]["E3"].value) == text
