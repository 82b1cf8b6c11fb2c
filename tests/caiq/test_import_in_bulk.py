"""Importing a completed workbook writes every change together, in a fixed number of queries."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from accounts.models import Membership
from caiq.models import AnswerChange
from caiq.services import answer_update
from caiq.services import transfer as transfer_services
from caiq.services.transfer import ImportRefused, export_xlsx, import_workbook

from .test_transfer import fill_all

pytestmark = pytest.mark.django_db
SHEET = "CAIQv4.0.3"


def reworded(data: bytes, rows: int) -> bytes:
    """The workbook with the implementation description of its first ``rows`` questions changed."""
    workbook = load_workbook(io.BytesIO(data))
    for row in range(3, 3 + rows):
        workbook[SHEET][f"E{row}"] = f"Reworded in the workbook, row {row}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def answered(official_questionnaire, team):
    membership = fill_all(official_questionnaire, team)
    return official_questionnaire, membership, export_xlsx(official_questionnaire)


def imported_queries(questionnaire, membership, data) -> tuple[int, object]:
    user = membership.user
    with CaptureQueriesContext(connection) as queries:
        summary = import_workbook(
            questionnaire=questionnaire, data=data, user=user, membership=membership
        )
    return len(queries), summary


def test_the_query_count_is_the_same_for_26_and_261_changed_answers(answered):
    questionnaire, membership, exported = answered

    few, few_summary = imported_queries(questionnaire, membership, reworded(exported, 26))
    many, many_summary = imported_queries(questionnaire, membership, reworded(exported, 261))

    assert (few_summary.changed, many_summary.changed) == (26, 261 - 26)  # 26 were already
    assert few == many
    assert many <= 20


def test_each_changed_answer_gets_one_history_record_with_old_and_new_text(answered):
    questionnaire, membership, exported = answered
    before = AnswerChange.objects.count()

    import_workbook(
        questionnaire=questionnaire,
        data=reworded(exported, 261),
        user=membership.user,
        membership=membership,
    )

    records = AnswerChange.objects.filter(source="import").select_related("answer__question")
    assert AnswerChange.objects.count() - before == 261 == records.count()
    first = records.get(answer__question__code="A&A-01.1")
    assert first.changes["implementation"][1] == "Reworded in the workbook, row 3"
    assert first.changed_by == membership.user
    assert first.revision == first.answer.revision


def test_a_page_save_during_the_import_fails_the_whole_import_naming_the_question(
    answered, team, monkeypatch
):
    questionnaire, membership, exported = answered
    reviewer = Membership.objects.get(user=team.reviewer, organization=team.org)
    real = transfer_services.answers_bulk_update

    def page_save_lands_first(**kwargs):
        # Someone saves A&A-01.2 on the fill page after the import read the answers.
        target = questionnaire.answers.select_related("questionnaire").get(
            question__code="A&A-01.2"
        )
        answer_update(
            answer=target,
            membership=reviewer,
            user=team.reviewer,
            values={"implementation": "Saved on the page meanwhile"},
            base_revision=target.revision,
        )
        return real(**kwargs)

    monkeypatch.setattr(transfer_services, "answers_bulk_update", page_save_lands_first)
    before = {
        code: (text, revision)
        for code, text, revision in questionnaire.answers.values_list(
            "question__code", "implementation", "revision"
        )
    }

    with pytest.raises(ImportRefused) as refused:
        import_workbook(
            questionnaire=questionnaire,
            data=reworded(exported, 261),
            user=membership.user,
            membership=membership,
        )

    assert str(refused.value).startswith("A&A-01.2 changed on the page while the file was being")
    after = {
        code: (text, revision)
        for code, text, revision in questionnaire.answers.values_list(
            "question__code", "implementation", "revision"
        )
    }
    assert after.pop("A&A-01.2")[0] == "Saved on the page meanwhile"
    before.pop("A&A-01.2")
    assert after == before  # nothing of the import was written
    assert not AnswerChange.objects.filter(source="import").exists()


def test_a_questionnaire_submitted_during_the_import_takes_none_of_it(answered, monkeypatch):
    from caiq.models import Questionnaire, QuestionnaireStatus

    questionnaire, membership, exported = answered
    real = transfer_services.answers_bulk_update

    def submitted_first(**kwargs):
        Questionnaire.objects.filter(pk=questionnaire.pk).update(
            status=QuestionnaireStatus.SUBMITTED, submitted_at=datetime.date(2026, 12, 1)
        )
        return real(**kwargs)

    monkeypatch.setattr(transfer_services, "answers_bulk_update", submitted_first)
    before = list(questionnaire.answers.values_list("pk", "implementation", "revision"))

    with pytest.raises(ImportRefused) as refused:
        import_workbook(
            questionnaire=questionnaire,
            data=reworded(exported, 261),
            user=membership.user,
            membership=membership,
        )

    assert "submitted to the STAR Registry and is read-only" in str(refused.value)
    assert list(questionnaire.answers.values_list("pk", "implementation", "revision")) == before
    questionnaire.refresh_from_db()
    assert questionnaire.status == QuestionnaireStatus.SUBMITTED
