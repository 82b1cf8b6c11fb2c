import copy

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import Membership
from caiq.models import Answer, AnswerChange, CarryOver, ReviewStatus
from caiq.services import answer_update, catalog_import, questionnaire_copy_forward
from caiq.xlsx.builder import build_caiq_xlsx, load_structure, placeholder_question

pytestmark = pytest.mark.django_db

REWORDED = {"CEK-19.1", "A&A-02.1"}
GONE = "UEM-14.1"
NEW = "UEM-14.2"


@pytest.fixture
def newer_catalog(sample_catalog):
    """A later release: CEK-19.1 and A&A-02.1 reworded, UEM-14.1 replaced by UEM-14.2."""
    structure = copy.deepcopy(load_structure())
    structure = type(structure)(caiq_version="4.0.9", domains=structure.domains)
    uem = structure.domains[-1]
    uem[2][-1] = ("UEM-14", [NEW])

    def text(code):
        return f"Reworded {code}" if code in REWORDED else placeholder_question(code)

    data = build_caiq_xlsx(structure, question_text=text)
    return catalog_import(data=data, filename="newer.xlsx").version


@pytest.fixture
def answered(questionnaire, team):
    membership = Membership.objects.get(user=team.contributor, organization=team.org)
    for i, answer in enumerate(questionnaire.answers.select_related("questionnaire")):
        answer_update(
            answer=answer,
            membership=membership,
            user=team.contributor,
            values={
                "answer": ("Yes", "No", "NA")[i % 3],
                "ssrm": "" if i % 3 == 2 else "CSP-owned",
                "implementation": f"How we meet {answer.question_id}",
                "internal_notes": "keep",
            },
            base_revision=answer.revision,
        )
    return questionnaire


def copy_into(source, version, team, name="Next year"):
    return questionnaire_copy_forward(
        source=source,
        membership=Membership.objects.get(user=team.admin, organization=team.org),
        user=team.admin,
        version=version,
        name=name,
    )


def fields(answer):
    return (
        answer.answer,
        answer.ssrm,
        answer.implementation,
        answer.csc_responsibilities,
        answer.internal_notes,
    )


def test_copying_into_the_same_version_keeps_every_answer(answered, sample_catalog, team):
    target = copy_into(answered, sample_catalog, team)

    old = {a.question.code: fields(a) for a in answered.answers.select_related("question")}
    new = {a.question.code: fields(a) for a in target.answers.select_related("question")}
    assert new == old
    assert len(new) == 261
    assert set(target.answers.values_list("review_status", flat=True)) == {ReviewStatus.READY}
    assert not target.answers.exclude(carry_over="").exists()
    assert target.copied_from == answered


def test_copying_into_a_newer_version_flags_changed_and_new_questions(
    answered, newer_catalog, team
):
    target = copy_into(answered, newer_catalog, team)

    flags = dict(target.answers.exclude(carry_over="").values_list("question__code", "carry_over"))
    assert flags == {
        "CEK-19.1": CarryOver.TEXT_CHANGED,
        "A&A-02.1": CarryOver.TEXT_CHANGED,
        NEW: CarryOver.NEW_QUESTION,
    }
    carried = target.answers.exclude(question__code=NEW)
    assert carried.exclude(answer="").count() == 260  # every shared question ID kept its answer
    assert target.answers.get(question__code=NEW).answer == ""
    assert not target.answers.filter(question__code=GONE).exists()


def test_each_carried_answer_gets_one_history_record(answered, sample_catalog, team):
    target = copy_into(answered, sample_catalog, team)

    changes = AnswerChange.objects.filter(answer__questionnaire=target)
    assert changes.count() == 261
    sample = changes.filter(answer__question__code="A&A-01.1").get()
    assert sample.source == "copy"
    assert sample.changes["answer"] == ["", "Yes"]
    assert sample.changes["review_status"] == ["", "ready_for_review"]


def test_copying_back_to_an_older_version_is_refused(answered, newer_catalog, sample_catalog, team):
    newer = copy_into(answered, newer_catalog, team)

    with pytest.raises(ValidationError, match="same or a newer"):
        copy_into(newer, sample_catalog, team, name="Backwards")


def test_the_copy_page_creates_and_opens_the_new_questionnaire(client, answered, team):
    client.force_login(team.admin)

    response = client.post(
        reverse("caiq:copy", args=[answered.pk]),
        {"name": "Storage 2027", "version": "4.0.3", "step": "create"},
    )

    target = answered.organization.questionnaires.get(name="Storage 2027")
    assert response.status_code == 302
    assert response.url == reverse("caiq:fill", args=[target.pk])
    assert Answer.objects.filter(questionnaire=target).exclude(answer="").count() == 261


def test_only_admins_copy_forward(client, answered, team):
    client.force_login(team.reviewer)

    response = client.post(
        reverse("caiq:copy", args=[answered.pk]), {"name": "x", "version": "4.0.3"}
    )

    assert response.status_code == 403


def test_the_preview_counts_carried_changed_new_and_gone_and_writes_nothing(
    client, answered, newer_catalog, team
):
    from caiq.models import Questionnaire

    client.force_login(team.admin)
    before = (Questionnaire.objects.count(), AnswerChange.objects.count())

    response = client.post(
        reverse("caiq:copy", args=[answered.pk]),
        {"name": "Storage v4.0.9", "version": "4.0.9", "step": "preview"},
    )

    assert response.status_code == 200
    counts = response.context["plan"].counts
    # 261 questions before; two reworded, one replaced by a new one: 261 in the new version.
    assert counts == {"unchanged": 258, "changed": 2, "new": 1, "gone": 1}
    assert (Questionnaire.objects.count(), AnswerChange.objects.count()) == before
    text = response.text
    assert "<del>Sample question CEK-19.1. Load" in text  # the old wording, struck out
    assert "<ins>Reworded CEK-19.1</ins>" in text
    assert 'value="create"' in text  # confirming writes, in a second request


def test_the_copy_page_offers_the_newest_catalog_version(client, answered, newer_catalog, team):
    client.force_login(team.admin)

    form = client.get(reverse("caiq:copy", args=[answered.pk])).context["form"]

    assert form.initial["version"] == newer_catalog


def test_confirming_a_flagged_answer_clears_the_flag_in_the_history(
    client, answered, newer_catalog, team
):
    target = copy_into(answered, newer_catalog, team)
    flagged = target.answers.get(question__code="CEK-19.1")
    client.force_login(team.contributor)

    response = client.post(
        reverse("caiq:answer_review", args=[target.pk, flagged.pk, "confirm"]),
        headers={"HX-Request": "true"},
    )

    flagged.refresh_from_db()
    assert response.status_code == 200
    assert flagged.carry_over == ""
    last = flagged.changes.order_by("-revision").first()
    assert last.changes == {"carry_over": [CarryOver.TEXT_CHANGED, ""]}
    assert target.answers.exclude(carry_over="").count() == 2  # the other two still to confirm


def test_a_v4_0_questionnaire_states_the_v4_1_deadline(client, answered, team):
    client.force_login(team.admin)

    page = client.get(reverse("caiq:fill", args=[answered.pk])).text

    assert "CSA accepts only CAIQ v4.1 for new STAR Registry entries after December 2027" in page


def test_word_diff_marks_removed_and_added_words():
    from caiq.carry_over import word_diff

    before, after = word_diff("Do you <encrypt> data at rest?", "Do you encrypt all data?")

    assert str(before) == "Do you <del>&lt;encrypt&gt; data at rest?</del>"
    assert str(after) == "Do you <ins>encrypt all data?</ins>"


NEW_IN_V41 = ["AIS-08", "DCS-16", "DCS-17", "DCS-18", "LOG-14", "SEF-09", "SEF-10", "STA-15",
              "STA-16", "TVM-11", "TVM-12"]  # fmt: skip
REWORDED_IN_V41 = {"A&A-01.1", "BCR-02.1", "UEM-14.1"}


@pytest.fixture
def v41_like_catalog(sample_catalog):
    """The project's own v4.1-shaped catalog: the v4.0.3 sample with IAM-16 removed, CSA's 11
    new v4.1 controls added (one question each), further questions added to existing controls
    up to v4.1's 283 (207 controls, 17 domains, as the importer checks), three reworded."""
    structure = copy.deepcopy(load_structure())
    domains = []
    for code, title, controls in structure.domains:
        controls = [(c, list(qs)) for c, qs in controls if c != "IAM-16"]
        controls += [(c, [f"{c}.1"]) for c in NEW_IN_V41 if c.rsplit("-", 1)[0] == code]
        domains.append((code, title, controls))
    count = sum(len(qs) for _d, _t, controls in domains for _c, qs in controls)
    for _code, _title, controls in domains:  # one more question per control until 283
        for control, questions in controls:
            if count < 283 and control not in NEW_IN_V41:
                questions.append(f"{control}.{len(questions) + 1}")
                count += 1

    def text(code):
        return (
            f"Reworded for 4.1: {code}" if code in REWORDED_IN_V41 else placeholder_question(code)
        )

    v41 = type(structure)(caiq_version="4.1.0", domains=domains)
    return catalog_import(
        data=build_caiq_xlsx(v41, question_text=text), filename="v41.xlsx"
    ).version


def test_moving_to_the_v4_1_fixture_counts_what_the_two_catalogs_differ_by(
    client, answered, v41_like_catalog, team
):
    old_codes = set(answered.version.questions.values_list("code", flat=True))
    new_codes = set(v41_like_catalog.questions.values_list("code", flat=True))
    gone = old_codes - new_codes
    client.force_login(team.admin)

    preview = client.post(
        reverse("caiq:copy", args=[answered.pk]),
        {"name": "Storage v4.1", "version": "4.1.0", "step": "preview"},
    )
    created = client.post(
        reverse("caiq:copy", args=[answered.pk]),
        {"name": "Storage v4.1", "version": "4.1.0", "step": "create"},
    )

    assert gone == {c for c in old_codes if c.startswith("IAM-16.")}
    assert len(new_codes) == 283
    assert preview.context["plan"].counts == {
        "unchanged": len(old_codes & new_codes) - len(REWORDED_IN_V41),
        "changed": len(REWORDED_IN_V41),
        "new": len(new_codes - old_codes),
        "gone": len(gone),
    }
    target = answered.organization.questionnaires.get(name="Storage v4.1")
    assert created.status_code == 302
    carried = len(old_codes & new_codes)
    assert AnswerChange.objects.filter(answer__questionnaire=target).count() == carried
    assert target.answers.filter(carry_over=CarryOver.TEXT_CHANGED).count() == 3
    assert target.answers.filter(carry_over=CarryOver.NEW_QUESTION).count() == len(
        new_codes - old_codes
    )
