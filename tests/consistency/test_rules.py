"""Each consistency rule: a case that triggers it and one that does not (consistency.rules);
then the readiness report and its API list the findings, and a rule switched off hides them."""

import pytest
from django.urls import reverse

from caiq.models import Answer, Questionnaire
from caiq.services import questionnaire_create
from consistency import rules
from consistency.services import rule_set_enabled

A = rules.Answer


def run(rule_id: str, answers: list[A], elsewhere=None) -> list[rules.Finding]:
    rule = next(r for r in rules.RULES if r.id == rule_id)
    return list(rule.check(rules.Context(answers, elsewhere or {})))


def a(code: str, answer: str = "Yes", ssrm: str = "CSP-owned", text: str = "Done.") -> A:
    return A(hash(code) % 10_000, code, answer, ssrm, text)


def test_policy_no_practice_yes():
    hit = run("policy-no-practice-yes", [a("A&A-01.1", "No"), a("A&A-01.2", "Yes")])
    miss = run("policy-no-practice-yes", [a("A&A-01.1", "No"), a("A&A-01.2", "No")])

    assert [(f.question, f.severity) for f in hit] == [("A&A-01.1", "warning")]
    assert "A&A-01.2" in hit[0].message
    assert miss == []


def test_na_beside_answered():
    hit = run("na-beside-answered", [a("BCR-01.1", "Yes"), a("BCR-01.2", "NA")])
    miss = run("na-beside-answered", [a("BCR-01.1", "NA"), a("BCR-01.2", "NA")])

    assert [f.question for f in hit] == ["BCR-01.2"]
    assert miss == []


def test_ssrm_differs_across_services():
    elsewhere = {"CEK-01.1": [("CSP-owned", "Compute"), ("CSC-owned", "Storage")]}
    hit = run("ssrm-differs-across-services", [a("CEK-01.1", ssrm="CSC-owned")], elsewhere)
    miss = run(
        "ssrm-differs-across-services",
        [a("CEK-01.1", ssrm="CSC-owned")],
        {"CEK-01.1": [("CSC-owned", "Storage")]},
    )

    assert len(hit) == 1
    assert "CSC-owned here but CSP-owned in Compute" in hit[0].message
    assert miss == []


def test_yes_without_description():
    hit = run("yes-without-description", [a("DSP-01.1"), a("DSP-01.2", text=" ")])
    miss = run("yes-without-description", [a("DSP-01.1", text=""), a("DSP-01.2", text="")])

    assert [f.question for f in hit] == ["DSP-01.2"]
    assert miss == []


def test_na_whole_control():
    hit = run("na-whole-control", [a("IVS-01.1", "NA"), a("IVS-01.2", "NA")])
    miss = run("na-whole-control", [a("IVS-01.1", "NA"), a("IVS-01.2", "Yes")])

    assert [f.question for f in hit] == ["IVS-01.1"]
    assert miss == []


def test_disabled_rules_find_nothing():
    context = rules.Context([a("A&A-01.1", "No"), a("A&A-01.2", "Yes")])

    assert {f.rule for f in rules.check(context)} == {"policy-no-practice-yes"}
    assert rules.check(context, disabled=["policy-no-practice-yes"]) == []


@pytest.mark.django_db
def test_the_readiness_report_and_its_api_list_the_warnings_until_the_rule_is_off(
    client, api_as, team, small_questionnaire, admin_membership
):
    Answer.objects.filter(questionnaire=small_questionnaire, question__code="A&A-01.1").update(
        answer="No", ssrm="CSP-owned"
    )
    Answer.objects.filter(questionnaire=small_questionnaire, question__code="A&A-01.2").update(
        answer="Yes", ssrm="CSP-owned"
    )
    client.force_login(team.viewer)
    readiness = reverse("caiq:readiness", args=[small_questionnaire.pk])
    api = f"/api/v1/questionnaires/{small_questionnaire.pk}/readiness/"

    page = client.get(readiness).text
    body = api_as(team.viewer, "read").get(api).json()
    rule_set_enabled(membership=admin_membership, rule="policy-no-practice-yes", enabled=False)
    after = client.get(readiness).text

    assert 'id="consistency-warnings"' in page
    assert "the control&#x27;s policy question, says No" in page
    assert [w["kind"] for w in body["warnings"]] == ["policy-no-practice-yes"]
    assert body["ready"] is False  # unanswered questions: the warnings alone would not count
    assert 'id="consistency-warnings"' not in after


@pytest.mark.django_db
def test_another_service_answered_by_another_owner_is_found_across_questionnaires(
    team, small_questionnaire, admin_membership
):
    from caiq.selectors import answer_rows
    from consistency.selectors import findings

    other = questionnaire_create(
        membership=admin_membership,
        version=small_questionnaire.version,
        name="Compute",
        service_name="Compute",
    )
    Answer.objects.filter(questionnaire=other, question__code="BCR-01.1").update(
        answer="Yes", ssrm="CSP-owned"
    )
    Answer.objects.filter(questionnaire=small_questionnaire, question__code="BCR-01.1").update(
        answer="Yes", ssrm="CSC-owned"
    )

    rows = answer_rows(small_questionnaire)
    found = [
        f for f in findings(small_questionnaire, rows) if f.rule == "ssrm-differs-across-services"
    ]

    assert [(f.question, f.answer_id is not None) for f in found] == [("BCR-01.1", True)]
    assert "CSP-owned in Compute" in found[0].message
    assert Questionnaire.objects.count() == 2


@pytest.mark.django_db
def test_only_admins_switch_rules_and_the_page_shows_their_state(client, team):
    client.force_login(team.reviewer)
    refused = client.post("/orgs/acme/consistency/", {"rule": "na-whole-control", "enabled": "0"})
    client.force_login(team.admin)
    switched = client.post("/orgs/acme/consistency/", {"rule": "na-whole-control", "enabled": "0"})
    page = client.get("/orgs/acme/consistency/").text
    client.force_login(team.outsider)
    outsider = client.get("/orgs/acme/consistency/")

    assert refused.status_code == 403
    assert switched.status_code == 302
    assert "A whole control NA" in page
    assert page.count("Switch on") == 1
    assert outsider.status_code == 404


@pytest.mark.django_db
def test_the_fill_page_shows_a_warning_beside_its_question(client, team, small_questionnaire):
    Answer.objects.filter(questionnaire=small_questionnaire, question__code="A&A-01.1").update(
        answer="No"
    )
    Answer.objects.filter(questionnaire=small_questionnaire, question__code="A&A-01.2").update(
        answer="Yes"
    )
    flagged = small_questionnaire.answers.get(question__code="A&A-01.1")
    client.force_login(team.viewer)

    page = client.get(reverse("caiq:fill", args=[small_questionnaire.pk]), {"domain": "A&A"})
    card = page.text.split(f'id="answer-{flagged.pk}"', 1)[1].split("</article>", 1)[0]
    other = page.text.split(f'id="answer-{flagged.pk + 1}"', 1)[1].split("</article>", 1)[0]

    assert '<p class="note warning">A&amp;A-01.1, the control' in card
    assert "note warning" not in other
