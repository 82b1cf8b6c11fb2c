"""A workbook shaped like CSA's CCM mappings sheet, with placeholder text only (the main suite's
fixture; tests/conformance reads CSA's own layout from ../shared)."""

import io
import re

import openpyxl

from frameworks.ccm import MAPPINGS_SHEET

# (control ID, domain heading, {framework: (mapping cell, gap level cell, addendum cell)})
Row = tuple[str, str, dict[str, tuple[object, str, str]]]


def ccm_bytes(
    frameworks: list[str],
    rows: list[Row],
    *,
    version: str = "v4.0.12",
    end: bool = True,
    extra_sheets: tuple[str, ...] = ("Introduction", "CCM"),
) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.title = extra_sheets[0]
    for name in extra_sheets[1:]:
        workbook.create_sheet(name)
    ws = workbook.create_sheet(MAPPINGS_SHEET)
    ws.append([version, "Placeholder title"])
    ws.append(["", "", "", "", *[cell for name in frameworks for cell in (name, "", "")]])
    ws.append(
        ["Control Domain", "Control Title", "Control ID", "Control Specification"]
        + ["Control Mapping", "Gap Level", "Addendum"] * len(frameworks)
    )
    domain = None
    for control_id, domain_title, cells in rows:
        if domain_title != domain:
            domain = domain_title
            ws.append([f"{domain_title} - {control_id.split('-')[0]}"])
        values = [domain_title, "Placeholder title", control_id, "Placeholder specification"]
        for name in frameworks:
            values += list(cells.get(name, ("No Mapping", "Full Gap", "N/A")))
        ws.append(values)
    if end:
        ws.append(["End of Standard"])
    ws.append(["Placeholder copyright"])
    out = io.BytesIO()
    workbook.save(out)
    return _narrow_dimension(out.getvalue())


def _narrow_dimension(data: bytes) -> bytes:
    """Say A1:D<n> in the mappings sheet's <dimension>, as CSA's file does although its data
    runs much further right: a reader that trusts it sees four columns."""
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                content = re.sub(
                    rb'<dimension ref="A1:[A-Z]+(\d+)"', rb'<dimension ref="A1:D\1"', content
                )
            target.writestr(item, content)
    return out.getvalue()
