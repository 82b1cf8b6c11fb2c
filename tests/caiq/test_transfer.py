"""Export to CSA's workbook and import back: all-or-nothing, history kept, idempotent."""

import io
import json

import pytest
from openpyxl import load_workbook

from accounts.models import Membership
from caiq.models import AnswerChange
from caiq.services import answer_update
from caiq.services.transfer import (
    ImportRefused,
    export_csv,
    export_json,
    export_xlsx,
    import_workbook,
)
from tests.caiq.test_workbook_writer import LEADING, PAYLOADS
from tests.hostile import HOSTILE_WORKBOOKS

pytestmark = pytest.mark.django_db

# The writer's matrix (12 leading characters x 5 payloads) plus line breaks, cycled over answers.
INJECTIONS = [*(lead + payload for lead in LEADING for payload in PAYLOADS), "a\r\nb"]


def fill_all(questionnaire, team):
    membership = Membership.objects.get(user=team.contributor, organization=team.org)
    for i, answer in enumerate(questionnaire.answers.select_related("questionnaire", "question")):
        kind = ("Yes", "No", "NA")[i % 3]
        answer_update(
            answer=answer,
            membership=membership,
            user=team.contributor,
            values={
                "answer": kind,
                "ssrm": "" if kind == "NA" else ("CSP-owned", "Shared CSP and CSC")[i % 2],
                "implementation": INJECTIONS[i % len(INJECTIONS)] + f" {answer.question.code}",
                "csc_responsibilities": INJECTIONS[(i + 7) % len(INJECTIONS)],
            },
            base_revision=answer.revision,
        )
    return membership


def test_export_then_import_of_a_fully_answered_questionnaire_changes_nothing(
    official_questionnaire, team
):
    membership = fill_all(official_questionnaire, team)
    history = AnswerChange.objects.count()

    summary = import_workbook(
        questionnaire=official_questionnaire,
        data=export_xlsx(official_questionnaire),
        user=team.contributor,
        membership=membership,
    )

    assert (summary.new, summary.changed, summary.unchanged) == (0, 0, 261)
    assert AnswerChange.objects.count() == history


def test_an_import_applies_new_answers_with_history_and_twice_changes_nothing(
    official_questionnaire, team
):
    filled = fill_all(official_questionnaire, team)
    data = export_xlsx(official_questionnaire)
    target = official_questionnaire.organization.questionnaires.create(
        version=official_questionnaire.version, name="Fresh", service_name="S"
    )
    target.answers.bulk_create(
        type(a)(questionnaire=target, question=a.question)
        for a in official_questionnaire.answers.select_related("question")
    )

    first = import_workbook(
        questionnaire=target, data=data, user=team.contributor, membership=filled
    )
    second = import_workbook(
        questionnaire=target, data=data, user=team.contributor, membership=filled
    )

    assert (first.new, first.changed, first.unchanged) == (261, 0, 0)
    assert (second.new, second.changed, second.unchanged) == (0, 0, 261)
    assert AnswerChange.objects.filter(answer__questionnaire=target, source="import").count() == 261
    original = {a.question.code: (a.answer, a.ssrm, a.implementation, a.csc_responsibilities)
                for a in official_questionnaire.answers.select_related("question")}  # fmt: skip
    imported = {a.question.code: (a.answer, a.ssrm, a.implementation, a.csc_responsibilities)
                for a in target.answers.select_related("question")}  # fmt: skip
    assert imported == original  # formula-like and CR texts came back byte-identical


def test_prose_spellings_are_accepted_and_stored_as_dropdown_strings(official_questionnaire, team):
    membership = Membership.objects.get(user=team.contributor, organization=team.org)
    workbook = load_workbook(io.BytesIO(export_xlsx(official_questionnaire)))
    sheet = workbook["CAIQv4.0.3"]
    sheet["C3"], sheet["D3"] = "N/A", None
    sheet["C4"], sheet["D4"] = "yes", "Third-party outsourced"
    sheet["C5"], sheet["D5"] = "No", "Shared CSP and third party"
    buffer = io.BytesIO()
    workbook.save(buffer)

    import_workbook(
        questionnaire=official_questionnaire,
        data=buffer.getvalue(),
        user=None,
        membership=membership,
    )

    got = list(
        official_questionnaire.answers.order_by("question__position")[:3].values_list(
            "answer", "ssrm"
        )
    )
    assert got == [("NA", ""), ("Yes", "3rd-party outsourced"), ("No", "Shared CSP and 3rd-party")]


def bad_cells(edits):
    def build(questionnaire):
        workbook = load_workbook(io.BytesIO(export_xlsx(questionnaire)))
        for coordinate, value in edits.items():
            workbook["CAIQv4.0.3"][coordinate] = value
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()

    return build


ROW_PROBLEMS = {
    "unknown answer": (
        bad_cells({"C3": "Maybe"}),
        "row 3, column C: 'Maybe' is not a valid CSP CAIQ Answer",
    ),
    "unknown ssrm": (bad_cells({"D4": "Vendor"}), "row 4, column D: 'Vendor' is not a valid SSRM"),
    "formula": (
        bad_cells({"E5": "=1+1"}),
        "row 5, column E: CSP Implementation Description holds a formula",
    ),
    "malformed id": (
        bad_cells({"A6": "A&A-1.1"}),
        "row 6, column A: 'A&A-1.1' is not a question ID",
    ),
    "duplicate id": (bad_cells({"A7": "A&A-01.1"}), "row 7, column A: A&A-01.1 appears twice"),
    "unknown id": (
        bad_cells({"A8": "ZZZ-01.1"}),
        "row 8, column A: ZZZ-01.1 is not a question of CAIQ v4.0.3",
    ),
    # An escape that decodes to half a UTF-16 pair: refused, not a crash when it is stored.
    "lone surrogate": (
        bad_cells({"F10": "x_xD800_y"}),
        "row 10, column F: CSC responsibilities contains U+D800, half of a character",
    ),
    # openpyxl cannot write a raw control character; Excel's escaped form reads back as one.
    "control character": (
        bad_cells({"F9": "bell_x0007_"}),
        "row 9, column F: CSC responsibilities contains the control character U+0007",
    ),
}


@pytest.mark.parametrize("case", sorted(ROW_PROBLEMS))
def test_a_bad_row_refuses_the_whole_import_with_row_column_and_reason(
    official_questionnaire, team, case
):
    build, reason = ROW_PROBLEMS[case]
    data = build(official_questionnaire)
    before = list(official_questionnaire.answers.values_list("id", "revision"))

    with pytest.raises(ImportRefused) as refused:
        import_workbook(questionnaire=official_questionnaire, data=data, user=None, membership=None)

    assert any(reason in str(error) for error in refused.value.errors), refused.value.errors
    assert list(official_questionnaire.answers.values_list("id", "revision")) == before


@pytest.mark.parametrize("case", sorted(HOSTILE_WORKBOOKS))
def test_a_hostile_workbook_is_refused_and_nothing_is_written(official_questionnaire, case):
    before = AnswerChange.objects.count()

    with pytest.raises(ImportRefused) as refused:
        import_workbook(
            questionnaire=official_questionnaire,
            data=HOSTILE_WORKBOOKS[case](),
            user=None,
            membership=None,
        )

    assert str(refused.value)
    assert AnswerChange.objects.count() == before


def test_a_workbook_of_another_version_is_refused(official_questionnaire):
    with pytest.raises(ImportRefused, match=r"this questionnaire is CAIQ v4\.0\.3"):
        import_workbook(
            questionnaire=official_questionnaire,
            data=_other_version_bytes(),
            user=None,
            membership=None,
        )


def _other_version_bytes():
    from caiq.xlsx.builder import build_caiq_xlsx
    from tests.caiq.conftest import ten_question_structure

    return build_caiq_xlsx(ten_question_structure("4.1.0"))


def test_csv_export_neutralises_formulas_and_json_keeps_text(official_questionnaire, team):
    import csv

    fill_all(official_questionnaire, team)

    rows = list(csv.reader(io.StringIO(export_csv(official_questionnaire).decode("utf-8-sig"))))
    document = json.loads(export_json(official_questionnaire))

    assert rows[0][0] == "Question ID"
    assert len(rows) == 1 + 261
    cells = [cell for row in rows[1:] for cell in row[1:]]
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r", "\uff1d"))]
    assert any(c.startswith("'=HYPERLINK") for c in cells)
    assert document["answers"][0]["implementation"] == INJECTIONS[0] + " A&A-01.1"
    assert len(document["answers"]) == 261


def test_each_bad_cell_is_reported_once(official_questionnaire):
    data = bad_cells({"C3": "Maybe", "D4": "Vendor"})(official_questionnaire)

    with pytest.raises(ImportRefused) as refused:
        import_workbook(questionnaire=official_questionnaire, data=data, user=None, membership=None)

    assert [str(e) for e in refused.value.errors] == [
        "row 3, column C: 'Maybe' is not a valid CSP CAIQ Answer: use Yes, No or NA.",
        "row 4, column D: 'Vendor' is not a valid SSRM Control Ownership: use CSP-owned, "
        "CSC-owned, 3rd-party outsourced, Shared CSP and CSC or Shared CSP and 3rd-party.",
    ]
