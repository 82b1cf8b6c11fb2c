import hashlib

import pytest
from django.core.files.storage import default_storage

from caiq.models import CatalogVersion, Control, Domain, Question
from caiq.services import CatalogImportError, catalog_import
from caiq.xlsx.builder import COLUMN_LETTERS, build_caiq_xlsx
from tests.workbooks import sample_bytes, tiny_structure

# docs/caiq-format.md: (controls, questions) per domain in CAIQ v4.0.3.
REFERENCE_COUNTS = {
    "A&A": (6, 8), "AIS": (7, 11), "BCR": (11, 18), "CCC": (9, 11), "CEK": (21, 23),
    "DCS": (15, 23), "DSP": (19, 24), "GRC": (8, 9), "HRS": (13, 20), "IAM": (16, 21),
    "IPY": (4, 8), "IVS": (9, 14), "LOG": (13, 18), "SEF": (8, 11), "STA": (14, 15),
    "TVM": (10, 12), "UEM": (14, 15),
}  # fmt: skip

pytestmark = pytest.mark.django_db


def catalog_snapshot():
    """Everything the catalog import can write, to prove a refused import wrote nothing."""
    files = (
        sorted(default_storage.listdir("catalog-templates")[1])
        if default_storage.exists("catalog-templates")
        else []
    )
    return (
        list(
            CatalogVersion.objects.values_list("id", "caiq_version", "source_sha256", "is_sample")
        ),
        list(Domain.objects.values_list("id", "code", "title")),
        list(Control.objects.values_list("id", "code", "title", "specification")),
        list(Question.objects.values_list("id", "code", "text", "row")),
        files,
    )


def test_importing_the_official_workbook_gives_the_reference_counts(official_workbook):
    result = catalog_import(data=official_workbook.read_bytes(), filename=official_workbook.name)

    version = result.version
    assert result.outcome == "created"
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
    assert (
        result.message
        == "Imported CAIQ v4.0.3 (CCM v4.0.12): 17 domains, 197 controls, 261 questions."
    )


def test_it_keeps_the_workbook_order_ids_and_template(official_workbook):
    data = official_workbook.read_bytes()
    version = catalog_import(data=data, filename=official_workbook.name).version

    codes = list(version.questions.order_by("position").values_list("code", "row"))
    assert codes[0] == ("A&A-01.1", 3)
    assert codes[-1] == ("UEM-14.1", 263)
    assert version.source_sha256 == hashlib.sha256(data).hexdigest()
    assert version.source_filename == official_workbook.name
    with version.template.open("rb") as stored:
        assert stored.read() == data
    assert version.layout["answer_columns"] == [3, 4, 5, 6]


def test_merged_control_and_domain_cells_are_forward_filled(official_workbook):
    version = catalog_import(data=official_workbook.read_bytes(), filename="x.xlsx").version

    second = version.questions.get(code="A&A-01.2")
    assert second.control.code == "A&A-01"
    assert second.control.domain.title == "Audit & Assurance"


def test_white_space_in_texts_is_normalised():
    texts = {"A&A-01.1": "  Placeholder   question\r\n  with\ttabs  \n\n"}
    data = build_caiq_xlsx(tiny_structure(), question_text=lambda c: texts.get(c, f"Q {c}"))
    version = catalog_import(data=data, filename="tiny.xlsx").version

    assert version.questions.get(code="A&A-01.1").text == "Placeholder question\nwith tabs"


def test_importing_the_same_version_again_changes_nothing_and_says_so(official_workbook):
    catalog_import(data=official_workbook.read_bytes(), filename=official_workbook.name)
    before = catalog_snapshot()

    again = catalog_import(data=official_workbook.read_bytes(), filename=official_workbook.name)

    assert again.outcome == "unchanged"
    assert "already imported with the same content; nothing changed" in again.message
    assert catalog_snapshot() == before


def test_the_same_text_spelled_with_other_white_space_counts_as_unchanged():
    catalog_import(data=build_caiq_xlsx(tiny_structure()), filename="a.xlsx")
    respaced = build_caiq_xlsx(
        tiny_structure(),
        question_text=lambda c: (
            f"Sample  question {c}.\n Load CSA's official CAIQ workbook for the real text.\n"
        ),
    )

    result = catalog_import(data=respaced, filename="b.xlsx")

    assert result.outcome == "unchanged"


def test_different_text_for_an_existing_version_is_reported_not_overwritten():
    catalog_import(data=build_caiq_xlsx(tiny_structure()), filename="a.xlsx")
    before = catalog_snapshot()
    changed = build_caiq_xlsx(
        tiny_structure(),
        question_text=lambda c: (
            "Reworded"
            if c == "AIS-02.2"
            else f"Sample question {c}. Load CSA's official CAIQ workbook for the real text."
        ),
    )

    with pytest.raises(CatalogImportError) as refused:
        catalog_import(data=changed, filename="b.xlsx")

    assert "already imported with different content" in str(refused.value)
    assert "question AIS-02.2 has different text" in str(refused.value)
    assert catalog_snapshot() == before


def test_the_official_workbook_replaces_the_sample_catalog_in_place(official_workbook):
    sample = catalog_import(data=sample_bytes(), filename="sample.xlsx", is_sample=True).version
    question_ids = dict(sample.questions.values_list("code", "id"))

    result = catalog_import(data=official_workbook.read_bytes(), filename=official_workbook.name)

    version = CatalogVersion.objects.get()
    assert result.outcome == "replaced-sample"
    assert not version.is_sample
    assert dict(version.questions.values_list("code", "id")) == question_ids
    assert version.questions.get(code="A&A-01.1").text.startswith("Placeholder question text for")
    assert version.source_filename == official_workbook.name


def test_columns_are_found_by_header_text_when_they_move():
    moved = dict(COLUMN_LETTERS, control_id="A", question_id="B", question="I", domain_title="M")
    data = build_caiq_xlsx(tiny_structure(), column_letters=moved)

    version = catalog_import(data=data, filename="moved.xlsx").version

    assert list(version.questions.values_list("code", "control__code")) == [
        ("A&A-01.1", "A&A-01"),
        ("A&A-01.2", "A&A-01"),
        ("AIS-01.1", "AIS-01"),
        ("AIS-02.1", "AIS-02"),
        ("AIS-02.2", "AIS-02"),
    ]
    assert version.layout["columns"]["question_id"] == 2


def test_two_versions_live_side_by_side(official_workbook):
    catalog_import(data=official_workbook.read_bytes(), filename=official_workbook.name)
    catalog_import(data=build_caiq_xlsx(tiny_structure("4.1.9")), filename="t.xlsx")

    assert sorted(CatalogVersion.objects.values_list("caiq_version", flat=True)) == [
        "4.0.3",
        "4.1.9",
    ]
    assert Question.objects.filter(code="A&A-01.1").count() == 2
