"""The guarded workbook reader: what it opens, what it refuses, and the reason it gives."""

import io
import zipfile

import openpyxl
import pytest
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.drawing.image import Image
from openpyxl.worksheet.datavalidation import DataValidation
from PIL import Image as PILImage

from caiq.xlsx import guard
from caiq.xlsx.guard import DEFAULT_LIMITS, WorkbookLimits, WorkbookRejected, open_workbook
from tests import hostile
from tests.hostile import (
    HOSTILE_WORKBOOKS,
    SHEET,
    WORKBOOK_RELS,
    sheet_xml,
    valid_workbook,
    with_parts,
)


def refusal(source, **kwargs) -> str:
    with pytest.raises(WorkbookRejected) as excinfo:
        open_workbook(source, **kwargs)
    return str(excinfo.value)


def limits(**overrides) -> WorkbookLimits:
    return WorkbookLimits(**overrides)


class _UnseekableStream(io.RawIOBase):
    """An upload stream that cannot tell its size, and remembers how much was read from it."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        chunk = self._data.read(len(buffer))
        buffer[: len(chunk)] = chunk
        self.bytes_read += len(chunk)
        return len(chunk)


# Opening what is fine.


def test_it_opens_a_valid_workbook_and_its_values_are_readable():
    workbook = open_workbook(valid_workbook(rows=3))

    sheet = workbook["Questions"]
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [
        ["Question ID", "CSP CAIQ Answer"],
        ["A&A-01.1", "Yes"],
        ["A&A-01.2", "Yes"],
    ]


def test_it_opens_a_workbook_from_a_path(tmp_path):
    path = tmp_path / "caiq.xlsx"
    path.write_bytes(valid_workbook())

    assert open_workbook(path)["Questions"]["A2"].value == "A&A-01.1"
    assert open_workbook(str(path))["Questions"]["A2"].value == "A&A-01.1"


def test_it_opens_a_workbook_from_a_file_object(tmp_path):
    path = tmp_path / "caiq.xlsx"
    path.write_bytes(valid_workbook())

    with path.open("rb") as stream:
        assert open_workbook(stream)["Questions"]["B2"].value == "Yes"
    assert open_workbook(io.BytesIO(valid_workbook()))["Questions"]["B2"].value == "Yes"


def test_it_opens_a_workbook_in_read_only_mode():
    workbook = open_workbook(valid_workbook(), read_only=True)

    rows = list(workbook["Questions"].iter_rows(values_only=True))
    assert rows == [("Question ID", "CSP CAIQ Answer"), ("A&A-01.1", "Yes")]


def test_it_opens_a_workbook_with_the_features_of_the_csa_questionnaire():
    # Merges, dropdowns, protection, a frozen pane, a comment (VML), a hyperlink, a logo and a
    # chart: none of them may trip a check.
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "CAIQv4.0.3"
    sheet.append(["Question ID", "Question", "CSP CAIQ Answer", "SSRM Control Ownership"])
    for number in range(1, 4):
        sheet.append([f"A&A-01.{number}", "Placeholder question?\n", "Yes", "CSP-owned"])
    sheet.merge_cells("B2:B4")
    answers = DataValidation(type="list", formula1='"Yes,No,NA"')
    answers.add("C2:C4")
    sheet.add_data_validation(answers)
    sheet.protection.sheet = True
    sheet.freeze_panes = "E3"
    sheet["A2"].comment = Comment("Placeholder note", "Reviewer")
    sheet["A3"].hyperlink = "https://example.org/placeholder"
    logo = io.BytesIO()
    PILImage.new("RGB", (4, 4), "blue").save(logo, format="PNG")
    sheet.add_image(Image(logo), "F1")
    chart = BarChart()
    chart.add_data(Reference(sheet, min_col=1, min_row=1, max_row=4))
    sheet.add_chart(chart, "F5")
    buffer = io.BytesIO()
    workbook.save(buffer)

    opened = open_workbook(buffer.getvalue())

    sheet = opened["CAIQv4.0.3"]
    assert sheet["C2"].value == "Yes"
    assert [str(merged) for merged in sheet.merged_cells.ranges] == ["B2:B4"]
    assert sheet["A2"].comment.text == "Placeholder note"


def test_it_names_a_sheet_found_through_a_relative_relationship_target():
    rels = zipfile.ZipFile(io.BytesIO(valid_workbook())).read(WORKBOOK_RELS)
    rels = rels.replace(b'Target="/xl/worksheets/sheet1.xml"', b'Target="worksheets/sheet1.xml"')
    workbook = with_parts({WORKBOOK_RELS: rels, SHEET: sheet_xml("", dimension="A1:A5001")})

    assert refusal(workbook) == "Sheet 'Questions' claims 5,001 rows; the limit is 5,000."


def test_it_opens_a_cell_exactly_at_the_length_limit():
    workbook = open_workbook(hostile.long_cell(100), limits=limits(max_cell_chars=100))

    assert len(workbook["Questions"]["A1"].value) == 100


def test_it_does_not_count_drawing_anchor_rows_as_sheet_rows():
    drawing = (
        b'<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/'
        b'spreadsheetDrawing"><xdr:oneCellAnchor><xdr:from><xdr:col>99</xdr:col>'
        b"<xdr:row>999999</xdr:row></xdr:from></xdr:oneCellAnchor></xdr:wsDr>"
    )

    workbook = open_workbook(with_parts({"xl/drawings/drawing1.xml": drawing}))

    assert workbook.sheetnames == ["Questions"]


def test_it_tolerates_a_vml_drawing_that_is_not_well_formed_xml():
    # Excel writes unclosed <br> tags in VML; openpyxl never parses VML.
    vml = b"<xml><v:shape><div>note<br></div></v:shape></xml>"

    workbook = open_workbook(with_parts({"xl/drawings/vmlDrawing1.vml": vml}))

    assert workbook.sheetnames == ["Questions"]


# Refusing what is not a workbook.


def test_it_refuses_an_empty_file():
    assert refusal(hostile.empty_file()) == "This file is empty."


@pytest.mark.parametrize("builder", [hostile.not_a_zip, hostile.pdf_file])
def test_it_refuses_a_file_that_is_not_a_zip_archive(builder):
    assert refusal(builder()) == "This file is not an .xlsx workbook (it is not a zip archive)."


def test_it_refuses_an_old_xls_file_and_says_to_save_it_as_xlsx():
    message = refusal(hostile.old_xls())

    assert "old .xls workbook or a password-protected one" in message
    assert "save it in Excel as an .xlsx workbook" in message


def test_it_refuses_a_truncated_zip():
    assert refusal(hostile.truncated_zip()) == (
        "This file is damaged or truncated (its zip structure cannot be read)."
    )


@pytest.mark.parametrize(
    ("builder", "missing"),
    [
        (hostile.missing_workbook_xml, "xl/workbook.xml"),
        (hostile.missing_content_types, "[Content_Types].xml"),
    ],
)
def test_it_refuses_a_zip_without_the_workbook_parts(builder, missing):
    assert refusal(builder()) == f"This file is not an .xlsx workbook (it has no {missing})."


# Refusing what is too big, before reading or unpacking it.


def test_it_refuses_a_file_over_the_size_limit():
    assert refusal(hostile.oversized_file()) == "This file is 11 MB; the limit is 10 MB."


def test_it_refuses_an_oversized_path_or_stream_with_small_limits(tmp_path):
    data = valid_workbook()
    path = tmp_path / "big.xlsx"
    path.write_bytes(data)
    small = limits(max_bytes=1000)
    expected = f"This file is {len(data):,} bytes; the limit is 1,000 bytes."

    assert refusal(path, limits=small) == expected
    assert refusal(io.BytesIO(data), limits=small) == expected


def test_it_reads_no_more_than_the_limit_from_a_stream_that_cannot_tell_its_size():
    stream = _UnseekableStream(hostile.oversized_file())

    message = refusal(io.BufferedReader(stream, buffer_size=1))

    assert message == "This file is larger than the limit of 10 MB."
    assert stream.bytes_read == DEFAULT_LIMITS.max_bytes + 1


def test_it_refuses_a_zip_with_too_many_entries():
    assert refusal(hostile.too_many_entries()) == (
        "This file holds 50,000 parts; the limit is 200."
    )
    entries = len(zipfile.ZipFile(io.BytesIO(valid_workbook())).infolist())
    assert refusal(valid_workbook(), limits=limits(max_entries=5)) == (
        f"This file holds {entries} parts; the limit is 5."
    )


def test_it_refuses_a_zip_bomb():
    message = refusal(hostile.zip_bomb())

    assert message.startswith(
        "This file looks like a zip bomb: part 'xl/worksheets/sheet1.xml' unpacks to "
    )
    assert message.endswith("times its packed size; the limit is 100.")


def test_it_refuses_a_declared_uncompressed_total_over_the_limit():
    declared = sum(
        info.file_size for info in zipfile.ZipFile(io.BytesIO(valid_workbook())).infolist()
    )

    message = refusal(valid_workbook(), limits=limits(max_uncompressed_bytes=1000))

    assert message == f"This file would unpack to {declared:,} bytes; the limit is 1,000 bytes."


def test_it_refuses_a_part_that_unpacks_to_more_than_its_declared_size():
    assert refusal(hostile.declared_size_lie()) == (
        "This file is damaged (part 'xl/worksheets/sheet1.xml' cannot be unpacked)."
    )


def test_it_counts_the_bytes_it_really_unpacks_not_the_declared_ones(monkeypatch):
    # With the check of declared sizes out of the way, the count of real bytes still stops it.
    monkeypatch.setattr(guard, "_check_members", lambda archive, limits: None)

    message = refusal(valid_workbook(), limits=limits(max_uncompressed_bytes=1000))

    assert message == "This file unpacks to more than the limit of 1,000 bytes."


def test_it_refuses_encrypted_parts():
    assert refusal(hostile.encrypted_part()) == (
        "This file has encrypted parts; save it as an .xlsx workbook without a password."
    )


def test_it_refuses_an_unsupported_compression_method():
    assert refusal(hostile.bzip2_compressed()) == (
        "This file is not an .xlsx workbook "
        "(part 'docProps/app.xml' uses an unsupported compression method)."
    )


def test_it_refuses_two_parts_with_the_same_name():
    assert refusal(hostile.duplicate_part()) == (
        "This file is damaged (two of its parts have the same name)."
    )


# Refusing XML attacks.


def test_it_refuses_a_billion_laughs_entity_attack():
    assert refusal(hostile.xml_entity_attack()) == (
        "Part 'xl/sharedStrings.xml' contains an XML document type declaration, "
        "refused (XML entity attack)."
    )


def test_it_refuses_an_external_entity():
    assert refusal(hostile.external_entity()) == (
        "Sheet 'Questions' contains an XML document type declaration, refused (XML entity attack)."
    )


def test_it_refuses_an_entity_attack_written_in_utf16():
    assert "XML entity attack" in refusal(hostile.utf16_entity_attack())


def test_it_refuses_elements_nested_too_deep():
    assert refusal(hostile.deep_nesting()) == (
        "Sheet 'Questions' nests XML elements over 256 deep."
    )


@pytest.mark.parametrize(
    "after",
    [
        '<ignorable junk="{}"/>',
        "<!-- {} -->",  # a comment may hold "<", so only the parser can tell where it ends
    ],
)
def test_it_refuses_a_single_xml_tag_or_comment_over_a_megabyte(after):
    junk = "<".join(hostile.random_text(100_000, seed) for seed in range(12))
    if "junk=" in after:
        junk = junk.replace("<", "x")
    workbook = with_parts({SHEET: sheet_xml("", after=after.format(junk))})

    assert refusal(workbook) == "Sheet 'Questions' has an XML tag or comment over 1 MB."


def test_it_refuses_a_sheet_that_is_not_well_formed_xml():
    message = refusal(hostile.corrupt_sheet_xml())

    assert message.startswith("Sheet 'Questions' is not well-formed XML (")


# Refusing shapes over the limits.


def test_it_refuses_a_dimension_claiming_the_whole_sheet():
    assert refusal(hostile.huge_dimension()) == (
        "Sheet 'Questions' claims 1,048,576 rows; the limit is 5,000."
    )


def test_it_checks_sheets_written_in_the_strict_ooxml_namespace_too():
    strict = "http://purl.oclc.org/ooxml/spreadsheetml/main"
    workbook = with_parts({SHEET: sheet_xml("", dimension="A1:A5001", namespace=strict)})

    assert refusal(workbook) == "Sheet 'Questions' claims 5,001 rows; the limit is 5,000."


def test_it_refuses_a_dimension_claiming_too_many_columns():
    workbook = with_parts({SHEET: sheet_xml("", dimension="A1:XFD1")})

    assert refusal(workbook) == "Sheet 'Questions' claims 16,384 columns; the limit is 60."


def test_it_refuses_more_real_rows_than_the_limit():
    assert refusal(hostile.too_many_rows(11), limits=limits(max_rows=10)) == (
        "Sheet 'Questions' has 11 rows; the limit is 10."
    )
    assert refusal(hostile.too_many_rows()) == (
        "Sheet 'Questions' has 5,001 rows; the limit is 5,000."
    )


def test_it_refuses_a_row_numbered_past_the_limit():
    assert refusal(hostile.far_row()) == (
        "Sheet 'Questions' has 1,048,576 rows; the limit is 5,000."
    )


def test_it_refuses_too_many_columns():
    assert refusal(hostile.too_many_columns(6), limits=limits(max_columns=5)) == (
        "Sheet 'Questions' has 6 columns; the limit is 5."
    )
    assert refusal(hostile.too_many_columns()) == (
        "Sheet 'Questions' has 61 columns; the limit is 60."
    )


def test_it_refuses_a_cell_longer_than_the_limit():
    assert refusal(hostile.long_cell(101), limits=limits(max_cell_chars=100)) == (
        "Sheet 'Questions' has a cell text over 100 characters."
    )
    assert refusal(hostile.long_cell()) == (
        "Sheet 'Questions' has a cell text over 32,767 characters."
    )


def test_a_five_million_character_cell_is_refused_for_its_length_not_as_a_zip_bomb():
    data = hostile.repetitive_long_cell()
    part = zipfile.ZipFile(io.BytesIO(data)).getinfo("xl/worksheets/sheet1.xml")
    assert part.file_size > 100 * part.compress_size  # as dense as a bomb

    assert refusal(data) == "Sheet 'Questions' has a cell text over 32,767 characters."


def test_a_dense_part_with_no_other_fault_is_still_refused_as_a_zip_bomb():
    # Well-formed, within every other limit once unpacked: 2 MB of spaces between two rows.
    data = hostile.with_parts({hostile.SHEET: hostile.sheet_xml(" " * 2_000_000)})

    message = refusal(data)

    assert message.startswith("This file looks like a zip bomb: part 'xl/worksheets/sheet1.xml'")


def test_it_refuses_a_shared_string_whose_runs_together_are_longer_than_the_limit():
    assert refusal(hostile.long_shared_string(100), limits=limits(max_cell_chars=100)) == (
        "Part 'xl/sharedStrings.xml' has a cell text over 100 characters."
    )


def test_it_refuses_a_merged_range_over_the_whole_sheet():
    assert refusal(hostile.huge_merge()) == (
        "Sheet 'Questions' has a merged range over 1,048,576 rows; the limit is 5,000."
    )


def test_it_refuses_a_hyperlink_over_whole_columns():
    assert refusal(hostile.huge_hyperlink()) == (
        "Sheet 'Questions' has a hyperlink over 1,048,576 rows; the limit is 5,000."
    )


def test_it_refuses_too_many_sheets():
    assert refusal(hostile.too_many_sheets()) == "The workbook has more than 20 sheets."
    assert refusal(hostile.too_many_sheets(3), limits=limits(max_sheets=2)) == (
        "The workbook has more than 2 sheets."
    )


def test_it_refuses_more_xml_elements_than_a_sheet_full_of_numbers_needs():
    # The budget is 2 elements per cell of a full sheet, plus 100,000: here 102,000.
    small = limits(max_rows=100, max_columns=10)

    assert refusal(hostile.many_elements(60_000), limits=small) == (
        "The workbook holds more than 102,000 XML elements, too many to read safely."
    )


def test_it_counts_a_part_once_for_each_sheet_that_points_at_it():
    # 20 sheets share one part of 50 x 60 cells: 20 x 6,050 elements, over 106,000.
    small = limits(max_rows=50, max_columns=60)

    assert refusal(hostile.shared_sheet_part(rows=50), limits=small) == (
        "The workbook holds more than 106,000 XML elements, too many to read safely."
    )
    assert open_workbook(hostile.shared_sheet_part(sheets=2, rows=50), limits=small)


def test_it_refuses_more_style_records_than_excel_allows_cell_formats():
    assert refusal(hostile.many_style_records()) == (
        "Part 'xl/styles.xml' has more than 64,000 style records."
    )


# One line for the user, whatever goes wrong.


def test_it_turns_an_openpyxl_failure_into_a_one_line_reason():
    workbook = with_parts({"xl/_rels/workbook.xml.rels": None})

    message = refusal(workbook)

    assert message.startswith("Could not read the workbook: ")
    assert "xl/_rels/workbook.xml.rels" in message
    assert "\n" not in message


@pytest.mark.parametrize("name", sorted(HOSTILE_WORKBOOKS))
def test_every_hostile_workbook_is_refused_with_one_sentence(name):
    message = refusal(HOSTILE_WORKBOOKS[name]())

    assert message.endswith(".")
    assert "\n" not in message
    assert not message.startswith("Could not read the workbook")  # refused by a named check


def test_hostile_builders_make_files_that_openpyxl_would_otherwise_read():
    # The refusals above come from the guard, not from files broken in some other way.
    workbook = openpyxl.load_workbook(io.BytesIO(hostile.huge_dimension()))

    assert workbook["Questions"]["A1"].value == 1
