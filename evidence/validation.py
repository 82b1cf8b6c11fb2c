"""What an evidence upload must be: pure checks on names and bytes, no Django, no storage.

The type comes from the bytes (the ``filetype`` package: signatures, no libmagic to install)
and the extension must agree with it. Markup is never accepted: HTML and SVG run script when a
browser renders them, so they are refused by name, by content and hidden inside another type
(a "polyglot": an image or PDF whose first bytes a browser could sniff as HTML).
"""

import re
import unicodedata
from dataclasses import dataclass

import filetype


class UploadRejected(Exception):
    """One clear, user-facing reason why a file is refused (``str(exc)``)."""


@dataclass(frozen=True)
class AllowedType:
    mime: str
    extensions: tuple[str, ...]
    label: str


ALLOWED_TYPES: tuple[AllowedType, ...] = (
    AllowedType("application/pdf", ("pdf",), "PDF"),
    AllowedType("image/png", ("png",), "PNG image"),
    AllowedType("image/jpeg", ("jpg", "jpeg"), "JPEG image"),
    AllowedType("image/gif", ("gif",), "GIF image"),
    AllowedType(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ("docx",),
        "Word document",
    ),
    AllowedType(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ("xlsx",),
        "Excel workbook",
    ),
    AllowedType(
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ("pptx",),
        "PowerPoint presentation",
    ),
    AllowedType("text/plain", ("txt", "log", "md"), "text file"),
    AllowedType("text/csv", ("csv",), "CSV file"),
)
BY_MIME = {t.mime: t for t in ALLOWED_TYPES}
TEXT_MIME_BY_EXTENSION = {
    "txt": "text/plain",
    "log": "text/plain",
    "md": "text/plain",
    "csv": "text/csv",
}
MARKUP_EXTENSIONS = {"html", "htm", "xhtml", "shtml", "svg", "svgz", "xml", "xsl", "js", "mht"}
# What a browser sniffing the first bytes would take for markup.
MARKUP_SIGNS = re.compile(
    rb"<\s*(?:!doctype\s+html|html|head|body|script|svg|iframe|object|embed|\?xml)\b", re.I
)
# Inside a binary type an XML declaration is only data (the parts of an OOXML file saved without
# compression begin with one); what a browser sniffing it could render is HTML or SVG.
POLYGLOT_SIGNS = re.compile(
    rb"<\s*(?:!doctype\s+html|html|head|body|script|svg|iframe|object|embed)\b", re.I
)
# Browsers sniff up to 1,445 bytes (WHATWG MIME Sniffing: the resource header).
SNIFF_WINDOW = 1445
# Bidirectional controls can disguise an extension ("invoice\u202Efdp.exe" shows as invoice.pdf).
BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
MAX_NAME = 200


def allowed_summary() -> str:
    return ", ".join(sorted({ext for t in ALLOWED_TYPES for ext in t.extensions}))


def clean_filename(name: str) -> str:
    """The name to keep and show: its last path component, NFC, refused if it deceives."""
    name = unicodedata.normalize("NFC", name or "")
    if BIDI_CONTROLS.search(name):
        raise UploadRejected(
            "The file name contains a right-to-left or other direction control character, "
            "which can disguise its type; rename the file."
        )
    if any(unicodedata.category(ch) == "Cc" for ch in name):
        raise UploadRejected("The file name contains control characters; rename the file.")
    # Whatever path the browser sent, only the final component is a name.
    name = re.split(r"[\\/]", name)[-1].strip().strip(".")
    name = " ".join(name.split())
    if not name or name in {".", ".."}:
        raise UploadRejected("The file has no usable name.")
    if len(name) > MAX_NAME:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: MAX_NAME - len(ext) - 1] + dot + ext) if dot else name[:MAX_NAME]
    return name


def extension_of(name: str) -> str:
    return name.rpartition(".")[2].lower() if "." in name else ""


def detect_type(head: bytes, filename: str) -> AllowedType:
    """The allowed type of a file from its first bytes; the extension must agree."""
    extension = extension_of(filename)
    if extension in MARKUP_EXTENSIONS:
        raise UploadRejected(
            f"{extension.upper()} files are not accepted as evidence: a browser would run "
            "their content. Export the page as PDF instead."
        )
    if not head:
        raise UploadRejected("The file is empty.")
    guess = filetype.guess(head)
    if guess is None:
        allowed = _text_type(head, extension)
    else:
        allowed = BY_MIME.get(guess.mime)
        if allowed is None:
            raise UploadRejected(
                f"Files of type {guess.mime} are not accepted; allowed: {allowed_summary()}."
            )
        if POLYGLOT_SIGNS.search(head[:SNIFF_WINDOW]):
            raise UploadRejected(
                f"The file is a {allowed.label} but carries HTML or SVG markup in its first "
                "bytes (a polyglot file); it is refused."
            )
    if extension not in allowed.extensions:
        expected = " or ".join(f".{e}" for e in allowed.extensions)
        shown = f".{extension}" if extension else "no extension"
        raise UploadRejected(
            f"The file's content is a {allowed.label} but its name has {shown}; "
            f"name it with {expected}."
        )
    return allowed


def check_text_for_markup(chunks) -> None:
    """A text file is checked for markup all through, not only where a browser sniffs: opened
    from a download folder it may be shown as a page whatever its first bytes were."""
    tail = b""
    for chunk in chunks:
        window = tail + chunk
        if MARKUP_SIGNS.search(window):
            raise UploadRejected(
                "The file contains HTML, SVG or XML markup; such files are not accepted as "
                "evidence."
            )
        tail = window[-64:]  # a sign cut between two chunks is found in the next window


def _text_type(head: bytes, extension: str) -> AllowedType:
    if b"\x00" in head:
        raise UploadRejected(f"This file's type is not accepted; allowed: {allowed_summary()}.")
    try:
        # The window may cut a multi-byte character: ignore an incomplete tail only.
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 3:
            raise UploadRejected(
                "This file is not UTF-8 text nor an accepted document type; allowed: "
                f"{allowed_summary()}."
            ) from exc
    if MARKUP_SIGNS.search(head[:SNIFF_WINDOW]) or head.lstrip()[:1] == b"<":
        raise UploadRejected(
            "The file contains HTML, SVG or XML markup; such files are not accepted as evidence."
        )
    mime = TEXT_MIME_BY_EXTENSION.get(extension)
    if mime is None:
        raise UploadRejected(
            f"The file is plain text; name it .txt, .csv or .md (allowed: {allowed_summary()})."
        )
    return BY_MIME[mime]
