"""CSA's CCM v4.0.12 file (prose replaced, layout and quirks kept): the framework mappings import.

The main suite's fixture (tests/frameworks/ccm_workbook.py) copies the quirks it knows of; this
holds the importer to the file itself: its wrong <dimension>, numeric requirement cells, Greek
look-alike letters and repeated requirements in one cell.
"""

import io

import pytest
from django.core.management import call_command

from frameworks.models import CcmVersion, ControlMapping, Framework, Requirement
from frameworks.services import CcmImportError, ccm_import

from .shared import CAIQ_FAITHFUL, CCM_FAITHFUL

pytestmark = pytest.mark.django_db

# Per framework, in the file's order: controls mapped, controls with "No Mapping", distinct
# requirements, and the gap levels No / Partial / Full over all 197 controls.
EXPECTED = {
    "AICPA TSC 2017": (144, 53, 55, (64, 79, 54)),
    "CCM v3.0.1": (136, 61, 112, (55, 81, 61)),
    "CIS v8.0": (94, 103, 95, (48, 46, 103)),
    "ISF SOGP 2022": (197, 0, 101, (140, 57, 0)),
    "ISO/IEC 27001:2013,27002:2013,27017:2015,27018:2019": (178, 19, 411, (77, 101, 19)),
    "ISO/IEC 27001:2022, 27002:2022": (195, 2, 247, (139, 56, 2)),
    "NIST 800-53 rev 5": (195, 2, 648, (186, 9, 2)),
    "NIST CSF v1.1": (178, 19, 104, (42, 136, 19)),
    "NIST CSF v2.0": (193, 4, 96, (57, 136, 4)),
    "PCI DSS v3.2.1": (136, 61, 206, (103, 33, 61)),
    "PCI DSS v4.0": (152, 45, 193, (90, 62, 45)),
}


def test_import_ccm_reads_197_controls_and_11_frameworks_and_prints_their_counts():
    out = io.StringIO()

    call_command("import_ccm", str(CCM_FAITHFUL), stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0] == "Imported CCM v4.0.12: 197 controls, 11 frameworks."
    printed = {}
    for line in lines[1:]:
        name, _sep, counts = line.strip().partition(": ")
        printed[name] = counts
    assert list(printed) == list(EXPECTED)
    for name, (mapped, unmapped, requirements, (no, partial, full)) in EXPECTED.items():
        assert printed[name] == (
            f"{mapped} controls mapped, {unmapped} not, {requirements} requirements; gap "
            f"levels: {no} no gap, {partial} partial, {full} full gap, 0 not stated"
        )
        framework = Framework.objects.get(name=name)
        assert framework.mappings.count() == 197
        assert framework.requirements.count() == requirements
        assert framework.mappings.filter(requirements__isnull=True).count() == unmapped
        for level, count in (("no", no), ("partial", partial), ("full", full)):
            assert framework.mappings.filter(gap_level=level).count() == count


def test_importing_the_file_twice_changes_nothing():
    data = CCM_FAITHFUL.read_bytes()
    ccm_import(data=data, filename=CCM_FAITHFUL.name)
    before = (Requirement.objects.count(), ControlMapping.objects.count())

    again = ccm_import(data=data, filename=CCM_FAITHFUL.name)

    assert again.outcome == "unchanged"
    assert (Requirement.objects.count(), ControlMapping.objects.count()) == before
    assert CcmVersion.objects.count() == 1


def _without_rows_after(data: bytes, last_row: int) -> bytes:
    """The file with the mappings sheet cut after ``last_row`` (re-saved by openpyxl: only the
    refusal is tested on it)."""
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(data))
    sheet = workbook["Scope Applicability (Mappings)"]
    sheet.delete_rows(last_row + 1, sheet.max_row - last_row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("make", "sentence"),
    [
        (
            lambda: CAIQ_FAITHFUL.read_bytes(),
            "This is a CAIQ workbook, not the Cloud Controls Matrix",
        ),
        (lambda: _without_rows_after(CCM_FAITHFUL.read_bytes(), 120), "The mappings end early"),
        (lambda: CCM_FAITHFUL.read_bytes()[:60_000], "damaged or truncated"),
    ],
    ids=["caiq-workbook", "rows-cut-short", "file-cut-short"],
)
def test_a_caiq_workbook_or_a_truncated_ccm_file_is_refused_in_one_sentence(make, sentence):
    with pytest.raises(CcmImportError, match=sentence) as refused:
        ccm_import(data=make(), filename="upload.xlsx")

    assert "\n" not in str(refused.value)
    assert not CcmVersion.objects.exists()
