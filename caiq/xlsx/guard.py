"""Open an uploaded .xlsx workbook only after proving it is small, honest and plain.

openpyxl trusts what it reads: a zip bomb unpacks in memory, a sheet that claims a million rows
is iterated row by row, a merged range over a whole sheet becomes billions of cell objects. So
every uploaded spreadsheet goes through `open_workbook`, which first checks the raw bytes (each
check bounded in time and memory) and turns every failure into one user-facing sentence.
"""

from __future__ import annotations

import io
import os
import posixpath
import string
import zipfile
from collections import Counter
from dataclasses import dataclass
from typing import BinaryIO
from xml.parsers import expat

import openpyxl
from openpyxl.workbook.workbook import Workbook

__all__ = ["DEFAULT_LIMITS", "WorkbookLimits", "WorkbookRejected", "open_workbook"]


class WorkbookRejected(Exception):
    """One clear, one-line, user-facing reason why an uploaded file is refused (`str(exc)`)."""


@dataclass(frozen=True)
class WorkbookLimits:
    """What an uploaded workbook may hold; a CAIQ (two sheets, ~265 rows, 12 columns) fits.

    Two bounds follow from these: the whole workbook may hold 2 x max_rows x max_columns +
    100,000 XML elements (a part counted once per sheet that uses it), and a part at most
    64,000 style records.
    """

    max_bytes: int = 10 * 1024 * 1024
    max_entries: int = 200
    max_uncompressed_bytes: int = 50 * 1024 * 1024
    max_ratio: int = 100
    max_rows: int = 5_000
    max_columns: int = 60
    max_cell_chars: int = 32_767
    max_sheets: int = 20


DEFAULT_LIMITS = WorkbookLimits()

_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and .xlsx saved with a password
_ZIP_SIGNATURE = b"PK\x03\x04"
_CENTRAL_ENTRY_SIGNATURE = b"PK\x01\x02"
_WORKBOOK = "xl/workbook.xml"
_WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
_REQUIRED_PARTS = ("[Content_Types].xml", _WORKBOOK)
_CHUNK = 64 * 1024
# Deflate's fixed overhead makes tiny parts' ratios meaningless, and a tiny part cannot bomb.
_RATIO_FLOOR = 64 * 1024
# Real parts nest about 20 deep; expat keeps every open element in memory.
_MAX_DEPTH = 256
# Real tags are short; a long one costs expat quadratic time (see _XmlScan._parse).
_MAX_TOKEN = 1024 * 1024
# openpyxl turns each style record into objects (64,000 fonts take it about 4 s and 140 MB);
# Excel itself allows 64,000 cell formats.
_MAX_STYLE_RECORDS = 64_000
_STYLE_RECORDS = frozenset({"xf", "font", "fill", "border", "dxf", "numFmt"})
_EXCEL_ROWS, _EXCEL_COLUMNS = 1_048_576, 16_384
_SPREADSHEETML = frozenset(
    {
        "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
        "http://purl.oclc.org/ooxml/spreadsheetml/main",
    }
)
# The elements checked below, by the "namespace local" names expat reports: a bare match on
# "row" would also catch the drawing anchors' <xdr:row>.
_WATCHED = {
    f"{namespace} {local}": local
    for namespace in _SPREADSHEETML
    for local in (
        *("c", "v", "f", "t", "si", "row", "dimension", "mergeCell", "hyperlink", "sheet"),
        *_STYLE_RECORDS,
    )
}
_RELATIONSHIP = "http://schemas.openxmlformats.org/package/2006/relationships Relationship"


def open_workbook(
    source: bytes | str | os.PathLike[str] | BinaryIO,
    *,
    limits: WorkbookLimits = DEFAULT_LIMITS,
    read_only: bool = False,
) -> Workbook:
    """Check then load. Raises WorkbookRejected with one message naming the problem.

    A path that cannot be opened raises OSError as usual: that is the server's problem, not
    something to tell the user about their file. A stream is left at its end.
    """
    data = _read_bounded(source, limits.max_bytes)
    if data.startswith(_OLE_SIGNATURE):
        raise WorkbookRejected(
            "This file is an old .xls workbook or a password-protected one; save it in Excel "
            "as an .xlsx workbook without a password and upload that."
        )
    if not data.startswith(_ZIP_SIGNATURE):
        raise WorkbookRejected("This file is not an .xlsx workbook (it is not a zip archive).")
    with _open_archive(data, limits) as archive:
        dense = _check_members(archive, limits)
        # A part that packs far better than XML does is either a bomb or one huge repetitive
        # text (a 5-million-character cell). Scanning it (bounded by the real unpacked bytes)
        # names that cause; only a part with no other fault is refused for its ratio.
        _scan_parts(archive, limits)
        if dense:
            raise WorkbookRejected(_bomb_message(dense[0], limits))
    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=read_only, data_only=False)
    except Exception as exc:  # openpyxl fails in many ways on odd input; the user gets one line
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200].rstrip(".")
        raise WorkbookRejected(f"Could not read the workbook: {reason}.") from exc


def _read_bounded(source: bytes | str | os.PathLike[str] | BinaryIO, max_bytes: int) -> bytes:
    """The file's bytes, refusing before reading it all when it is too large."""
    if isinstance(source, bytes | bytearray | memoryview):
        _check_size(memoryview(source).nbytes, max_bytes)
        data = bytes(source)
    elif isinstance(source, str | os.PathLike):
        with open(source, "rb") as stream:
            _check_size(os.fstat(stream.fileno()).st_size, max_bytes)
            data = _read_at_most(stream, max_bytes + 1)
    else:
        _check_size(_remaining(source), max_bytes)
        data = _read_at_most(source, max_bytes + 1)
    _check_size(len(data), max_bytes)  # a stream that could not tell its size, or grew
    if not data:
        raise WorkbookRejected("This file is empty.")
    return data


def _check_size(size: int | None, max_bytes: int) -> None:
    if size is None or size <= max_bytes:
        return
    if _size(size) == _size(max_bytes):  # over by less than the rounding shows
        raise WorkbookRejected(f"This file is larger than the limit of {_size(max_bytes)}.")
    raise WorkbookRejected(f"This file is {_size(size)}; the limit is {_size(max_bytes)}.")


def _remaining(stream: BinaryIO) -> int | None:
    """Bytes left in a seekable stream (position restored), or None when it cannot say."""
    try:
        start = stream.tell()
        stream.seek(0, os.SEEK_END)
        end = stream.tell()
        stream.seek(start)
    except (AttributeError, OSError, ValueError):
        return None
    return end - start


def _read_at_most(stream: BinaryIO, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while size < limit and (chunk := stream.read(min(1024 * 1024, limit - size))):
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _open_archive(data: bytes, limits: WorkbookLimits) -> zipfile.ZipFile:
    # zipfile builds an object per central-directory entry before we can count them: a 10 MB file
    # can hold 200,000 entries (50 MB, a second). Each entry starts with this signature, so the
    # count is a cheap upper bound taken first.
    entries = data.count(_CENTRAL_ENTRY_SIGNATURE)
    if entries > limits.max_entries:
        raise WorkbookRejected(
            f"This file holds {entries:,} parts; the limit is {limits.max_entries:,}."
        )
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except Exception as exc:  # any failure to parse these zip structures means the same
        raise WorkbookRejected(
            "This file is damaged or truncated (its zip structure cannot be read)."
        ) from exc


def _bomb_message(info: zipfile.ZipInfo, limits: WorkbookLimits) -> str:
    ratio = info.file_size // max(info.compress_size, 1)
    return (
        f"This file looks like a zip bomb: part '{info.filename}' unpacks to {ratio:,} "
        f"times its packed size; the limit is {limits.max_ratio:,}."
    )


def _check_members(archive: zipfile.ZipFile, limits: WorkbookLimits) -> list[zipfile.ZipInfo]:
    """Refuse on what the zip directory declares, before unpacking anything; return the parts
    packed more densely than ``max_ratio``, for the caller to refuse if nothing else does."""
    infos = archive.infolist()
    names = [info.filename for info in infos]
    if len(set(names)) != len(names):
        raise WorkbookRejected("This file is damaged (two of its parts have the same name).")
    for info in infos:
        if info.flag_bits & 0x1:
            raise WorkbookRejected(
                "This file has encrypted parts; save it as an .xlsx workbook without a password."
            )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise WorkbookRejected(
                f"This file is not an .xlsx workbook (part '{info.filename}' uses an "
                "unsupported compression method)."
            )
    dense = [
        info
        for info in infos
        if info.file_size >= _RATIO_FLOOR and info.file_size > limits.max_ratio * info.compress_size
    ]
    declared = sum(info.file_size for info in infos)
    if declared > limits.max_uncompressed_bytes:
        # Too big to unpack at all: a dense part is then the likelier story.
        raise WorkbookRejected(
            _bomb_message(dense[0], limits)
            if dense
            else f"This file would unpack to {_size(declared)}; "
            f"the limit is {_size(limits.max_uncompressed_bytes)}."
        )
    for name in _REQUIRED_PARTS:
        if name not in names:
            raise WorkbookRejected(f"This file is not an .xlsx workbook (it has no {name}).")
    return dense


def _scan_parts(archive: zipfile.ZipFile, limits: WorkbookLimits) -> None:
    """Unpack every part once, streaming each XML part through a checking parser."""
    shared = _Shared(archive, limits)
    infos = archive.infolist()
    # Relationships first: they say how often openpyxl will read each part, and which part
    # is which sheet.
    sheet_parts: dict[str, str] = {}
    for info in infos:
        if info.filename.endswith(".rels"):
            rels = _XmlScan(info.filename, f"Part '{info.filename}'", shared, strict=True)
            shared.unpack(info, rels)
            if info.filename == _WORKBOOK_RELS:
                sheet_parts = rels.sheet_parts
    workbook = _XmlScan(_WORKBOOK, f"Part '{_WORKBOOK}'", shared, strict=True)
    shared.unpack(archive.getinfo(_WORKBOOK), workbook)
    labels = {
        sheet_parts[rel_id]: f"Sheet '{name}'"
        for rel_id, name in workbook.sheets
        if rel_id in sheet_parts
    }
    for info in infos:
        if info.filename.endswith(".rels") or info.filename == _WORKBOOK:
            continue
        label = labels.get(info.filename, f"Part '{info.filename}'")
        # Parts not named .xml are checked only as far as they parse: Excel's own VML
        # drawings are not always well-formed, and openpyxl never parses them.
        strict = info.filename.lower().endswith(".xml")
        shared.unpack(info, _XmlScan(info.filename, label, shared, strict=strict))


def _resolve(rels_part: str, target: str) -> str:
    """A relationship's target as a zip member name. A relative target starts from the folder
    of the part the .rels describes: xl/_rels/workbook.xml.rels describes xl/workbook.xml."""
    if target.startswith("/"):
        return posixpath.normpath(target[1:])
    folder = posixpath.dirname(posixpath.dirname(rels_part))
    return posixpath.normpath(posixpath.join(folder, target))


class _Shared:
    """What the checks of one workbook's parts add up together."""

    def __init__(self, archive: zipfile.ZipFile, limits: WorkbookLimits) -> None:
        self.archive = archive
        self.limits = limits
        self.names = frozenset(archive.namelist())
        self.unpacked = 0  # bytes really unpacked: declared sizes are the sender's word
        # openpyxl makes objects of nearly every element it reads (cells, strings, comments,
        # chart points), and scanning one costs about a microsecond. So the whole workbook may
        # hold what a sheet filled to the limits with numbers needs (<c><v> per cell), plus
        # 100,000 for styles, theme and drawings: refusing at this budget takes under a second.
        self.max_elements = 2 * limits.max_rows * limits.max_columns + 100_000
        self.elements = 0
        # openpyxl reads a part once per relationship to it, and 20 sheets may all point at one
        # big part, so a part's elements count once per reference.
        self.references: Counter[str] = Counter()

    def unpack(self, info: zipfile.ZipInfo, scan: _XmlScan) -> None:
        damaged = f"This file is damaged (part '{info.filename}' cannot be unpacked)."
        try:
            member = self.archive.open(info)
        except Exception as exc:  # bad local header, bad offsets: all mean damaged
            raise WorkbookRejected(damaged) from exc
        with member:
            while True:
                try:
                    chunk = member.read(_CHUNK)
                except Exception as exc:  # bad CRC, bad deflate stream, truncated data
                    raise WorkbookRejected(damaged) from exc
                if not chunk:
                    break
                self.unpacked += len(chunk)
                if self.unpacked > self.limits.max_uncompressed_bytes:
                    raise WorkbookRejected(
                        "This file unpacks to more than the limit of "
                        f"{_size(self.limits.max_uncompressed_bytes)}."
                    )
                scan.feed(chunk)
        scan.close()


class _XmlScan:
    """Streams one part through expat, refusing entity declarations, shapes over the limits and
    cell texts over the limit, as soon as they appear."""

    def __init__(self, part: str, label: str, shared: _Shared, *, strict: bool) -> None:
        self.part = part
        self.label = label
        self.shared = shared
        self.limits = shared.limits
        self.weight = max(1, shared.references[part])
        self.strict = strict
        self.sheets: list[tuple[str, str]] = []  # (relationship id, name) of <sheet> elements
        self.sheet_parts: dict[str, str] = {}  # relationship id -> sheet part, from a .rels
        self.parser: expat.XMLParserType | None = self._new_parser() if strict else None
        self.sniffed = strict
        self.depth = 0
        self.row = self.column = self.style_records = 0
        self.in_text = False
        self.text_chars = 0
        self.fed = 0

    def _new_parser(self) -> expat.XMLParserType:
        parser = expat.ParserCreate(namespace_separator=" ")
        # Refusing the declaration itself stops billion laughs and external entities alike.
        parser.StartDoctypeDeclHandler = self._refuse_doctype
        parser.EntityDeclHandler = self._refuse_doctype
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.CharacterDataHandler = self._characters
        parser.buffer_text = True
        return parser

    def feed(self, chunk: bytes) -> None:
        if not self.sniffed:
            self.sniffed = True
            if _looks_like_xml(chunk):
                self.parser = self._new_parser()
        if self.parser is not None:
            self._parse(chunk, final=False)

    def close(self) -> None:
        if self.parser is not None:
            self._parse(b"", final=True)

    def _parse(self, chunk: bytes, *, final: bool) -> None:
        assert self.parser is not None
        try:
            self.parser.Parse(chunk, final)
        except expat.ExpatError as exc:
            if self.strict:
                raise WorkbookRejected(f"{self.label} is not well-formed XML ({exc}).") from exc
            self.parser = None
            return
        self.fed += len(chunk)
        # expat keeps an unfinished tag, comment or processing instruction and (before expat
        # 2.6) rescans it on every chunk fed: 40 MB of one attribute takes a minute. What it
        # holds unreported is what it was fed past its last event.
        if self.fed - self.parser.CurrentByteIndex > _MAX_TOKEN:
            raise WorkbookRejected(
                f"{self.label} has an XML tag or comment over {_size(_MAX_TOKEN)}."
            )

    def _refuse_doctype(self, *_: object) -> None:
        raise WorkbookRejected(
            f"{self.label} contains an XML document type declaration, refused (XML entity attack)."
        )

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise WorkbookRejected(f"{self.label} nests XML elements over {_MAX_DEPTH} deep.")
        self.in_text = False
        shared = self.shared
        shared.elements += self.weight
        if shared.elements > shared.max_elements:
            raise WorkbookRejected(
                f"The workbook holds more than {shared.max_elements:,} XML elements, "
                "too many to read safely."
            )
        local = _WATCHED.get(name)
        if local is None:
            if name == _RELATIONSHIP:
                self._relationship(
                    attrs.get("Type", ""), attrs.get("Id", ""), attrs.get("Target", "")
                )
        elif local == "c":
            self._start_cell(attrs.get("r", ""))
        elif local in ("v", "f", "t"):
            # A shared or inline string's text is the sum of its runs' <t>; v and f stand alone.
            if local != "t":
                self.text_chars = 0
            self.in_text = True
        elif local == "si":
            self.text_chars = 0
        elif local == "row":
            row = _index(attrs.get("r", ""))
            self.row = row if row is not None else self.row + 1
            self.column = 0
            self._check_shape("has", self.row, 0)
        elif local == "dimension":
            self._check_shape("claims", *_extent(attrs.get("ref", "")))
        elif local == "mergeCell":  # openpyxl creates a cell object for every merged cell
            self._check_shape("has a merged range over", *_extent(attrs.get("ref", "")))
        elif local == "hyperlink":  # and a hyperlink object for every cell of a linked range
            self._check_shape("has a hyperlink over", *_extent(attrs.get("ref", "")))
        elif local in _STYLE_RECORDS:
            self.style_records += 1
            if self.style_records > _MAX_STYLE_RECORDS:
                raise WorkbookRejected(
                    f"{self.label} has more than {_MAX_STYLE_RECORDS:,} style records."
                )
        elif local == "sheet":
            rel_id = next((v for k, v in attrs.items() if k.endswith(" id")), "")
            self.sheets.append((rel_id, attrs.get("name", "")))
            self._check_sheets(len(self.sheets))

    def _relationship(self, kind: str, rel_id: str, target: str) -> None:
        part = _resolve(self.part, target)
        if part in self.shared.names:
            self.shared.references[part] += 1
        if kind.endswith(("/worksheet", "/chartsheet")):
            self.sheet_parts[rel_id] = part
            self._check_sheets(len(self.sheet_parts))

    def _check_sheets(self, sheets: int) -> None:
        if sheets > self.limits.max_sheets:
            raise WorkbookRejected(f"The workbook has more than {self.limits.max_sheets:,} sheets.")

    def _start_cell(self, ref: str) -> None:
        self.text_chars = 0
        column, row = _coordinate(ref)
        # Like openpyxl, a cell without a reference follows the previous one.
        self.column = column if column is not None else self.column + 1
        self._check_shape("has", row or self.row, self.column)

    def _check_shape(self, verb: str, rows: int, columns: int) -> None:
        limits = self.limits
        if rows > limits.max_rows:
            raise WorkbookRejected(
                f"{self.label} {verb} {rows:,} rows; the limit is {limits.max_rows:,}."
            )
        if columns > limits.max_columns:
            raise WorkbookRejected(
                f"{self.label} {verb} {columns:,} columns; the limit is {limits.max_columns:,}."
            )

    def _end(self, name: str) -> None:
        self.depth -= 1
        self.in_text = False

    def _characters(self, data: str) -> None:
        if self.in_text:
            self.text_chars += len(data)
            if self.text_chars > self.limits.max_cell_chars:
                raise WorkbookRejected(
                    f"{self.label} has a cell text over {self.limits.max_cell_chars:,} characters."
                )


def _looks_like_xml(head: bytes) -> bool:
    # expat reads UTF-16 too, with or without a byte-order mark, so the sniff must as well.
    return head.lstrip(b" \t\r\n\xef\xbb\xbf")[:1] == b"<" or head[:2] in {
        b"\xff\xfe",
        b"\xfe\xff",
        b"<\x00",
        b"\x00<",
    }


def _index(digits: str) -> int | None:
    """A 1-based row number; absurdly long ones count as past Excel's last row."""
    if not digits.isascii() or not digits.isdigit():
        return None
    return int(digits) if len(digits) <= 9 else _EXCEL_ROWS + 1


def _coordinate(ref: str) -> tuple[int | None, int | None]:
    """(column, row) of a reference like "B7" or "$B$7"; a missing or unreadable part is None."""
    ref = ref.replace("$", "")
    digits = ref.lstrip(string.ascii_letters)
    letters = ref[: len(ref) - len(digits)].upper()
    column = None
    if len(letters) > 3:
        column = _EXCEL_COLUMNS + 1
    elif letters:
        column = 0
        for letter in letters:
            column = column * 26 + ord(letter) - ord("A") + 1
    return column, _index(digits)


def _extent(ref: str) -> tuple[int, int]:
    """(rows, columns) a range like "A1:XFD1048576" reaches; "A:A" reaches every row."""
    rows = columns = 0
    for end in ref.split(":")[:2]:
        column, row = _coordinate(end.strip())
        if column is None and row is None:
            continue
        rows = max(rows, row if row is not None else _EXCEL_ROWS)
        columns = max(columns, column if column is not None else _EXCEL_COLUMNS)
    return rows, columns


def _size(n: int) -> str:
    if n < 1024 * 1024:
        return f"{n:,} bytes"
    return f"{n / (1024 * 1024):.1f}".removesuffix(".0") + " MB"
