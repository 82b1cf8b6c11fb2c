"""A gap analysis as a spreadsheet or CSV: one row per requirement. Pure (no ORM)."""

import csv
import io

from openpyxl import Workbook

from caiq.resources import escape_formula  # the one formula-escaping helper

from .gaps import RequirementState

HEADERS = ("Requirement", "Status", "Partial gap", "CCM controls", "Questions", "Reasons")
GAP_LABELS = {"no": "no gap", "partial": "partial gap", "full": "full gap", "": "gap not stated"}


def rows(requirements: list[RequirementState]) -> list[tuple[str, ...]]:
    table = []
    for requirement in requirements:
        controls = "\n".join(
            f"{c.control_id} ({c.gap_level or 'gap not stated'} gap)".replace(
                "no gap gap", "no gap"
            )
            for c in requirement.controls
        )
        questions = "\n".join(
            f"{q.code}: {q.answer or 'unanswered'}{f' ({q.ssrm})' if q.ssrm else ''}"
            for c in requirement.controls
            for q in c.questions
        )
        table.append(
            (
                requirement.code,
                requirement.status,
                "yes" if requirement.partial_gap else "no",
                controls,
                questions,
                "\n".join(requirement.reasons),
            )
        )
    # Requirement codes and answers come from files users upload: never a formula.
    return [tuple(escape_formula(cell) for cell in row) for row in table]


def as_csv(requirements: list[RequirementState]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    writer.writerows(rows(requirements))
    return out.getvalue().encode("utf-8-sig")  # the BOM makes Excel read UTF-8


def as_xlsx(requirements: list[RequirementState], title: str) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Gap analysis")
    sheet.append([escape_formula(title)])  # a questionnaire's name is the user's text
    sheet.append(HEADERS)
    for row in rows(requirements):
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
