"""What a catalog's workbook may hold, given that every byte of it goes into every export.

The exporter copies the template's parts as they are (writer.py), so the catalog import checks
the template once, strictly, after the guard has proved the file safe to parse: no macros, no
external links or other external targets, no embedded OLE or ActiveX objects, no part of a type
a CAIQ workbook never has, no zip entry that could escape a folder when someone unpacks it.
Pure: bytes in, the record the writer needs out, or one sentence saying what was found.
"""

import io
import posixpath
import re
import zipfile

from defusedxml import ElementTree

_CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_OOXML = "application/vnd.openxmlformats-officedocument."
# Content types a CAIQ workbook has, or that Excel and LibreOffice add when they re-save one.
ALLOWED_CONTENT_TYPES = frozenset(
    {
        "application/xml",
        "application/vnd.openxmlformats-package.relationships+xml",
        "application/vnd.openxmlformats-package.core-properties+xml",
        f"{_OOXML}extended-properties+xml",
        f"{_OOXML}custom-properties+xml",
        f"{_OOXML}spreadsheetml.sheet.main+xml",
        f"{_OOXML}spreadsheetml.worksheet+xml",
        f"{_OOXML}spreadsheetml.sharedStrings+xml",
        f"{_OOXML}spreadsheetml.styles+xml",
        f"{_OOXML}spreadsheetml.calcChain+xml",
        f"{_OOXML}spreadsheetml.comments+xml",
        f"{_OOXML}spreadsheetml.printerSettings",
        f"{_OOXML}theme+xml",
        f"{_OOXML}drawing+xml",
        f"{_OOXML}vmlDrawing",
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/x-emf",
        "image/x-wmf",
    }
)
# What the refusal calls a part of a known dangerous kind, by a word in its type or name.
_KINDS = (
    ("macroenabled", "macros"),
    ("vbaproject", "macros"),
    ("externallink", "an external link"),
    ("oleobject", "an embedded OLE object"),
    ("activex", "an ActiveX control"),
    ("embeddings/", "an embedded object"),
    ("connections", "a data connection"),
)
_DRIVE = re.compile(r"^[A-Za-z]:")


class TemplateRejected(Exception):
    """The workbook must not serve as an export template; the message is one sentence."""


def _kind(text: str) -> str | None:
    lowered = text.lower()
    return next((kind for word, kind in _KINDS if word in lowered), None)


def _check_names(names: list[str]) -> None:
    for name in names:
        parts = name.replace("\\", "/").split("/")
        if name.startswith(("/", "\\")) or _DRIVE.match(name) or ".." in parts:
            raise TemplateRejected(
                f"The workbook has a part named '{name[:80]}', a path outside the workbook; "
                "CSA's file has none."
            )


def _content_types(archive: zipfile.ZipFile) -> dict[str, str]:
    """Content type of every part, from [Content_Types].xml's overrides and defaults."""
    root = ElementTree.fromstring(archive.read("[Content_Types].xml"))
    defaults = {
        d.get("Extension", "").lower(): d.get("ContentType", "") for d in root.iter(f"{_CT}Default")
    }
    overrides = {
        o.get("PartName", "").lstrip("/"): o.get("ContentType", "")
        for o in root.iter(f"{_CT}Override")
    }
    types = {}
    for name in archive.namelist():
        if name.endswith("/") or name == "[Content_Types].xml":
            continue
        base = posixpath.basename(name)
        extension = base.rsplit(".", 1)[1].lower() if "." in base else ""  # ".rels" is one
        types[name] = overrides.get(name) or defaults.get(extension, "")
    for name, content_type in overrides.items():
        types.setdefault(name, content_type)
    return types


def check_template(data: bytes) -> dict[str, str]:
    """Refuse what an export must not carry; return each sheet's name -> its part's name."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = archive.namelist()
    _check_names(names)
    for name, content_type in _content_types(archive).items():
        kind = _kind(content_type) or _kind(name)
        if kind:
            raise TemplateRejected(
                f"The workbook contains {kind} (part '{name}'); CSA's CAIQ has none, and an "
                "export template must not carry one."
            )
        if content_type not in ALLOWED_CONTENT_TYPES:
            raise TemplateRejected(
                f"The workbook has a part of a kind CSA's CAIQ never holds ('{name}', "
                f"{content_type or 'no content type'})."
            )
    for name in names:
        if not name.endswith(".rels"):
            continue
        for rel in ElementTree.fromstring(archive.read(name)).iter(f"{_PKG_REL}Relationship"):
            target, rel_type = rel.get("Target", ""), rel.get("Type", "")
            if rel.get("TargetMode", "").lower() == "external":
                raise TemplateRejected(
                    f"The workbook points outside itself (to '{target[:80]}', from '{name}'); "
                    "CSA's CAIQ has no external links."
                )
            if kind := _kind(rel_type):
                raise TemplateRejected(f"The workbook contains {kind} (linked from '{name}').")
    return sheet_parts(archive)


def sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Each sheet's name -> the zip entry of its XML (xl/workbook.xml and its relations)."""
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels.iter(f"{_PKG_REL}Relationship")}
    parts = {}
    for sheet in workbook.iter(f"{_MAIN}sheet"):
        target = targets.get(sheet.get(f"{_REL}id"), "")
        if target:
            parts[sheet.get("name", "")] = (
                target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
            )
    return parts
