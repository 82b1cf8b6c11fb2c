"""The fixed parts of a workbook shaped like CSA's CAIQ file, and the zip that holds them.

CSA generates its CAIQ with axlsx; docs/caiq-format.md lists the parts and what is in them.
This module writes the parts that do not depend on the questions (content types, relations,
styles, drawings with their logo images, document properties) the way that file has them, so a
workbook built here exercises the importer and the exporter as CSA's own does. Formatting and
structure are facts of the file format; no CSA text is in here.
"""

import io
import zipfile
from collections.abc import Iterable

from PIL import Image

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006"
_CT_PREFIX = "application/vnd.openxmlformats-officedocument"

# The cellXfs indices the sheets use, as in CSA's styles.xml (20 cell formats).
STYLE_DEFAULT = 0
STYLE_HEADER = 3  # white bold on blue, centred: header row and the Introduction's headings
STYLE_BANNER = 4  # the "End of ..." rows
STYLE_SECTION = 5  # bold section titles on the Introduction
STYLE_ANSWER_EVEN = 7  # unlocked: the only cells a CSP may edit
STYLE_ANSWER_ODD = 8  # unlocked, shaded
STYLE_TEXT = 9  # wrapped body text
STYLE_QUESTION_EVEN = 9
STYLE_QUESTION_ODD = 11
STYLE_CONTROL = 12  # centred control and domain cells
STYLE_ID_EVEN = 14
STYLE_ID_ODD = 15
STYLE_TITLE = 16
STYLE_VERSION = 17

# Part names in the order CSA's zip holds them.
PART_ORDER = (
    "[Content_Types].xml",
    "_rels/.rels",
    "xl/worksheets/sheet2.xml",
    "xl/worksheets/sheet1.xml",
    "xl/worksheets/_rels/sheet2.xml.rels",
    "xl/worksheets/_rels/sheet1.xml.rels",
    "xl/workbook.xml",
    "xl/styles.xml",
    "xl/sharedStrings.xml",
    "xl/media/image3.png",
    "xl/media/image2.png",
    "xl/media/image1.png",
    "xl/drawings/drawing2.xml",
    "xl/drawings/drawing1.xml",
    "xl/drawings/_rels/drawing2.xml.rels",
    "xl/drawings/_rels/drawing1.xml.rels",
    "xl/_rels/workbook.xml.rels",
    "docProps/core.xml",
    "docProps/app.xml",
)
# A fixed time stamp so the same structure always gives the same bytes (and the same SHA-256).
ZIP_DATE = (2024, 1, 1, 0, 0, 0)


def relationships(*rels: tuple[str, str, str]) -> str:
    """A .rels part from (Id, Type suffix under officeDocument/2006/relationships, Target)."""
    body = "".join(
        f'<Relationship Target="{target}" Type="{kind}" Id="{rid}"/>' for rid, kind, target in rels
    )
    return f'{XML_DECLARATION}<Relationships xmlns="{PKG_REL_NS}">{body}</Relationships>'


def _office_rel(name: str) -> str:
    return f"{_OFFICE}/relationships/{name}"


def content_types() -> str:
    def override(part: str, kind: str) -> str:
        return f'<Override PartName="/{part}" ContentType="{kind}"/>'

    sheet = f"{_CT_PREFIX}.spreadsheetml.worksheet+xml"
    drawing = f"{_CT_PREFIX}.drawing+xml"
    body = (
        '<Default ContentType="application/vnd.openxmlformats-package.relationships+xml" '
        'Extension="rels"/><Default ContentType="application/xml" Extension="xml"/>'
        + override("docProps/app.xml", f"{_CT_PREFIX}.extended-properties+xml")
        + override(
            "docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml"
        )
        + override("xl/styles.xml", f"{_CT_PREFIX}.spreadsheetml.styles+xml")
        + override("xl/workbook.xml", f"{_CT_PREFIX}.spreadsheetml.sheet.main+xml")
        + override("xl/drawings/drawing1.xml", drawing)
        + override("xl/drawings/drawing2.xml", drawing)
        + override("xl/worksheets/sheet1.xml", sheet)
        + override("xl/worksheets/sheet2.xml", sheet)
        + '<Default ContentType="image/png" Extension="png"/>'
        + override("xl/sharedStrings.xml", f"{_CT_PREFIX}.spreadsheetml.sharedStrings+xml")
    )
    return (
        f"{XML_DECLARATION}<Types "
        f'xmlns="http://schemas.openxmlformats.org/package/2006/content-types">{body}</Types>'
    )


def package_rels() -> str:
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    return relationships(
        ("rId10", _office_rel("officeDocument"), "xl/workbook.xml"),
        ("rId11", f"{pkg}/metadata/core-properties", "docProps/core.xml"),
        ("rId12", _office_rel("extended-properties"), "docProps/app.xml"),
    )


def workbook(sheet_names: tuple[str, str]) -> str:
    sheets = "".join(
        f'<sheet sheetId="{i}" name="{name}" r:id="rId{i}"></sheet>'
        for i, name in enumerate(sheet_names, start=1)
    )
    return (
        f'{XML_DECLARATION}<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
        f'<workbookPr date1904="false"/><sheets>{sheets}</sheets></workbook>'
    )


def workbook_rels() -> str:
    return relationships(
        ("rId1", _office_rel("worksheet"), "worksheets/sheet1.xml"),
        ("rId2", _office_rel("worksheet"), "worksheets/sheet2.xml"),
        ("rId3", _office_rel("styles"), "styles.xml"),
        ("rId4", _office_rel("sharedStrings"), "sharedStrings.xml"),
    )


# --- styles.xml: CSA's fonts, fills, borders and 20 cell formats, written from tables ---------

_BLUE, _DARK, _PALE, _WHITE = "FF00549F", "FF363A49", "FFEEF3F8", "FFFFFFFF"
# (name, size, bold, colour)
_FONTS = [
    ("Arial", 11, False, None), ("Gill Sans MT", 13, True, _WHITE),
    ("Gill Sans MT", 12, True, _WHITE), ("Gill Sans MT", 11, True, None),
    ("Gill Sans MT", 12, True, _BLUE), ("Gill Sans MT", 12, False, None),
    ("Gill Sans MT", 12, True, None), ("Gill Sans MT", 12, False, None),
    ("Gill Sans MT", 12, False, None), ("Gill Sans MT", 12, False, None),
    ("Gill Sans MT", 12, True, None), ("Gill Sans MT", 12, True, None),
    ("Gill Sans MT", 13, True, _BLUE), ("Arial", 11, False, _PALE),
    ("Gill Sans MT", 11, False, None), ("Gill Sans MT", 11, False, None),
]  # fmt: skip
_FILLS = ["none", "gray125", _BLUE, _DARK] + [_PALE] * 7
# (border colour or None, ) per border: 0 none, 1 black, 2..10 pale blue
_BORDERS = [None, "FF000000"] + ["FFDEE6F0"] * 9
_CENTRE = '<alignment horizontal="center" vertical="center" wrapText="1" />'
_TOP = '<alignment vertical="top" wrapText="1" />'
_UNLOCKED = '<alignment horizontal="left" vertical="top" wrapText="1" /><protection locked="0" />'
# (font, fill, border, alignment and protection children, applyAlignment, applyProtection)
_STYLED_XFS = [
    (1, 2, 2, _CENTRE), (2, 3, 0, _CENTRE),
    (3, 0, 0, '<alignment vertical="center" wrapText="1" />'), (4, 0, 3, _TOP),
    (0, 0, 0, _UNLOCKED), (0, 4, 0, _UNLOCKED), (5, 0, 4, _TOP), (6, 0, 5, _TOP),
    (7, 5, 6, _TOP), (8, 0, 7, _CENTRE), (9, 6, 8, _CENTRE), (10, 0, 9, _CENTRE),
    (11, 7, 10, _CENTRE), (12, 8, 0, '<alignment vertical="center" />'),
    (13, 9, 0, ""), (14, 10, 0, ""), (15, 0, 0, ""),
]  # fmt: skip


def _font(name: str, size: int, bold: bool, colour: str | None) -> str:
    extra = ('<b val="1"/>' if bold else "") + (f'<color rgb="{colour}" />' if colour else "")
    return f'<font><name val="{name}"/><sz val="{size}"/><family val="1"/>{extra}</font>'


def _fill(pattern: str) -> str:
    if pattern in ("none", "gray125"):
        return f'<fill><patternFill patternType="{pattern}"></patternFill></fill>'
    colours = f'<fgColor rgb="{pattern}" /><bgColor rgb="{pattern}" />'
    return f'<fill><patternFill patternType="solid">{colours}</patternFill></fill>'


def _border(colour: str | None) -> str:
    if colour is None:
        return "<border ></border>"
    sides = "".join(
        f'<{side} style="thin"><color rgb="{colour}" /></{side}>'
        for side in ("left", "right", "top", "bottom")
    )
    return f"<border >{sides}</border>"


def _styled_xf(font: int, fill: int, border: int, children: str) -> str:
    unlocked = "<protection" in children
    flags = (
        f'applyNumberFormat="0" applyFont="{int(font > 0)}" applyFill="{int(fill > 0)}" '
        f'applyBorder="{int(border > 0)}" applyAlignment="{int(bool(children))}" '
        f'applyProtection="{int(unlocked)}" '
    )
    ids = f'numFmtId="0" fontId="{font}" fillId="{fill}" borderId="{border}" '
    return f"<xf {ids}{flags}>{children}</xf>"


def styles() -> str:
    plain = [
        '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" ></xf>',
        '<xf numFmtId="0" fontId="0" fillId="0" borderId="1" xfId="0" ></xf>',
        '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" '
        'applyNumberFormat="1" ></xf>',
    ]
    xfs = plain + [_styled_xf(*spec) for spec in _STYLED_XFS]
    return (
        f'<styleSheet xmlns="{MAIN_NS}"><numFmts count="2">'
        '<numFmt formatCode="yyyy/mm/dd" numFmtId="100" />'
        '<numFmt formatCode="yyyy/mm/dd hh:mm:ss" numFmtId="101" /></numFmts>'
        f'<fonts count="{len(_FONTS)}">{"".join(_font(*f) for f in _FONTS)}</fonts>'
        f'<fills count="{len(_FILLS)}">{"".join(_fill(f) for f in _FILLS)}</fills>'
        f'<borders count="{len(_BORDERS)}">{"".join(_border(b) for b in _BORDERS)}</borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" ></xf>'
        f'</cellStyleXfs><cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" /></cellStyles>'
        '<dxfs count="0"></dxfs><tableStyles defaultTableStyle="TableStyleMedium9" '
        'defaultPivotStyle="PivotStyleLight16" count="0" ></tableStyles></styleSheet>'
    )


# --- drawings: the logo, anchored at A1 ---------------------------------------------------------


def _picture(rid: str) -> str:
    lock = 'noSelect="1" noRot="1" noChangeAspect="1" noMove="1" noResize="1" noEditPoints="1"'
    return (
        "<xdr:oneCellAnchor><xdr:from><xdr:col>0</xdr:col><xdr:colOff>0</xdr:colOff>"
        "<xdr:row>0</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from>"
        '<xdr:ext cx="1352550" cy="476250"/><xdr:pic><xdr:nvPicPr>'
        '<xdr:cNvPr id="2" name="" descr=""></xdr:cNvPr>'
        f"<xdr:cNvPicPr><a:picLocks {lock} /></xdr:cNvPicPr></xdr:nvPicPr>"
        f'<xdr:blipFill><a:blip xmlns:r ="{REL_NS}" r:embed="{rid}"></a:blip>'
        "<a:stretch><a:fillRect/></a:stretch></xdr:blipFill><xdr:spPr><a:xfrm>"
        '<a:off x="0" y="0"/><a:ext cx="2336800" cy="2161540"/></a:xfrm>'
        '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></xdr:spPr></xdr:pic>'
        "<xdr:clientData/></xdr:oneCellAnchor>"
    )


def drawing(*rids: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><xdr:wsDr '
        'xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" '
        'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
        f"{''.join(_picture(rid) for rid in rids)}</xdr:wsDr>"
    )


def logo_png() -> bytes:
    """A blank stand-in for CSA's logo (the size of the anchor, 142 x 50 px)."""
    buffer = io.BytesIO()
    Image.new("RGBA", (142, 50), (255, 255, 255, 0)).save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def core_properties(creator: str) -> str:
    return (
        f"{XML_DECLARATION}<cp:coreProperties "
        'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" '
        'xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:creator>{creator}</dc:creator>"
        '<dcterms:created xsi:type="dcterms:W3CDTF">2024-01-01T00:00:00Z</dcterms:created>'
        "<cp:revision>0</cp:revision></cp:coreProperties>"
    )


def app_properties() -> str:
    return (
        f"{XML_DECLARATION}<Properties "
        f'xmlns="{_OFFICE}/extended-properties" xmlns:vt="{_OFFICE}/docPropsVTypes"></Properties>'
    )


def fixed_parts(sheet_names: tuple[str, str], creator: str) -> dict[str, str | bytes]:
    """Every part but the two sheets and the shared strings."""
    logo = logo_png()
    image, drawing_rel = _office_rel("image"), _office_rel("drawing")
    return {
        "[Content_Types].xml": content_types(),
        "_rels/.rels": package_rels(),
        "xl/worksheets/_rels/sheet2.xml.rels": relationships(
            ("rId9", drawing_rel, "../drawings/drawing2.xml")
        ),
        "xl/worksheets/_rels/sheet1.xml.rels": relationships(
            ("rId8", drawing_rel, "../drawings/drawing1.xml")
        ),
        "xl/workbook.xml": workbook(sheet_names),
        "xl/styles.xml": styles(),
        "xl/media/image3.png": logo,
        "xl/media/image2.png": logo,
        "xl/media/image1.png": logo,
        "xl/drawings/drawing2.xml": drawing("rId6", "rId7"),
        "xl/drawings/drawing1.xml": drawing("rId5"),
        "xl/drawings/_rels/drawing2.xml.rels": relationships(
            ("rId6", image, "../media/image2.png"), ("rId7", image, "../media/image3.png")
        ),
        "xl/drawings/_rels/drawing1.xml.rels": relationships(
            ("rId5", image, "../media/image1.png")
        ),
        "xl/_rels/workbook.xml.rels": workbook_rels(),
        "docProps/core.xml": core_properties(creator),
        "docProps/app.xml": app_properties(),
    }


def zip_parts(parts: dict[str, str | bytes], order: Iterable[str] = PART_ORDER) -> bytes:
    """The parts deflated into one zip, in CSA's order, with a fixed time stamp."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in order:
            data = parts[name]
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data.encode("utf-8") if isinstance(data, str) else data)
    return buffer.getvalue()
