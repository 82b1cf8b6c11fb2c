"""Questionnaires API: lists scoped to the caller's organisations, creation, workflow, readiness."""

import pytest

from caiq.models import Questionnaire, QuestionnaireStatus
from caiq.services import answer_approve, questionnaire_create

from .conftest import edit

pytestmark = pytest.mark.django_db

LIST = "/api/v1/questionnaires/"


def url(questionnaire, action: str = "") -> str:
    return f"{LIST}{questionnaire.pk}/{action + '/' if action else ''}"


@pytest.fixture
def globex_questionnaire(team, membership_of, small_catalog):
    return questionnaire_create(
        membership=membership_of(team.outsider, team.other_org),
        version=small_catalog,
        name="Globex",
        service_name="Globex Cloud",
    )


def approve_all(questionnaire, team, membership_of):
    contributor = membership_of(team.contributor, team.org)
    reviewer = membership_of(team.reviewer, team.org)
    for answer in questionnaire.answers.all():
        edited = edit(answer, contributor, answer="Yes", ssrm="CSP-owned")
        answer_approve(answer=edited, membership=reviewer, user=team.reviewer)


def test_the_list_shows_only_the_callers_organisations_with_their_counts(
    api_as, team, small_questionnaire, globex_questionnaire, membership_of
):
    contributor = membership_of(team.contributor, team.org)
    reviewer = membership_of(team.reviewer, team.org)
    first, second, _third, *_ = small_questionnaire.answers.order_by("question__position")
    edit(first, contributor, answer="Yes", ssrm="CSP-owned")
    answer_approve(
        answer=edit(second, contributor, answer="No", ssrm="CSP-owned"),
        membership=reviewer,
        user=team.reviewer,
    )

    body = api_as(team.viewer, "read").get(LIST).json()

    assert body["count"] == 1
    [row] = body["results"]
    assert (row["id"], row["organization"], row["version"]) == (
        small_questionnaire.pk,
        "acme",
        "9.0.0",
    )
    assert row["progress"] == {"total": 10, "answered": 2, "approved": 1}
    assert api_as(team.outsider, "read").get(LIST).json()["count"] == 1


def test_another_organisations_questionnaire_is_not_found(api_as, team, globex_questionnaire):
    client = api_as(team.admin)

    assert client.get(url(globex_questionnaire)).status_code == 404
    assert client.get(url(globex_questionnaire, "readiness")).status_code == 404
    assert client.post(url(globex_questionnaire, "request-review")).status_code == 404
    globex_questionnaire.refresh_from_db()
    assert globex_questionnaire.status == QuestionnaireStatus.DRAFT


def test_an_admin_creates_a_questionnaire_with_one_answer_per_question(api_as, team, small_catalog):
    response = api_as(team.admin).post(
        LIST,
        {
            "version": "9.0.0",
            "name": "Acme Queue 2026",
            "service_name": "Acme Queue",
            "owner": team.reviewer.email,
            "due_date": "2026-12-31",
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["progress"] == {"total": 10, "answered": 0, "approved": 0}
    assert (body["owner"], body["due_date"], body["status"]) == (
        team.reviewer.email,
        "2026-12-31",
        "draft",
    )
    created = Questionnaire.objects.get(pk=body["id"])
    assert created.organization == team.org
    assert created.answers.count() == 10


@pytest.mark.parametrize("role", ["viewer", "contributor", "reviewer"])
def test_only_admins_create_questionnaires(api_as, team, small_catalog, role):
    response = api_as(team.member(role)).post(
        LIST, {"version": "9.0.0", "name": "Nope", "service_name": "Nope"}, format="json"
    )

    assert response.status_code == 403
    assert not Questionnaire.objects.filter(name="Nope").exists()


def test_creation_refuses_an_unknown_version_and_an_owner_from_elsewhere(
    api_as, team, small_catalog
):
    client = api_as(team.admin)
    unknown = client.post(LIST, {"version": "0.1", "name": "X", "service_name": "X"}, format="json")
    foreign_owner = client.post(
        LIST,
        {"version": "9.0.0", "name": "X", "service_name": "X", "owner": team.outsider.email},
        format="json",
    )

    assert unknown.status_code == 400
    assert unknown.json()["error"]["details"] == {"version": ["No catalog of that CAIQ version."]}
    assert foreign_owner.status_code == 400
    assert "owner" in foreign_owner.json()["error"]["details"]


def test_a_contributor_sends_to_review_and_a_viewer_cannot(api_as, team, small_questionnaire):
    refused = api_as(team.viewer).post(url(small_questionnaire, "request-review"))
    sent = api_as(team.contributor).post(url(small_questionnaire, "request-review"))

    assert refused.status_code == 403
    assert sent.status_code == 200
    assert sent.json()["status"] == "in_review"


def test_approval_needs_every_answer_approved_and_a_reviewer(
    api_as, team, small_questionnaire, membership_of
):
    too_early = api_as(team.reviewer).post(url(small_questionnaire, "approve"))
    approve_all(small_questionnaire, team, membership_of)
    by_contributor = api_as(team.contributor).post(url(small_questionnaire, "approve"))
    approved = api_as(team.reviewer).post(url(small_questionnaire, "approve"))

    assert too_early.status_code == 400
    assert "10 answers are not approved yet" in too_early.json()["error"]["message"]
    assert by_contributor.status_code == 403
    assert approved.status_code == 200
    assert approved.json()["status"] == "approved"
    assert approved.json()["progress"]["approved"] == 10


def test_an_admin_records_the_star_submission(api_as, team, small_questionnaire, membership_of):
    approve_all(small_questionnaire, team, membership_of)
    api_as(team.reviewer).post(url(small_questionnaire, "approve"))
    body = {
        "submitted_at": "2026-11-02",
        "star_registry_url": "https://cloudsecurityalliance.org/star/registry/acme",
        "star_level": "2",
    }

    by_reviewer = api_as(team.reviewer).post(url(small_questionnaire, "mark-submitted"), body)
    by_admin = api_as(team.admin).post(url(small_questionnaire, "mark-submitted"), body)

    assert by_reviewer.status_code == 403
    assert by_admin.status_code == 200
    assert (by_admin.json()["status"], by_admin.json()["submitted_at"]) == (
        "submitted",
        "2026-11-02",
    )
    assert by_admin.json()["star_registry_url"] == body["star_registry_url"]
    assert by_admin.json()["star_level"] == "2"
    # Valid one year from submission; the state depends on today, which moves.
    assert by_admin.json()["star"]["valid_until"] == "2027-11-02"
    assert by_admin.json()["star"]["state"] in ("current", "due", "deprecated")


def test_a_transition_from_the_wrong_state_is_refused(api_as, team, small_questionnaire):
    response = api_as(team.admin).post(url(small_questionnaire, "mark-submitted"), {})

    assert response.status_code == 400
    assert "cannot become submitted" in response.json()["error"]["message"]


def test_readiness_lists_findings_with_their_question_and_answer(
    api_as, team, small_questionnaire, membership_of
):
    first = small_questionnaire.answers.order_by("question__position").first()
    edit(first, membership_of(team.contributor, team.org), answer="NA")

    body = api_as(team.viewer, "read").get(url(small_questionnaire, "readiness")).json()

    assert body["ready"] is False
    assert body["findings"][0] == {
        "kind": "na_unexplained",
        "message": "NA without an explanation.",
        "question": "A&A-01.1",
        "answer_id": first.pk,
    }
    assert sum(f["kind"] == "unanswered" for f in body["findings"]) == 9


def test_a_questionnaire_with_everything_answered_is_ready(
    api_as, team, small_questionnaire, membership_of
):
    approve_all(small_questionnaire, team, membership_of)

    body = api_as(team.viewer, "read").get(url(small_questionnaire, "readiness")).json()

    assert body == {"ready": True, "findings": [], "warnings": []}
