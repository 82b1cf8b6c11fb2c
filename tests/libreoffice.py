"""LibreOffice Calc, headless, as a second reader of the workbooks we write.

openpyxl reading back what we wrote proves little about what a spreadsheet program shows; a
separate implementation does. bin/test installs Debian's libreoffice-calc-nogui.
"""

import csv
import io
import shutil
import subprocess
from pathlib import Path

import pytest

CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,{sheet}"


def _soffice() -> str:
    found = shutil.which("soffice")
    if found is None:
        pytest.fail("LibreOffice (soffice) is missing: bin/test installs libreoffice-calc-nogui.")
    return found


def convert(source: Path, target: str, folder: Path) -> Path:
    """``source`` converted by LibreOffice to ``target`` (a filter string) in ``folder``."""
    out = folder / "converted"
    subprocess.run(  # noqa: S603 - our own arguments
        [
            _soffice(),
            f"-env:UserInstallation=file://{folder / 'profile'}",
            "--headless",
            "--norestore",
            "--convert-to",
            target,
            "--outdir",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    produced = sorted(out.iterdir())
    assert produced, f"LibreOffice wrote nothing for {source.name}"
    return produced[0]


def sheet_as_rows(workbook: bytes, sheet: int, folder: Path) -> list[list[str]]:
    """The sheet (1-based) as LibreOffice shows it, exported to CSV and read back."""
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / "workbook.xlsx"
    source.write_bytes(workbook)
    path = convert(source, CSV_FILTER.format(sheet=sheet), folder)
    # Decoded by hand: read_text() would turn a carriage return in a cell into a line feed.
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8"), newline="")))


def resaved_xlsx(workbook: bytes, folder: Path) -> bytes:
    """The workbook opened and saved again as .xlsx by LibreOffice."""
    source = folder / "original.xlsx"
    source.write_bytes(workbook)
    return convert(source, "xlsx:Calc MS Excel 2007 XML", folder).read_bytes()
