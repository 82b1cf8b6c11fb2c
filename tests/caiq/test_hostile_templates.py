"""A catalog's workbook becomes the template of every export: what it must not carry is refused.

Each case is the project's faithful sample workbook with one thing added, as an attacker (or a
careless re-save) would add it. The refusal is one sentence, and nothing is stored.
"""

import pytest

from caiq.services import CatalogImportError, catalog_import
from tests.hostile import with_parts
from tests.workbooks import edited, sample_bytes

from .test_catalog_import import catalog_snapshot

pytestmark = pytest.mark.django_db

OOXML = "application/vnd.openxmlformats-officedocument"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"


def _with_types(*entries: str) -> bytes:
    """[Content_Types].xml of the sample with more Default or Override entries."""
    import io
    import zipfile

    types = zipfile.ZipFile(io.BytesIO(sample_bytes())).read("[Content_Types].xml").decode()
    return types.replace("</Types>", "".join(entries) + "</Types>").encode()


def _rels(*rels: str) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL}">'
            f'{"".join(rels)}</Relationships>').encode()  # fmt: skip


def macro() -> bytes:
    return with_parts(
        {
            "xl/vbaProject.bin": b"\x00" * 64,
            "[Content_Types].xml": _with_types(
                '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
            ),
        },
        base=sample_bytes(),
    )


def external_link() -> bytes:
    link = (
        '<?xml version="1.0" encoding="UTF-8"?><externalLink xmlns="http://schemas.openxmlformats'
        '.org/spreadsheetml/2006/main"><externalBook r:id="rId1" xmlns:r="'
        f'{REL}"/></externalLink>'
    ).encode()
    return with_parts(
        {
            "xl/externalLinks/externalLink1.xml": link,
            "xl/externalLinks/_rels/externalLink1.xml.rels": _rels(
                f'<Relationship Id="rId1" Type="{REL}/externalLinkPath" '
                'Target="file:///C:/secret/book.xlsx" TargetMode="External"/>'
            ),
            "[Content_Types].xml": _with_types(
                '<Override PartName="/xl/externalLinks/externalLink1.xml" '
                f'ContentType="{OOXML}.spreadsheetml.externalLink+xml"/>'
            ),
        },
        base=sample_bytes(),
    )


def external_target() -> bytes:
    """No external-link part, only a relationship that points at a web address."""
    return with_parts(
        {
            "xl/worksheets/_rels/sheet2.xml.rels": _rels(
                f'<Relationship Target="../drawings/drawing2.xml" Type="{REL}/drawing" Id="rId9"/>'
                f'<Relationship Target="https://evil.example/x" Type="{REL}/hyperlink" '
                'Id="rId10" TargetMode="External"/>'
            )
        },
        base=sample_bytes(),
    )


def ole_object() -> bytes:
    return with_parts(
        {
            "xl/embeddings/oleObject1.bin": b"\xd0\xcf\x11\xe0" + b"\x00" * 60,
            "[Content_Types].xml": _with_types(
                f'<Default Extension="bin" ContentType="{OOXML}.oleObject"/>'
            ),
        },
        base=sample_bytes(),
    )


def path_outside() -> bytes:
    return with_parts({"../../etc/cron.d/evil.xml": b"<x/>"}, base=sample_bytes())


def unexpected_part() -> bytes:
    return with_parts(
        {
            "xl/pivotTables/pivotTable1.xml": b"<pivotTableDefinition/>",
            "[Content_Types].xml": _with_types(
                '<Override PartName="/xl/pivotTables/pivotTable1.xml" '
                f'ContentType="{OOXML}.spreadsheetml.pivotTable+xml"/>'
            ),
        },
        base=sample_bytes(),
    )


def question_after_end() -> bytes:
    def edit(wb):
        wb["CAIQv4.0.3"]["A267"] = "A&A-99.1"

    return edited(edit)


CASES = {
    "macro": (macro, "The workbook contains macros (part 'xl/vbaProject.bin')"),
    "external link": (external_link, "The workbook contains an external link"),
    "external target": (external_target, "points outside itself (to 'https://evil.example/x'"),
    "OLE object": (ole_object, "contains an embedded OLE object"),
    "path outside the workbook": (path_outside, "a part named '../../etc/cron.d/evil.xml'"),
    "unexpected part": (unexpected_part, "a part of a kind CSA's CAIQ never holds"),
    "question after End of Standard": (
        question_after_end,
        "Row 267 holds question ID A&A-99.1 after 'End of Standard'",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES), ids=str)
def test_a_template_carrying_what_an_export_must_not_is_refused_and_nothing_stored(case):
    make, reason = CASES[case]
    before = catalog_snapshot()

    with pytest.raises(CatalogImportError) as refused:
        catalog_import(data=make(), filename=f"{case}.xlsx")

    message = str(refused.value)
    assert reason in message
    assert "\n" not in message
    assert message.endswith(".")
    assert catalog_snapshot() == before


def test_the_sample_itself_is_a_clean_template_and_its_sheet_part_is_recorded():
    version = catalog_import(data=sample_bytes(), filename="sample.xlsx").version

    assert version.layout["sheet_part"] == "xl/worksheets/sheet2.xml"
