"""export_caiq and import_caiq: the transfer services from the command line."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from accounts.models import Role
from caiq.models import AnswerChange, Questionnaire
from caiq.xlsx.builder import build_caiq_xlsx
from tests.factories import MembershipFactory

from .conftest import ten_question_structure
from .test_transfer import fill_all

pytestmark = pytest.mark.django_db

SHEET = "CAIQv4.0.3"


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def export_to(tmp_path, questionnaire, name="out.xlsx"):
    path = tmp_path / name
    run("export_caiq", str(questionnaire.pk), str(path))
    return path


def edit_cells(path, edits: dict[str, str | None]):
    workbook = load_workbook(path)
    for coordinate, value in edits.items():
        workbook[SHEET][coordinate] = value
    workbook.save(path)
    return path


def test_export_writes_the_workbook_and_says_it_is_ready(tmp_path, questionnaire, team):
    fill_all(questionnaire, team)
    path = tmp_path / "acme.xlsx"

    out = run("export_caiq", str(questionnaire.pk), str(path))

    assert out.strip() == (
        f"Exported Acme Storage 2026 (CAIQ v4.0.3, 261 answers) to {path}; STAR readiness: ready"
    )
    sheet = load_workbook(path)[SHEET]
    assert (sheet["A3"].value, sheet["C3"].value, sheet["D3"].value) == (
        "A&A-01.1",
        "Yes",
        "CSP-owned",
    )


def test_export_of_an_unfinished_questionnaire_lists_twenty_findings(tmp_path, questionnaire):
    out = run("export_caiq", str(questionnaire.pk), str(tmp_path / "acme.xlsx"))

    lines = out.splitlines()
    assert lines[0].endswith("STAR readiness: not ready: 261 findings")
    assert lines[1] == "  - A&A-01.1: Not answered."
    assert len([line for line in lines if line.startswith("  - ")]) == 20
    assert lines[-1] == "  and 241 more"
    assert (tmp_path / "acme.xlsx").exists()


def test_export_infers_csv_and_json_from_the_extension(tmp_path, questionnaire, team):
    fill_all(questionnaire, team)

    run("export_caiq", str(questionnaire.pk), str(tmp_path / "a.csv"))
    run("export_caiq", str(questionnaire.pk), str(tmp_path / "a.json"))

    lines = (tmp_path / "a.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("Question ID,CSP CAIQ Answer")
    assert lines[1].startswith("A&A-01.1,Yes,CSP-owned,")
    document = json.loads((tmp_path / "a.json").read_bytes())
    assert document["caiq_version"] == "4.0.3"
    assert len(document["answers"]) == 261


def test_format_overrides_the_extension(tmp_path, questionnaire):
    run("export_caiq", str(questionnaire.pk), str(tmp_path / "answers.txt"), "--format", "json")

    assert json.loads((tmp_path / "answers.txt").read_bytes())["questionnaire"] == (
        "Acme Storage 2026"
    )


def test_export_of_a_missing_questionnaire_fails_with_the_reason(tmp_path, questionnaire):
    with pytest.raises(CommandError, match="There is no questionnaire 999999"):
        run("export_caiq", "999999", str(tmp_path / "x.xlsx"))
    assert not (tmp_path / "x.xlsx").exists()


def test_export_to_an_unknown_extension_asks_for_a_format(tmp_path, questionnaire):
    with pytest.raises(CommandError, match="use --format"):
        run("export_caiq", str(questionnaire.pk), str(tmp_path / "x.pdf"))


def test_export_fails_with_the_reason_when_the_template_is_gone(tmp_path, questionnaire):
    questionnaire.version.template.delete(save=False)

    with pytest.raises(CommandError, match="The export failed"):
        run("export_caiq", str(questionnaire.pk), str(tmp_path / "x.xlsx"))


def test_new_creates_a_questionnaire_and_imports_the_workbook(tmp_path, questionnaire, team):
    fill_all(questionnaire, team)
    path = export_to(tmp_path, questionnaire)

    out = run("import_caiq", str(path), "--organization", "acme", "--new", "Acme Storage 2027")

    assert out.strip() == "Acme Storage 2027: Imported: 261 new, 0 changed, 0 unchanged answers."
    created = Questionnaire.objects.get(name="Acme Storage 2027")
    assert (created.organization, created.version) == (team.org, questionnaire.version)
    history = AnswerChange.objects.filter(answer__questionnaire=created)
    assert history.count() == 261
    assert set(history.values_list("source", "changed_by")) == {("import", team.admin.pk)}
    first = created.answers.get(question__code="A&A-01.1")
    assert (first.answer, first.ssrm) == ("Yes", "CSP-owned")


def test_importing_into_an_existing_questionnaire_reports_what_changed(
    tmp_path, questionnaire, team
):
    fill_all(questionnaire, team)
    path = edit_cells(export_to(tmp_path, questionnaire), {"E4": "Rewritten."})

    out = run(
        "import_caiq",
        str(path),
        "--organization",
        "acme",
        "--questionnaire",
        str(questionnaire.pk),
        "--as",
        team.contributor.email,
    )

    assert out.strip() == ("Acme Storage 2026: Imported: 0 new, 1 changed, 260 unchanged answers.")
    change = AnswerChange.objects.filter(source="import").get()
    assert change.changed_by == team.contributor
    assert change.changes["implementation"][1] == "Rewritten."


def test_a_refused_import_leaves_no_new_questionnaire_and_lists_row_column_reason(
    tmp_path, questionnaire
):
    path = edit_cells(export_to(tmp_path, questionnaire), {"C3": "Maybe", "D5": "Vendor"})

    with pytest.raises(CommandError) as refused:
        run("import_caiq", str(path), "--organization", "acme", "--new", "Doomed")

    message = str(refused.value)
    assert message.startswith("Nothing was imported: ")
    assert "  - row 3, column C: 'Maybe' is not a valid CSP CAIQ Answer" in message
    assert "  - row 5, column D: 'Vendor' is not a valid SSRM Control Ownership" in message
    assert not Questionnaire.objects.filter(name="Doomed").exists()
    assert not AnswerChange.objects.exists()


def test_more_than_fifty_problems_are_cut_with_a_count(tmp_path, questionnaire):
    path = edit_cells(
        export_to(tmp_path, questionnaire), {f"A{row}": f"X-{row}" for row in range(3, 63)}
    )

    with pytest.raises(CommandError) as refused:
        run(
            "import_caiq",
            str(path),
            "--organization",
            "acme",
            "--questionnaire",
            str(questionnaire.pk),
        )

    lines = str(refused.value).splitlines()
    assert lines[0] == "Nothing was imported: 60 problem(s) in out.xlsx."
    assert lines[1] == "  - row 3, column A: 'X-3' is not a question ID."
    assert len([line for line in lines if line.startswith("  - row ")]) == 50
    assert lines[-1] == "  and 10 more"
    assert not AnswerChange.objects.exists()


def test_a_questionnaire_of_another_organisation_is_refused(tmp_path, questionnaire, team):
    path = export_to(tmp_path, questionnaire)

    with pytest.raises(CommandError, match=f"Globex has no questionnaire {questionnaire.pk}"):
        run(
            "import_caiq",
            str(path),
            "--organization",
            "globex",
            "--questionnaire",
            str(questionnaire.pk),
        )


def test_new_needs_the_workbooks_catalog_version_loaded(tmp_path, team, questionnaire):
    path = tmp_path / "v9.xlsx"
    path.write_bytes(build_caiq_xlsx(ten_question_structure("9.0.0")))

    with pytest.raises(CommandError, match=r"CAIQ v9\.0\.0, which is not loaded"):
        run("import_caiq", str(path), "--organization", "acme", "--new", "Future")
    assert not Questionnaire.objects.filter(name="Future").exists()


def test_a_viewer_cannot_create_a_questionnaire(tmp_path, questionnaire, team):
    path = export_to(tmp_path, questionnaire)

    with pytest.raises(CommandError, match="Only an admin or above can create questionnaires"):
        run(
            "import_caiq",
            str(path),
            "--organization",
            "acme",
            "--new",
            "Viewer's",
            "--as",
            team.viewer.email,
        )
    assert Questionnaire.objects.count() == 1


def test_the_acting_member_must_belong_to_the_organisation(tmp_path, questionnaire, team):
    path = export_to(tmp_path, questionnaire)

    with pytest.raises(CommandError, match="is not a member of Acme Cloud"):
        run(
            "import_caiq",
            str(path),
            "--organization",
            "acme",
            "--questionnaire",
            str(questionnaire.pk),
            "--as",
            team.outsider.email,
        )


def test_without_as_the_command_acts_as_the_first_admin(tmp_path, questionnaire, team):
    MembershipFactory(organization=team.org, role=Role.ADMIN)  # joined later
    fill_all(questionnaire, team)
    path = export_to(tmp_path, questionnaire)

    run("import_caiq", str(path), "--organization", "acme", "--new", "By the first admin")

    created = Questionnaire.objects.get(name="By the first admin")
    assert set(
        AnswerChange.objects.filter(answer__questionnaire=created).values_list(
            "changed_by", flat=True
        )
    ) == {team.admin.pk}
