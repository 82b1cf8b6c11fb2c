"""What the evidence library accepts and refuses, through evidence_create and the pure checks.

Every accepted type is a minimal real file of that type; every refusal names its reason and
leaves no StoredFile, no Evidence row and no file in storage behind.
"""

import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, PngImagePlugin

from accounts.models import Membership
from evidence.models import Evidence, EvidenceVersion, StoredFile
from evidence.services import evidence_create
from evidence.storage import evidence_storage
from evidence.validation import UploadRejected, clean_filename, detect_type

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


def image(fmt: str, **save_options) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), "red").save(buffer, fmt, **save_options)
    return buffer.getvalue()


def ooxml(main_part: str, *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """The smallest OOXML package `filetype` recognises: content types, rels, the main part."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as package:
        package.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        )
        package.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships/>')
        package.writestr(main_part, '<?xml version="1.0"?><document/>')
    return buffer.getvalue()


def xlsx() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.append(["Control", "Evidence"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("notes/readme.txt", "not an office document")
    return buffer.getvalue()


def png_with_text(text: str) -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", text)
    return image("PNG", pnginfo=info)


# (file name, bytes, content type the library must store)
SAMPLES = [
    ("soc2-report.pdf", PDF, "application/pdf"),
    ("screenshot.png", image("PNG"), "image/png"),
    ("photo.jpg", image("JPEG"), "image/jpeg"),
    ("photo.jpeg", image("JPEG", quality=50), "image/jpeg"),
    ("diagram.gif", image("GIF"), "image/gif"),
    ("policy.docx", ooxml("word/document.xml"), DOCX_MIME),
    ("register.xlsx", xlsx(), XLSX_MIME),
    ("briefing.pptx", ooxml("ppt/presentation.xml"), PPTX_MIME),
    ("notes.txt", "Backups run nightly; restores tested quarterly. ✓\n".encode(), "text/plain"),
    ("server.log", b"2026-01-01T00:00:00Z backup ok\n", "text/plain"),
    ("runbook.md", b"# Restore\n\n1. Fetch the snapshot.\n", "text/plain"),
    ("assets.csv", b"asset,owner\nbucket-a,ops\n", "text/csv"),
]

EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 48 + b"PE\x00\x00"
BINARY_BLOB = bytes(range(256)) * 4

# (file name, bytes, fragments the reason must contain)
REFUSALS = [
    pytest.param(
        "screenshot.pdf",
        image("PNG"),
        ["content is a PNG image", "name has .pdf", "name it with .png"],
        id="png-named-pdf",
    ),
    pytest.param(
        "report.png",
        PDF,
        ["content is a PDF", "name has .png", "name it with .pdf"],
        id="pdf-as-png",
    ),
    pytest.param(
        "register.docx", xlsx(), ["Excel workbook", "name has .docx", ".xlsx"], id="xlsx-as-docx"
    ),
    pytest.param("notes", b"plain words\n", ["plain text", ".txt"], id="text-without-extension"),
    pytest.param(
        "page.html", b"<p>hello</p>", ["HTML files are not accepted", "PDF"], id="html-by-name"
    ),
    pytest.param("page.htm", b"hello", ["HTM files are not accepted"], id="htm-by-name"),
    pytest.param(
        "page.txt",
        b"<!doctype html><html><script>alert(1)</script></html>",
        ["HTML, SVG or XML markup"],
        id="html-content-named-txt",
    ),
    pytest.param(
        "padded.txt",
        b"\n\n   <HTML><body onload=alert(1)>",
        ["HTML, SVG or XML markup"],
        id="html-after-whitespace",
    ),
    pytest.param("logo.svg", b"<svg/>", ["SVG files are not accepted"], id="svg-by-name"),
    pytest.param(
        "logo.txt",
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        ["HTML, SVG or XML markup"],
        id="svg-content-named-txt",
    ),
    pytest.param("feed.txt", b'<?xml version="1.0"?><rss/>', ["XML markup"], id="xml-named-txt"),
    pytest.param(
        "pixel.gif",
        b"GIF89a<script>alert(document.domain)</script>" + b"\x00" * 32,
        ["GIF image", "polyglot"],
        id="gif-polyglot-script",
    ),
    pytest.param(
        "chart.png",
        png_with_text("<html><body><script>alert(1)</script>"),
        ["PNG image", "polyglot"],
        id="png-polyglot-html",
    ),
    pytest.param(
        "report.pdf",
        b"%PDF-1.4\n<html><script>alert(1)</script>\n%%EOF\n",
        ["PDF", "polyglot"],
        id="pdf-polyglot-html",
    ),
    pytest.param("empty.pdf", b"", ["The file is empty"], id="empty"),
    pytest.param(
        "archive.zip", plain_zip(), ["application/zip are not accepted"], id="zip-not-office"
    ),
    pytest.param(
        "policy.docx", plain_zip(), ["application/zip are not accepted"], id="zip-named-docx"
    ),
    pytest.param("setup.exe", EXECUTABLE, ["application/x-msdownload are not accepted"], id="exe"),
    pytest.param(
        "invoice.pdf",
        EXECUTABLE,
        ["application/x-msdownload are not accepted"],
        id="exe-named-pdf",
    ),
    pytest.param("data.txt", BINARY_BLOB, ["type is not accepted"], id="binary-blob"),
    pytest.param(
        "legacy.txt", "Prüfbericht für 2026".encode("latin-1"), ["not UTF-8"], id="latin-1-text"
    ),
    pytest.param("a\x00b.pdf", PDF, ["control characters"], id="nul-in-name"),
    pytest.param("a\nb.pdf", PDF, ["control characters"], id="newline-in-name"),
    pytest.param("report\u202egpj.pdf", PDF, ["right-to-left"], id="rlo-in-name"),
    pytest.param("invoice\u202efdp.exe", EXECUTABLE, ["right-to-left"], id="rlo-disguised-exe"),
    pytest.param("../..", PDF, ["no usable name"], id="only-dots"),
]


class RawNameUpload(SimpleUploadedFile):
    """An upload keeping its name exactly as sent.

    Django's UploadedFile drops POSIX directories when its name is assigned; a browser, an API
    client or another parser may not, so the service must not depend on that.
    """

    def __init__(self, name: str, content: bytes):
        super().__init__("placeholder", content)
        self._name = name


@pytest.fixture
def store(settings, tmp_path) -> Path:
    """An empty local evidence storage for this test only."""
    root = tmp_path / "evidence-store"
    root.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": root, "base_url": None},
        },
    }
    return root


def files_under(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())


def upload(membership: Membership, name: str, data: bytes, *, raw: bool = False) -> Evidence:
    file = RawNameUpload(name, data) if raw else SimpleUploadedFile(name, data)
    return evidence_create(membership=membership, user=membership.user, title="", upload=file)


def assert_nothing_stored(root: Path) -> None:
    assert StoredFile.objects.count() == 0
    assert Evidence.objects.count() == 0
    assert EvidenceVersion.objects.count() == 0
    assert files_under(root) == []


# --- pure checks, no database ---------------------------------------------------------------


@pytest.mark.parametrize(("name", "data", "mime"), SAMPLES, ids=[s[0] for s in SAMPLES])
def test_each_allowed_type_is_recognised_from_its_bytes(name, data, mime):
    assert detect_type(data[:8192], name).mime == mime


def test_the_extension_is_compared_case_insensitively():
    assert detect_type(PDF, "REPORT.PDF").mime == "application/pdf"


def test_an_office_file_saved_without_compression_is_not_mistaken_for_a_polyglot():
    stored = ooxml("word/document.xml", compression=zipfile.ZIP_STORED)
    assert b"<?xml" in stored[:1024]

    assert detect_type(stored, "policy.docx").mime == DOCX_MIME


def test_an_uncompressed_office_file_with_script_in_its_first_bytes_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("word/document.xml", "<script>alert(1)</script>")

    with pytest.raises(UploadRejected, match="polyglot"):
        detect_type(buffer.getvalue(), "policy.docx")


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("..\\..\\win.ini.txt", "win.ini.txt"),
        ("/etc/x.txt", "x.txt"),
        ("C:\\Users\\me\\Desktop\\policy.pdf", "policy.pdf"),
        ("  spaced   out  name.pdf ", "spaced out name.pdf"),
        ("trailing-dot.pdf.", "trailing-dot.pdf"),
    ],
)
def test_only_the_final_component_of_a_sent_name_is_kept(sent, kept):
    assert clean_filename(sent) == kept


def test_a_very_long_name_is_shortened_keeping_its_extension():
    name = clean_filename("a" * 500 + ".pdf")

    assert len(name) == 200
    assert name.endswith("a.pdf")


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("a\x00b.pdf", "control characters"),
        ("a\nb.pdf", "control characters"),
        ("a\tb.pdf", "control characters"),
        ("report\u202egpj.pdf", "right-to-left"),
        ("report\u2067x.pdf", "right-to-left"),
        ("", "no usable name"),
        ("dir/", "no usable name"),
    ],
)
def test_a_deceptive_or_empty_name_is_refused(name, reason):
    with pytest.raises(UploadRejected, match=reason):
        clean_filename(name)


# --- through the service ---------------------------------------------------------------------


@pytest.mark.parametrize(("name", "data", "mime"), SAMPLES, ids=[s[0] for s in SAMPLES])
def test_an_allowed_file_is_stored_with_the_type_read_from_its_bytes(
    store, contributor, name, data, mime
):
    evidence = upload(contributor, name, data)

    version = evidence.versions.get()
    stored = version.stored_file
    assert evidence.title == name
    assert version.original_filename == name
    assert stored.content_type == mime
    assert stored.size == len(data)
    assert stored.organization_id == contributor.organization_id
    with evidence_storage().open(stored.storage_name, "rb") as handle:
        assert handle.read() == data
    assert files_under(store) == [store / stored.storage_name]


@pytest.mark.parametrize(("name", "data", "reasons"), REFUSALS)
def test_a_refused_upload_names_its_reason_and_stores_nothing(
    store, contributor, name, data, reasons
):
    with pytest.raises(UploadRejected) as refused:
        upload(contributor, name, data, raw=True)

    for reason in reasons:
        assert reason in str(refused.value)
    assert_nothing_stored(store)


def test_a_file_over_the_size_limit_is_refused_before_anything_is_stored(
    settings, store, contributor
):
    settings.EVIDENCE_MAX_BYTES = 1024 * 1024

    with pytest.raises(UploadRejected, match=r"larger than the 1 MB limit"):
        upload(contributor, "big.txt", b"a" * (1024 * 1024 + 1))

    assert_nothing_stored(store)


def test_a_file_that_understates_its_size_is_stopped_while_streaming(settings, store, contributor):
    settings.EVIDENCE_MAX_BYTES = 1024 * 1024
    lying = SimpleUploadedFile("big.txt", b"a" * (3 * 1024 * 1024))
    lying.size = 10

    with pytest.raises(UploadRejected, match=r"larger than the 1 MB limit"):
        evidence_create(membership=contributor, user=contributor.user, title="", upload=lying)

    assert_nothing_stored(store)


def test_a_file_exactly_at_the_size_limit_is_accepted(settings, store, contributor):
    settings.EVIDENCE_MAX_BYTES = 1024 * 1024

    evidence = upload(contributor, "edge.txt", b"a" * (1024 * 1024))

    assert evidence.versions.get().stored_file.size == 1024 * 1024


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("..\\..\\win.ini.txt", "win.ini.txt"),
        ("/etc/x.txt", "x.txt"),
    ],
)
def test_a_path_in_the_name_keeps_only_the_file_name_and_never_chooses_where_it_is_stored(
    store, contributor, sent, kept
):
    evidence = upload(contributor, sent, b"root:x:0:0\n", raw=True)

    version = evidence.versions.get()
    storage_name = version.stored_file.storage_name
    assert version.original_filename == kept
    assert evidence.title == kept
    assert re.fullmatch(rf"evidence/{contributor.organization_id}/[0-9a-f]{{32}}", storage_name)
    assert files_under(store) == [store / storage_name]
    assert (store / storage_name).resolve().is_relative_to(store.resolve())


def test_the_storage_name_is_generated_even_when_the_user_name_is_harmless(store, contributor):
    first = upload(contributor, "policy.pdf", PDF).versions.get().stored_file
    second = upload(contributor, "policy.pdf", PDF + b"% v2\n").versions.get().stored_file

    assert "policy" not in first.storage_name
    assert first.storage_name != second.storage_name
    assert isinstance(evidence_storage(), FileSystemStorage)


def test_markup_within_the_1445_bytes_a_browser_sniffs_is_refused():
    polyglot = b"\x89PNG\r\n\x1a\n" + b"\x00" * 1300 + b"<script>alert(1)</script>"

    assert len(polyglot) < 1445
    with pytest.raises(UploadRejected, match="polyglot"):
        detect_type(polyglot + b"\x00" * 200, "chart.png")


@pytest.mark.django_db
@pytest.mark.parametrize("at", [1_300, 200_000], ids=["in the sniffed bytes", "far down"])
def test_a_text_file_with_markup_anywhere_is_refused_and_nothing_stored(contributor, store, at):
    text = b"Plain notes.\n" * (at // 13) + b"<html><script>alert(1)</script></html>\n"

    with pytest.raises(UploadRejected, match="markup"):
        upload(contributor, "notes.txt", text)

    assert_nothing_stored(store)
