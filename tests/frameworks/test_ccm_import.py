"""Importing the framework mappings of a CCM workbook (frameworks.ccm, frameworks.services)."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from frameworks.models import CcmVersion, ControlMapping, Framework, Requirement
from frameworks.services import CcmImportError, ccm_import, read_ccm
from tests.workbooks import sample_bytes

from .ccm_workbook import ccm_bytes

pytestmark = pytest.mark.django_db

ISO = "ISO/IEC 27001:2022, 27002:2022"
NIST = "NIST 800-53 rev 5"
# Greek capital nu and small omicron, as CSA's file spells one "No Gap".
GREEK_NO_GAP = "\u039d\u03bf Gap"
ROWS = [
    (
        "A&A-01",
        "Audit & Assurance",
        {
            ISO: ("27001: 5.1\n27001: A.5.35", "Partial Gap", "Text"),
            NIST: ("CA-2(1)", "No Gap", "N/A"),
        },
    ),
    (
        "A&A-02",
        "Audit & Assurance",
        {
            ISO: ("27001: A.5.35\n27001: A.5.35", GREEK_NO_GAP, "N/A"),
            NIST: ("No Mapping", "Full Gap", "Text"),
        },
    ),
    (
        "BCR-01",
        "Business Continuity",
        {ISO: ("27001: A.5.29", "No Gap", ""), NIST: (8.1, "Partial Gap", "")},
    ),
]


def workbook(**options) -> bytes:
    return ccm_bytes([ISO, NIST], ROWS, **options)


def test_the_mappings_are_read_per_control_and_framework():
    ccm = read_ccm(workbook())

    assert ccm.version == "4.0.12"
    assert [c for c, _d in ccm.controls] == ["A&A-01", "A&A-02", "BCR-01"]
    iso, nist = ccm.frameworks
    assert (iso.name, nist.name) == (ISO, NIST)
    assert [m.requirements for m in iso.mappings] == [
        ("27001: 5.1", "27001: A.5.35"),
        ("27001: A.5.35",),  # listed twice in the cell, once here
        ("27001: A.5.29",),
    ]
    assert [m.gap_level for m in iso.mappings] == ["partial", "no", "no"]  # Greek "No Gap" too
    assert [m.requirements for m in nist.mappings] == [("CA-2(1)",), (), ("8.1",)]
    assert [m.addendum for m in nist.mappings] == ["", "Text", ""]  # "N/A" is no addendum
    assert iso.counts == {
        "mapped_controls": 3,
        "unmapped_controls": 0,
        "requirements": 3,
        "gaps": {"no": 2, "partial": 1, "full": 0, "": 0},
    }


def test_an_import_stores_frameworks_requirements_and_mappings_and_a_second_changes_nothing():
    first = ccm_import(data=workbook(), filename="CCMv4.0.12.xlsx")
    counts = (
        Framework.objects.count(),
        Requirement.objects.count(),
        ControlMapping.objects.count(),
    )
    second = ccm_import(data=workbook(), filename="CCMv4.0.12.xlsx")

    assert (first.outcome, second.outcome) == ("created", "unchanged")
    assert counts == (2, 5, 6)  # ISO: 5.1, A.5.35, A.5.29; NIST: CA-2(1), 8.1
    assert (
        Framework.objects.count(),
        Requirement.objects.count(),
        ControlMapping.objects.count(),
    ) == counts
    mapping = ControlMapping.objects.get(framework__name=ISO, control_id="A&A-01")
    assert sorted(mapping.requirements.values_list("code", flat=True)) == [
        "27001: 5.1",
        "27001: A.5.35",
    ]
    assert (mapping.gap_level, mapping.domain) == ("partial", "Audit & Assurance")


def test_the_same_version_with_other_mappings_is_refused_and_nothing_changes():
    ccm_import(data=workbook(), filename="a.xlsx")
    changed = [
        ROWS[0],
        ROWS[1],
        ("BCR-01", "Business Continuity", {ISO: ("27001: A.5.30", "No Gap", "")}),
    ]

    with pytest.raises(
        CcmImportError, match=r"already imported with different mappings .*Nothing was changed\."
    ):
        ccm_import(data=ccm_bytes([ISO, NIST], changed), filename="b.xlsx")

    assert CcmVersion.objects.get().source_filename == "a.xlsx"
    assert not Requirement.objects.filter(code="27001: A.5.30").exists()


@pytest.mark.parametrize(
    ("data", "sentence"),
    [
        (sample_bytes(), "This is a CAIQ workbook, not the Cloud Controls Matrix"),
        (
            ccm_bytes([ISO], ROWS[:1], end=False),
            "The mappings end early: no 'End of Standard' row after 1 controls",
        ),
        (workbook()[:5000], "not an .xlsx workbook|Could not read the workbook|damaged|truncated"),
        (ccm_bytes([ISO], ROWS[:1], extra_sheets=("Sheet",), version="draft"), "No CCM version"),
        (b"plain text", "not an .xlsx workbook"),
    ],
    ids=["caiq-workbook", "rows-cut-short", "file-cut-short", "no-version", "not-a-workbook"],
)
def test_a_wrong_or_truncated_file_is_refused_with_a_clear_sentence(data, sentence):
    with pytest.raises(CcmImportError, match=sentence) as refused:
        ccm_import(data=data, filename="x.xlsx")

    assert "\n" not in str(refused.value)
    assert not CcmVersion.objects.exists()


def test_the_command_prints_the_counts_per_framework(tmp_path):
    path = tmp_path / "ccm.xlsx"
    path.write_bytes(workbook())
    out = io.StringIO()

    call_command("import_ccm", str(path), stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0] == "Imported CCM v4.0.12: 3 controls, 2 frameworks."
    assert lines[2] == (
        f"  {NIST}: 2 controls mapped, 1 not, 2 requirements; "
        "gap levels: 1 no gap, 1 partial, 1 full gap, 0 not stated"
    )


def test_the_command_names_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_ccm", str(tmp_path / "missing.xlsx"))


def test_the_fixture_narrows_the_dimension_as_csas_file_does():
    import zipfile

    archive = zipfile.ZipFile(io.BytesIO(workbook()))
    mappings = archive.read("xl/worksheets/sheet3.xml")  # after Introduction and CCM

    assert b'<dimension ref="A1:D' in mappings
    assert b'<c r="H5"' in mappings  # while its data runs further right


def test_only_platform_operators_upload_and_everyone_signed_in_sees_the_list(client, team):
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile

    operator = get_user_model().objects.create_superuser(email="op@example.com", password="x")
    upload = "/frameworks/import/"
    client.force_login(team.admin)
    refused = client.post(upload, {"workbook": SimpleUploadedFile("c.xlsx", workbook())})
    client.force_login(operator)
    imported = client.post(upload, {"workbook": SimpleUploadedFile("c.xlsx", workbook())})
    wrong = client.post(upload, {"workbook": SimpleUploadedFile("c.xlsx", sample_bytes())})
    client.force_login(team.viewer)
    listed = client.get("/frameworks/")

    assert refused.status_code == 403
    assert imported.status_code == 302
    assert "This is a CAIQ workbook, not the Cloud Controls Matrix" in wrong.text
    assert CcmVersion.objects.count() == 1
    assert "CCM v4.0.12" in listed.text
    assert ISO in listed.text
