"""Answers as a flat table in the admin: export what staff see, import through the service.

Every import row that changes an answer goes through answer_update (source "admin"): same value
rules, same revision check, one history record each, nothing written until confirmed and
nothing at all when any row is refused.
"""

import csv
import io

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Membership
from audit.models import AuditEvent, EventKind
from caiq.models import Answer, AnswerChange
from caiq.services import answer_update
from tests.hostile import HOSTILE_WORKBOOKS

pytestmark = pytest.mark.django_db

COLUMNS = [
    "questionnaire_id",
    "question_code",
    "answer",
    "ssrm",
    "implementation",
    "csc_responsibilities",
    "internal_notes",
    "revision",
]
CSV_FORMAT = "0"


def make_staff(client, user):
    user.is_staff = True
    user.save()
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="caiq", codename__in=["view_answer", "change_answer"]
        )
    )
    client.force_login(user)
    return client


@pytest.fixture
def staff_of_acme(client, team):
    return make_staff(client, team.admin)


@pytest.fixture
def staff_of_globex(client, team):
    return make_staff(client, team.outsider)


def export_csv(client, **extra) -> list[dict]:
    response = client.post(
        reverse("admin:caiq_answer_export"),
        {
            "format": CSV_FORMAT,
            "resource": "0",
            **{f"answerresource_{column}": "on" for column in COLUMNS},
            **extra,
        },
    )
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def to_csv(rows: list[dict]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


def edited(rows: list[dict], changes: dict[str, dict]) -> list[dict]:
    return [{**row, **changes.get(row["question_code"], {})} for row in rows]


def upload(client, rows: list[dict]):
    """The dry run: django-import-export's preview page."""
    return client.post(
        reverse("admin:caiq_answer_import"),
        {
            "format": CSV_FORMAT,
            "resource": "0",
            "import_file": SimpleUploadedFile("answers.csv", to_csv(rows), "text/csv"),
        },
    )


def confirm(client, preview):
    form = preview.context["confirm_form"]
    return client.post(reverse("admin:caiq_answer_process_import"), form.initial)


def contents(questionnaire) -> dict:
    return {
        a.question.code: (a.answer, a.ssrm, a.implementation, a.internal_notes, a.revision)
        for a in questionnaire.answers.select_related("question")
    }


def contributor_edit(team, questionnaire, code, values):
    answer = questionnaire.answers.select_related("questionnaire").get(question__code=code)
    return answer_update(
        answer=answer,
        membership=Membership.objects.get(user=team.contributor, organization=team.org),
        user=team.contributor,
        values=values,
        base_revision=answer.revision,
    )


def test_the_admin_exports_every_answer_with_the_import_columns(staff_of_acme, questionnaire):
    rows = export_csv(staff_of_acme)

    assert list(rows[0]) == COLUMNS
    assert len(rows) == 261
    assert rows[0] == {
        "questionnaire_id": str(questionnaire.pk),
        "question_code": "A&A-01.1",
        "answer": "",
        "ssrm": "",
        "implementation": "",
        "csc_responsibilities": "",
        "internal_notes": "",
        "revision": "1",
    }


def test_the_export_action_exports_only_the_selected_answers(staff_of_acme, questionnaire):
    picked = list(questionnaire.answers.order_by("question__position")[:2])

    rows = export_csv(staff_of_acme, export_items=[a.pk for a in picked])

    assert [r["question_code"] for r in rows] == ["A&A-01.1", "A&A-01.2"]


def test_an_admin_import_writes_nothing_until_confirmed_then_one_admin_change_per_answer(
    staff_of_acme, questionnaire, team
):
    rows = export_csv(staff_of_acme)
    before = contents(questionnaire)
    changes = {
        "A&A-01.1": {"answer": "Yes", "ssrm": "CSP-owned", "implementation": "Audited yearly."},
        "AIS-01.1": {"answer": "NA", "implementation": "No APIs offered."},
        "BCR-01.1": {"internal_notes": "Ask legal."},
    }

    preview = upload(staff_of_acme, edited(rows, changes))

    assert preview.status_code == 200
    assert preview.context["result"].totals["update"] == 3
    assert preview.context["result"].totals["skip"] == 258
    assert contents(questionnaire) == before
    assert not AnswerChange.objects.exists()

    response = confirm(staff_of_acme, preview)

    assert response.status_code == 302
    history = AnswerChange.objects.select_related("answer__question")
    assert sorted(c.answer.question.code for c in history) == sorted(changes)
    assert {c.source for c in history} == {"admin"}
    assert {c.changed_by for c in history} == {team.admin}
    first = history.get(answer__question__code="A&A-01.1")
    assert first.changes["implementation"] == ["", "Audited yearly."]
    after = contents(questionnaire)
    assert after["A&A-01.1"] == ("Yes", "CSP-owned", "Audited yearly.", "", 2)
    assert after["AIS-01.1"] == ("NA", "", "No APIs offered.", "", 2)
    assert after["BCR-01.1"] == ("", "", "", "Ask legal.", 2)
    assert {k: v for k, v in after.items() if k not in changes} == {
        k: v for k, v in before.items() if k not in changes
    }


def test_the_admins_export_and_confirmed_import_are_in_the_audit_log(
    staff_of_acme, questionnaire, team
):
    rows = export_csv(staff_of_acme)
    preview = upload(staff_of_acme, edited(rows, {"A&A-01.1": {"answer": "NA"}}))
    assert not AuditEvent.objects.filter(kind=EventKind.ANSWERS_IMPORTED).exists()  # preview

    confirm(staff_of_acme, preview)

    exported = AuditEvent.objects.get(kind=EventKind.EXPORT_DOWNLOADED)
    imported = AuditEvent.objects.get(kind=EventKind.ANSWERS_IMPORTED)
    assert (exported.actor, exported.organization, exported.details) == (
        team.admin,
        team.org,
        {"answers": 261, "via": "admin"},
    )
    assert (imported.actor, imported.target_id, imported.details) == (
        team.admin,
        str(questionnaire.pk),
        {"changed": 1, "via": "admin"},
    )


def test_an_invalid_value_is_reported_on_its_row_and_nothing_is_written(
    staff_of_acme, questionnaire
):
    rows = export_csv(staff_of_acme)
    before = contents(questionnaire)
    bad = edited(
        rows,
        {
            "A&A-01.1": {"answer": "Yes", "ssrm": "CSP-owned"},
            "A&A-01.2": {"answer": "Maybe"},
        },
    )

    preview = upload(staff_of_acme, bad)

    assert "&#x27;Maybe&#x27; is not a CAIQ answer" in preview.text
    (invalid,) = preview.context["result"].invalid_rows
    assert invalid.number == 2
    assert "answer" in invalid.field_specific_errors
    assert "confirm_form" not in preview.context
    assert contents(questionnaire) == before
    assert not AnswerChange.objects.exists()


def test_a_stale_revision_is_reported_and_nothing_is_written(staff_of_acme, questionnaire, team):
    rows = export_csv(staff_of_acme)
    contributor_edit(team, questionnaire, "A&A-01.2", {"answer": "No", "ssrm": "CSC-owned"})
    before = contents(questionnaire)
    history = AnswerChange.objects.count()

    preview = upload(
        staff_of_acme,
        edited(
            rows,
            {
                "A&A-01.1": {"answer": "Yes", "ssrm": "CSP-owned"},
                "A&A-01.2": {"answer": "Yes", "ssrm": "CSP-owned"},
            },
        ),
    )

    assert "A&amp;A-01.2 was changed by someone else" in preview.text
    assert "confirm_form" not in preview.context
    assert contents(questionnaire) == before
    assert AnswerChange.objects.count() == history


def test_a_change_made_between_preview_and_confirmation_undoes_the_whole_import(
    staff_of_acme, questionnaire, team
):
    rows = export_csv(staff_of_acme)
    preview = upload(
        staff_of_acme,
        edited(
            rows,
            {
                "A&A-01.1": {"answer": "Yes", "ssrm": "CSP-owned"},
                "A&A-01.2": {"answer": "Yes", "ssrm": "CSP-owned"},
            },
        ),
    )
    contributor_edit(team, questionnaire, "A&A-01.2", {"answer": "No", "ssrm": "CSC-owned"})
    before = contents(questionnaire)

    confirm(staff_of_acme, preview)

    assert contents(questionnaire) == before
    assert AnswerChange.objects.count() == 1
    assert not AuditEvent.objects.filter(kind=EventKind.ANSWERS_IMPORTED).exists()


def test_formula_like_text_is_exported_quoted_and_an_unchanged_reimport_changes_nothing(
    staff_of_acme, questionnaire, team
):
    contributor_edit(team, questionnaire, "A&A-01.1", {"implementation": "=HYPERLINK(x)"})
    contributor_edit(team, questionnaire, "A&A-01.2", {"internal_notes": "'quoted"})
    rows = export_csv(staff_of_acme)

    preview = upload(staff_of_acme, rows)
    confirm(staff_of_acme, preview)

    assert rows[0]["implementation"] == "'=HYPERLINK(x)"
    assert rows[1]["internal_notes"] == "''quoted"
    assert preview.context["result"].totals["skip"] == 261
    assert AnswerChange.objects.count() == 2


def test_a_staff_user_of_another_organisation_cannot_update_acme_answers(
    client, team, questionnaire
):
    acme_rows = export_csv(make_staff(client, team.admin))
    before = contents(questionnaire)
    globex = make_staff(client, team.outsider)

    visible = export_csv(globex)
    preview = upload(globex, edited(acme_rows, {"A&A-01.1": {"answer": "NA"}}))

    assert visible == []
    result = preview.context["result"]
    assert len(result.invalid_rows) == 261
    assert "No answer A&amp;A-01.1 in questionnaire" in preview.text
    assert "confirm_form" not in preview.context
    assert contents(questionnaire) == before
    assert not AnswerChange.objects.exists()


def test_a_row_for_a_missing_answer_is_refused_rather_than_created(staff_of_acme, questionnaire):
    rows = export_csv(staff_of_acme)
    ghost = {**rows[0], "question_code": "ZZZ-99.9", "answer": "Yes"}

    preview = upload(staff_of_acme, [*rows, ghost])

    assert "No answer ZZZ-99.9" in preview.text
    assert "confirm_form" not in preview.context
    assert Answer.objects.count() == 261


def test_the_answer_changelist_offers_import_export_and_the_workflow_actions(staff_of_acme):
    page = staff_of_acme.get(reverse("admin:caiq_answer_changelist"))

    assert reverse("admin:caiq_answer_import") in page.text
    assert reverse("admin:caiq_answer_export") in page.text
    actions = {value for value, _label in page.context["action_form"].fields["action"].choices}
    assert {"assign", "mark_ready", "approve", "export_admin_action"} <= actions


def test_a_superuser_outside_the_organisation_imports_through_the_service(
    client, questionnaire, django_user_model
):
    root = django_user_model.objects.create_superuser(email="root@example.test", password="x")
    client.force_login(root)
    rows = export_csv(client)

    confirm(client, upload(client, edited(rows, {"A&A-01.1": {"answer": "NA"}})))

    change = AnswerChange.objects.get()
    assert (change.source, change.changed_by, change.changes["answer"]) == (
        "admin",
        root,
        ["", "NA"],
    )


def test_an_exported_xlsx_reimports_unchanged(staff_of_acme, questionnaire):
    response = staff_of_acme.post(
        reverse("admin:caiq_answer_export"),
        {
            "format": "1",
            "resource": "0",
            **{f"answerresource_{column}": "on" for column in COLUMNS},
        },
    )

    preview = staff_of_acme.post(
        reverse("admin:caiq_answer_import"),
        {
            "format": "1",
            "resource": "0",
            "import_file": SimpleUploadedFile("answers.xlsx", response.content),
        },
    )

    assert preview.context["result"].totals["skip"] == 261
    assert "confirm_form" in preview.context


def test_a_hostile_xlsx_is_refused_with_the_guards_reason(staff_of_acme, questionnaire):
    preview = staff_of_acme.post(
        reverse("admin:caiq_answer_import"),
        {
            "format": "1",
            "resource": "0",
            "import_file": SimpleUploadedFile("bomb.xlsx", HOSTILE_WORKBOOKS["zip_bomb"]()),
        },
    )

    assert "zip bomb" in preview.text
    assert "result" not in preview.context
    assert not AnswerChange.objects.exists()


def test_the_answer_change_page_keeps_its_form_and_offers_an_export(staff_of_acme, questionnaire):
    answer = questionnaire.answers.first()

    page = staff_of_acme.get(reverse("admin:caiq_answer_change", args=[answer.pk]))

    assert page.status_code == 200
    assert 'name="base_revision"' in page.text
    assert 'name="_export-item"' in page.text
