"""Builders of hostile and malformed workbooks, for any test that takes an uploaded spreadsheet.

Each builder returns the file's bytes. Most start from a small valid workbook written by
openpyxl and swap one part, so each file is wrong in exactly one way. Large payloads are
streamed through zipfile a chunk at a time, so building a 200 MB zip bomb costs about 1 MB.
`HOSTILE_WORKBOOKS` names every builder that `open_workbook` must refuse with default limits.
"""

from __future__ import annotations

import io
import itertools
import random
import re
import string
import struct
import warnings
import zipfile
from collections.abc import Callable, Iterable, Iterator
from functools import cache

import openpyxl
from openpyxl.utils import get_column_letter

SHEET = "xl/worksheets/sheet1.xml"
WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
SHARED_STRINGS = "xl/sharedStrings.xml"
SHEET_NAME = "Questions"
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_SHARED_STRINGS_TYPE = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
)
_MB = 1024 * 1024


@cache
def valid_workbook(rows: int = 2) -> bytes:
    """A small, plain workbook: one sheet named Questions, a header row and placeholder answers."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = SHEET_NAME
    sheet.append(["Question ID", "CSP CAIQ Answer"])
    for number in range(1, rows):
        sheet.append([f"A&A-01.{number}", "Yes"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def with_parts(
    replace: dict[str, bytes | Iterable[bytes] | None],
    *,
    base: bytes | None = None,
    compression: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    """A copy of `base` (the valid workbook) with parts replaced, added (bytes, or chunks to
    stream) or removed (None)."""
    source = zipfile.ZipFile(io.BytesIO(base or valid_workbook()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as target:
        for info in source.infolist():
            if info.filename not in replace:
                target.writestr(info.filename, source.read(info))
        for name, content in replace.items():
            if content is None:
                continue
            chunks = [content] if isinstance(content, bytes) else content
            with target.open(name, "w") as part:
                for chunk in chunks:
                    part.write(chunk)
    return buffer.getvalue()


def sheet_xml(
    rows: str | Iterable[str],
    *,
    dimension: str | None = "A1",
    after: str = "",
    namespace: str = _MAIN_NS,
) -> bytes:
    """A worksheet part: `rows` is the inside of <sheetData>, `after` what follows it."""
    body = rows if isinstance(rows, str) else "".join(rows)
    head = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="{namespace}">{head}'
        f"<sheetData>{body}</sheetData>{after}</worksheet>"
    ).encode()


def with_shared_strings(xml: bytes) -> bytes:
    """The valid workbook plus a shared strings part, declared so openpyxl would read it."""
    types = zipfile.ZipFile(io.BytesIO(valid_workbook())).read("[Content_Types].xml").decode()
    override = f'<Override PartName="/{SHARED_STRINGS}" ContentType="{_SHARED_STRINGS_TYPE}"/>'
    types = types.replace("</Types>", override + "</Types>")
    return with_parts({"[Content_Types].xml": types.encode(), SHARED_STRINGS: xml})


def random_text(length: int, seed: int = 0) -> str:
    """Text that does not compress, so a long cell is not mistaken for a zip bomb."""
    return "".join(random.Random(seed).choices(string.ascii_letters, k=length))


def patch_central_directory(data: bytes, name: str, **fields: int) -> bytes:
    """Rewrite a member's central-directory header: flag_bits and/or file_size (declared)."""
    offsets = {"flag_bits": (8, "<H"), "file_size": (24, "<I")}
    patched = bytearray(data)
    start = patched.find(b"PK\x01\x02")
    while start != -1:
        name_length = struct.unpack_from("<H", patched, start + 28)[0]
        if patched[start + 46 : start + 46 + name_length] == name.encode():
            for field, value in fields.items():
                offset, layout = offsets[field]
                struct.pack_into(layout, patched, start + offset, value)
            return bytes(patched)
        start = patched.find(b"PK\x01\x02", start + 4)
    raise KeyError(name)


# Hostile files, refused by default limits.


def empty_file() -> bytes:
    return b""


def not_a_zip() -> bytes:
    return b"Question ID,CSP CAIQ Answer\nA&A-01.1,Yes\n"


def pdf_file() -> bytes:
    return b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def old_xls() -> bytes:
    """The OLE2 compound-file header that .xls files (and password-protected .xlsx) start with."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)


def truncated_zip() -> bytes:
    data = valid_workbook()
    return data[: len(data) // 2]


def oversized_file() -> bytes:
    """Over the default 10 MB limit."""
    return b"PK\x03\x04" + bytes(11 * _MB)


@cache
def too_many_entries(count: int = 50_000) -> bytes:
    """Thousands of empty parts: zipfile alone would spend memory and time listing them."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for number in range(count):
            archive.writestr(f"{number:x}", b"")
    return buffer.getvalue()


@cache
def zip_bomb(megabytes: int = 200) -> bytes:
    """A sheet part of `megabytes` MB of spaces, which deflate packs about a thousand to one."""
    head = sheet_xml("")[: -len(b"<sheetData></sheetData></worksheet>")]
    return with_parts({SHEET: itertools.chain([head], itertools.repeat(b" " * _MB, megabytes))})


@cache
def declared_size_lie() -> bytes:
    """A 200 MB part whose directory entry claims 2 KB: its ratio and total look harmless."""
    return patch_central_directory(zip_bomb(), SHEET, file_size=2048)


def encrypted_part() -> bytes:
    return patch_central_directory(valid_workbook(), SHEET, flag_bits=0x1)


def bzip2_compressed() -> bytes:
    return with_parts({}, compression=zipfile.ZIP_BZIP2)


def duplicate_part() -> bytes:
    """Two parts named xl/workbook.xml: checks could read one while openpyxl reads the other."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile warns about the duplicate
        data = io.BytesIO(valid_workbook())
        with zipfile.ZipFile(data, "a") as archive:
            archive.writestr("xl/workbook.xml", b"<workbook/>")
    return data.getvalue()


def missing_workbook_xml() -> bytes:
    return with_parts({"xl/workbook.xml": None})


def missing_content_types() -> bytes:
    return with_parts({"[Content_Types].xml": None})


def xml_entity_attack() -> bytes:
    """Billion laughs: ten nested entities, each ten of the previous, in the shared strings."""
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)
    ]
    return with_shared_strings(
        (
            f'<?xml version="1.0"?>\n<!DOCTYPE sst [{"".join(entities)}]>'
            f'<sst xmlns="{_MAIN_NS}"><si><t>&lol9;</t></si></sst>'
        ).encode()
    )


def external_entity() -> bytes:
    """XXE: an entity whose text would be read from the server's disk, in a sheet."""
    doctype = '<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    xml = sheet_xml('<row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row>')
    head, _, rest = xml.partition(b"\n")
    return with_parts({SHEET: head + b"\n" + doctype.encode() + rest})


def utf16_entity_attack() -> bytes:
    """The billion laughs again, in UTF-16, which no byte search for "<!DOCTYPE" would see."""
    attack = zipfile.ZipFile(io.BytesIO(xml_entity_attack())).read(SHARED_STRINGS).decode()
    attack = attack.replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-16"?>')
    return with_shared_strings(attack.encode("utf-16"))


def huge_dimension() -> bytes:
    xml = sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>', dimension="A1:XFD1048576")
    return with_parts({SHEET: xml})


@cache
def too_many_rows(rows: int = 5_001) -> bytes:
    """More real rows than allowed, behind a dimension that claims a single cell."""
    return with_parts(
        {
            SHEET: sheet_xml(
                f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(1, rows + 1)
            )
        }
    )


def number_rows(rows: int, columns: int) -> Iterator[str]:
    """Rows of numbers with cell references, as Excel writes them."""
    letters = [get_column_letter(column) for column in range(1, columns + 1)]
    for r in range(1, rows + 1):
        cells = "".join(f'<c r="{x}{r}"><v>{r + n}</v></c>' for n, x in enumerate(letters))
        yield f'<row r="{r}">{cells}</row>'


@cache
def full_sheet_then_extra_row() -> bytes:
    """The slowest refusal: a sheet filled to 5,000 rows of 60 numbers, then one row more."""
    return with_parts({SHEET: sheet_xml(number_rows(5_001, 60))})


@cache
def shared_sheet_part(sheets: int = 20, rows: int = 600) -> bytes:
    """Twenty sheets whose relationships all point at one part of 36,000 cells: each part is
    small, but openpyxl would read (and hold) that one twenty times."""
    base = too_many_sheets(sheets)
    rels = zipfile.ZipFile(io.BytesIO(base)).read(WORKBOOK_RELS).decode()
    rels = re.sub(r'Target="/xl/worksheets/sheet\d+\.xml"', 'Target="worksheets/sheet1.xml"', rels)
    replace = {WORKBOOK_RELS: rels.encode(), SHEET: sheet_xml(number_rows(rows, 60))}
    return with_parts(replace, base=base)


def far_row() -> bytes:
    """Row 1,048,576 alone: openpyxl's read-only mode would yield every empty row before it."""
    return with_parts({SHEET: sheet_xml('<row r="1048576"><c r="A1048576"><v>1</v></c></row>')})


def too_many_columns(columns: int = 61) -> bytes:
    cells = "".join(f"<c><v>{n}</v></c>" for n in range(1, columns + 1))
    return with_parts({SHEET: sheet_xml(f'<row r="1">{cells}</row>')})


@cache
def long_cell(length: int = 32_768) -> bytes:
    text = random_text(length)
    cell = f'<row r="1"><c r="A1" t="inlineStr"><is><t>{text}</t></is></c></row>'
    return with_parts({SHEET: sheet_xml(cell)})


def repetitive_long_cell(length: int = 5_000_000) -> bytes:
    """One cell of a single repeated letter, as a user pastes by mistake: it packs over a
    thousand to one, like a zip bomb, but the fault is the cell."""
    cell = f'<row r="1"><c r="A1" t="inlineStr"><is><t>{"x" * length}</t></is></c></row>'
    return with_parts({SHEET: sheet_xml(cell)})


@cache
def long_shared_string(length: int = 32_768) -> bytes:
    """One shared string of two rich-text runs that are short enough apart but too long together."""
    half = length // 2 + 1
    runs = f"<r><t>{random_text(half, 1)}</t></r><r><t>{random_text(half, 2)}</t></r>"
    return with_shared_strings(f'<sst xmlns="{_MAIN_NS}"><si>{runs}</si></sst>'.encode())


def huge_merge() -> bytes:
    """A merged range over the whole sheet: openpyxl makes a cell object for each merged cell."""
    merge = '<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>'
    return with_parts({SHEET: sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>', after=merge)})


def huge_hyperlink() -> bytes:
    """A hyperlink over whole columns: openpyxl gives every cell in the range a hyperlink."""
    link = '<hyperlinks><hyperlink ref="A:C" location="A1"/></hyperlinks>'
    return with_parts({SHEET: sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>', after=link)})


def deep_nesting(depth: int = 1_000) -> bytes:
    """Elements nested 1,000 deep: every open element costs the parser memory."""
    return with_parts({SHEET: sheet_xml("<x>" * depth + "</x>" * depth)})


@cache
def giant_attribute(megabytes: int = 2) -> bytes:
    """One tag megabytes long, which a parser buffers whole before reporting it."""
    value = random_text(megabytes * _MB)
    return with_parts({SHEET: sheet_xml("", after=f'<ignorable junk="{value}"/>')})


@cache
def many_elements(strings: int = 400_000) -> bytes:
    """400,000 tiny shared strings, two XML elements each: openpyxl would make an object of
    each, and would of any element there are too many of."""
    items = "".join(f"<si><t>{n}</t></si>" for n in range(strings))
    return with_shared_strings(f'<sst xmlns="{_MAIN_NS}">{items}</sst>'.encode())


def many_style_records(fonts: int = 64_001) -> bytes:
    """More fonts than Excel allows cell formats: openpyxl spends seconds building them."""
    items = "".join(
        f'<font><sz val="{n % 400 + 1}"/><name val="F{n}"/></font>' for n in range(fonts)
    )
    styles = f'<styleSheet xmlns="{_MAIN_NS}"><fonts count="{fonts}">{items}</fonts></styleSheet>'
    return with_parts({"xl/styles.xml": styles.encode()})


def corrupt_sheet_xml() -> bytes:
    return with_parts({SHEET: b'<worksheet xmlns="' + _MAIN_NS.encode() + b'"><sheetData><row>'})


def too_many_sheets(sheets: int = 21) -> bytes:
    workbook = openpyxl.Workbook()
    for number in range(1, sheets):
        workbook.create_sheet(f"Sheet {number + 1}")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


HOSTILE_WORKBOOKS: dict[str, Callable[[], bytes]] = {
    "empty_file": empty_file,
    "not_a_zip": not_a_zip,
    "pdf_file": pdf_file,
    "old_xls": old_xls,
    "truncated_zip": truncated_zip,
    "oversized_file": oversized_file,
    "too_many_entries": too_many_entries,
    "zip_bomb": zip_bomb,
    "declared_size_lie": declared_size_lie,
    "encrypted_part": encrypted_part,
    "bzip2_compressed": bzip2_compressed,
    "duplicate_part": duplicate_part,
    "missing_workbook_xml": missing_workbook_xml,
    "missing_content_types": missing_content_types,
    "xml_entity_attack": xml_entity_attack,
    "external_entity": external_entity,
    "utf16_entity_attack": utf16_entity_attack,
    "huge_dimension": huge_dimension,
    "too_many_rows": too_many_rows,
    "full_sheet_then_extra_row": full_sheet_then_extra_row,
    "far_row": far_row,
    "shared_sheet_part": shared_sheet_part,
    "too_many_columns": too_many_columns,
    "long_cell": long_cell,
    "repetitive_long_cell": repetitive_long_cell,
    "dense_49mb_of_spaces": lambda: with_parts({SHEET: sheet_xml(" " * 49_000_000)}),
    "long_shared_string": long_shared_string,
    "huge_merge": huge_merge,
    "huge_hyperlink": huge_hyperlink,
    "deep_nesting": deep_nesting,
    "giant_attribute": giant_attribute,
    "many_elements": many_elements,
    "many_style_records": many_style_records,
    "corrupt_sheet_xml": corrupt_sheet_xml,
    "too_many_sheets": too_many_sheets,
}
