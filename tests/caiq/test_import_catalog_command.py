import pytest
from django.core.management import CommandError, call_command

from caiq.models import CatalogVersion
from tests.hostile import HOSTILE_WORKBOOKS

pytestmark = pytest.mark.django_db


def test_it_prints_the_version_and_counts(official_workbook, capsys):
    call_command("import_catalog", str(official_workbook))

    out = capsys.readouterr().out
    assert "CAIQ v4.0.3 (CCM v4.0.12): 17 domains, 197 controls, 261 questions" in out


def test_running_it_twice_says_nothing_changed(official_workbook, capsys):
    call_command("import_catalog", str(official_workbook))
    call_command("import_catalog", str(official_workbook))

    assert "nothing changed" in capsys.readouterr().out
    assert CatalogVersion.objects.count() == 1


def test_a_bad_file_fails_with_the_reason(tmp_path):
    bad = tmp_path / "bomb.xlsx"
    bad.write_bytes(HOSTILE_WORKBOOKS["zip_bomb"]())

    with pytest.raises(CommandError, match="zip bomb"):
        call_command("import_catalog", str(bad))
    assert not CatalogVersion.objects.exists()


def test_a_missing_file_fails_with_the_reason(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_catalog", str(tmp_path / "nope.xlsx"))
