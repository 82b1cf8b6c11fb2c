"""CSA's own v4.0.3 file (prose replaced, every part and quirk kept): importer, exporter, builder.

The main suite runs on workbooks from ``caiq.xlsx.builder``; these tests hold that builder, the
importer and the exporter to the real file, at the XML level where it matters.
"""

import io
import re
import zipfile

import pytest

from accounts.models import Membership
from caiq.models import Question
from caiq.services import catalog_import, questionnaire_create
from caiq.services.transfer import export_xlsx, import_workbook
from caiq.xlsx.builder import sample_workbook_bytes
from caiq.xlsx.catalog import parse_catalog
from caiq.xlsx.layout import ANSWER_VALUES, SSRM_VALUES
from caiq.xlsx.writer import AnswerCells, fill_workbook
from tests.caiq.test_catalog_import import REFERENCE_COUNTS
from tests.caiq.test_transfer import fill_all
from tests.libreoffice import sheet_as_rows
from tests.xlsx_checks import assert_only_answer_cells_changed

from .shared import CAIQ_FAITHFUL, CAIQ_V41_APPROXIMATION

SHEET = "xl/worksheets/sheet2.xml"
# Parts that hold no question text: ours must be CSA's, byte for byte.
FIXED_PARTS = (
    "[Content_Types].xml",
    "_rels/.rels",
    "xl/workbook.xml",
    "xl/_rels/workbook.xml.rels",
    "xl/styles.xml",
    "xl/worksheets/_rels/sheet1.xml.rels",
    "xl/worksheets/_rels/sheet2.xml.rels",
    "xl/drawings/drawing1.xml",
    "xl/drawings/drawing2.xml",
    "xl/drawings/_rels/drawing1.xml.rels",
    "xl/drawings/_rels/drawing2.xml.rels",
    "docProps/app.xml",
)


@pytest.fixture(scope="module")
def csa() -> bytes:
    return CAIQ_FAITHFUL.read_bytes()


def archive(data: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(data))


def skeleton(xml: bytes) -> str:
    """The sheet without its texts' positions in sharedStrings.xml and without row heights."""
    text = xml.decode("utf-8")
    return re.sub(r' ht="\d+"', "", re.sub(r"<v>\d+</v>", "<v/>", text))


@pytest.mark.django_db
def test_importing_csas_file_gives_17_domains_197_controls_and_261_questions(csa):
    result = catalog_import(data=csa, filename=CAIQ_FAITHFUL.name)

    version = result.version
    assert (version.caiq_version, version.ccm_version) == ("4.0.3", "4.0.12")
    assert (version.domains.count(), version.controls.count(), version.questions.count()) == (
        17,
        197,
        261,
    )
    per_domain = {
        d.code: (d.controls.count(), Question.objects.filter(control__domain=d).count())
        for d in version.domains.all()
    }
    assert per_domain == REFERENCE_COUNTS
    assert (version.layout["first_row"], version.layout["last_row"]) == (3, 263)
    assert version.layout["answer_columns"] == [3, 4, 5, 6]
    # Merged control cells are forward-filled: the second question of a control has its control.
    assert version.questions.get(code="A&A-01.2").control.code == "A&A-01"


def test_our_workbook_has_csas_parts_in_csas_order_all_deflated(csa):
    ours, theirs = archive(sample_workbook_bytes()), archive(csa)

    assert [i.filename for i in ours.infolist()] == [i.filename for i in theirs.infolist()]
    assert len(ours.infolist()) == 19
    assert {i.compress_type for i in ours.infolist()} == {zipfile.ZIP_DEFLATED}


@pytest.mark.parametrize("part", FIXED_PARTS)
def test_our_parts_without_text_are_csas_byte_for_byte(csa, part):
    assert archive(sample_workbook_bytes()).read(part) == archive(csa).read(part)


def test_our_questionnaire_sheet_is_csas_cell_for_cell(csa):
    """Every cell's reference, style and type; columns, merges, protection and validations."""
    ours = skeleton(archive(sample_workbook_bytes()).read(SHEET))
    theirs = skeleton(archive(csa).read(SHEET))

    assert ours == theirs
    # The facts the exporter relies on, spelled out so a failure names the one that broke.
    assert '<col width="0" min="7" max="7" bestFit="1" customWidth="1" />' in ours
    assert 'hidden="' not in ours
    assert '<c r="C3" s="8" />' in ours
    assert '<c r="C4" s="7" />' in ours
    assert '<c r="G2" s="3" t="inlineStr"><is><t></t></is></c>' in ours
    assert ours.count("<mergeCell ") == 611
    assert len(re.findall(r"<mergeCell ref='([A-Z]+)(\d+):\1\2'>", ours)) == 432
    assert 'password="9E15"' in ours


def test_our_texts_are_shared_strings_as_in_csas_file(csa):
    ours = archive(sample_workbook_bytes()).read("xl/sharedStrings.xml").decode()
    theirs = archive(csa).read("xl/sharedStrings.xml").decode()

    def root(xml):
        return re.sub(r'count="\d+" uniqueCount="\d+"', "", re.search(r"<sst[^>]*>", xml).group())

    assert root(ours) == root(theirs)
    assert b't="s"' in archive(sample_workbook_bytes()).read(SHEET)


@pytest.mark.django_db
def test_answers_exported_into_csas_file_import_back_unchanged(csa, team):
    admin_membership = Membership.objects.get(user=team.admin, organization=team.org)
    version = catalog_import(data=csa, filename=CAIQ_FAITHFUL.name).version
    questionnaire = questionnaire_create(
        membership=admin_membership, version=version, name="Faithful", service_name="S"
    )
    membership = fill_all(questionnaire, team)

    exported = export_xlsx(questionnaire)
    summary = import_workbook(
        questionnaire=questionnaire, data=exported, user=team.contributor, membership=membership
    )

    assert (summary.new, summary.changed, summary.unchanged) == (0, 0, 261)
    values = set(questionnaire.answers.values_list("answer", flat=True))
    assert values == set(ANSWER_VALUES)
    assert set(questionnaire.answers.values_list("ssrm", flat=True)) <= {"", *SSRM_VALUES}


@pytest.mark.django_db
def test_the_v4_1_layout_approximation_imports_with_its_283_questions():
    result = catalog_import(
        data=CAIQ_V41_APPROXIMATION.read_bytes(), filename=CAIQ_V41_APPROXIMATION.name
    )

    assert result.version.caiq_version == "4.1.0"
    assert result.counts == (17, 207, 283)


@pytest.mark.parametrize("sample", [CAIQ_FAITHFUL, CAIQ_V41_APPROXIMATION], ids=lambda p: p.name)
def test_an_export_into_csas_file_changes_its_answer_cells_and_nothing_else(sample, tmp_path):
    from openpyxl import load_workbook

    template = sample.read_bytes()
    catalog = parse_catalog(load_workbook(io.BytesIO(template)))
    answers = {
        q.code: AnswerCells(("Yes", "No", "NA")[i % 3], SSRM_VALUES[i % 5], f"How {i}", f"CSC {i}")
        for i, q in enumerate(catalog.questions)
    }

    rows = {q.code: q.row for q in catalog.questions}
    exported = fill_workbook(template, catalog.layout, answers, rows)

    written = assert_only_answer_cells_changed(template, exported, catalog.layout)
    assert len(written) == len(catalog.questions) * 4
    sheet = load_workbook(io.BytesIO(exported), read_only=True)[catalog.layout["sheet"]]
    sheet.reset_dimensions()  # CSA's <dimension> says A1:D265: a streaming reader must ignore it
    read_back = {
        row[0].value: AnswerCells(*(cell.value or "" for cell in row[2:6]))
        for row in sheet.iter_rows(
            min_row=catalog.layout["first_row"], max_row=catalog.layout["last_row"]
        )
    }
    assert read_back == answers
    # A second, independent reader: LibreOffice Calc shows the same answers.
    shown = sheet_as_rows(exported, sheet=2, folder=tmp_path)
    first, last = catalog.layout["first_row"], catalog.layout["last_row"]
    assert {row[0]: AnswerCells(*row[2:6]) for row in shown[first - 1 : last]} == answers
