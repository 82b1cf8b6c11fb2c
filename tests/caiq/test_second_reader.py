"""LibreOffice, an independent reader, sees exactly the answers we export, and a template that
LibreOffice re-saved still exports with only its answer cells changed."""

import io

import pytest
from openpyxl import load_workbook

from caiq.services import catalog_import, questionnaire_create
from caiq.services.transfer import export_xlsx, import_workbook
from caiq.xlsx.catalog import parse_catalog
from caiq.xlsx.layout import SSRM_VALUES
from caiq.xlsx.writer import AnswerCells, fill_workbook
from tests.libreoffice import resaved_xlsx, sheet_as_rows
from tests.workbooks import official_bytes
from tests.xlsx_checks import assert_only_answer_cells_changed

from .test_workbook_writer import LEADING, PAYLOADS

TRICKY = [
    *(lead + payload for lead in LEADING for payload in PAYLOADS),
    "Two lines\nof text",
    "  leading and trailing spaces  ",
    "Quotes \"double\" and 'single', commas, semicolons;",
    "Ünïcödé — ✓ 日本語",
    "<b>not markup</b> & not an entity: &amp;",
    "_x0041_ stays as typed",
]


def _answers(codes: list[str]) -> dict[str, AnswerCells]:
    return {
        code: AnswerCells(
            ("Yes", "No", "NA")[i % 3],
            SSRM_VALUES[i % 5],
            TRICKY[i % len(TRICKY)],
            TRICKY[(i + 11) % len(TRICKY)],
        )
        for i, code in enumerate(codes)
    }


def test_libreoffice_reads_back_exactly_the_answers_we_wrote(tmp_path):
    template = official_bytes()
    catalog = parse_catalog(load_workbook(io.BytesIO(template)))
    answers = _answers([q.code for q in catalog.questions])
    exported = fill_workbook(
        template, catalog.layout, answers, {q.code: q.row for q in catalog.questions}
    )

    rows = sheet_as_rows(exported, sheet=2, folder=tmp_path)

    read = {row[0]: AnswerCells(*row[2:6]) for row in rows[2:263]}
    assert read == answers
    assert rows[1][2:6] == [
        "CSP CAIQ Answer",
        "SSRM Control Ownership",
        "CSP Implementation Description (Optional/Recommended)",
        "CSC Responsibilities  (Optional/Recommended)",
    ]


@pytest.mark.django_db
def test_a_template_resaved_by_libreoffice_still_exports_only_its_answer_cells(
    tmp_path, team, admin_membership
):
    template = resaved_xlsx(official_bytes(), tmp_path)
    version = catalog_import(data=template, filename="resaved.xlsx").version
    questionnaire = questionnaire_create(
        membership=admin_membership, version=version, name="Resaved", service_name="S"
    )
    answers = _answers(list(version.questions.values_list("code", flat=True)))
    rows = dict(version.questions.values_list("code", "row"))

    exported = fill_workbook(template, version.layout, answers, rows)

    written = assert_only_answer_cells_changed(template, exported, version.layout)
    assert len(written) == 261 * 4
    summary = import_workbook(
        questionnaire=questionnaire, data=exported, user=team.admin, membership=admin_membership
    )
    assert summary.new == 261
    assert summary.alterations == []
    again = sheet_as_rows(export_xlsx(questionnaire), sheet=2, folder=tmp_path / "again")
    assert {row[0]: AnswerCells(*row[2:6]) for row in again[2:263]} == answers


@pytest.mark.django_db
def test_an_export_resaved_by_libreoffice_imports_back_as_written(
    official_questionnaire, team, tmp_path
):
    """LibreOffice writes every text as a shared string, escaping a typed "_x000D_" as
    "_x005F_x000D_": decoded once, it comes back as typed. (LibreOffice itself turns a CR LF
    into a LF when it saves; those answers, and only those, change.)"""
    from .test_transfer import fill_all

    membership = fill_all(official_questionnaire, team)
    with_crlf = {
        code
        for code, text, csc in official_questionnaire.answers.values_list(
            "question__code", "implementation", "csc_responsibilities"
        )
        if "\r\n" in text + csc
    }
    escape_like = set(
        official_questionnaire.answers.filter(implementation__contains="_x000D_").values_list(
            "question__code", flat=True
        )
    )
    resaved = resaved_xlsx(export_xlsx(official_questionnaire), tmp_path)

    summary = import_workbook(
        questionnaire=official_questionnaire, data=resaved, user=None, membership=membership
    )

    assert len(escape_like) >= 5  # the injection matrix starts some texts with "_x000D_"
    assert not escape_like & set(summary.changed_questions)
    assert set(summary.changed_questions) == with_crlf
    assert summary.unchanged == 261 - len(with_crlf)
