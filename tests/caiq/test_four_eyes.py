"""Four eyes on content: nobody approves an answer whose content they changed since its last
approval (a later note by someone else, or an edit through a token, changes nothing to that),
and an approval or a request for changes applies to the revision the reviewer saw."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import Membership
from accounts.tokens import api_token_create
from caiq.models import Answer, ReviewStatus
from caiq.services import StaleAnswer, answer_approve, answer_mark_ready, answer_update

pytestmark = pytest.mark.django_db


def membership(team, role):
    return Membership.objects.get(user=team.member(role), organization=team.org)


def write(target, team, role, **values):
    current = Answer.objects.select_related("questionnaire").get(pk=target.pk)
    return answer_update(
        answer=current,
        membership=membership(team, role),
        user=team.member(role),
        values=values,
        base_revision=current.revision,
    )


@pytest.fixture
def answer(questionnaire):
    return questionnaire.answers.order_by("question__position").first()


def test_a_note_by_someone_else_does_not_let_the_author_approve(answer, team):
    write(answer, team, "reviewer", answer="Yes", ssrm="CSP-owned", implementation="How")
    answer_mark_ready(answer=answer, membership=membership(team, "reviewer"), user=team.reviewer)
    write(answer, team, "contributor", internal_notes="Looks fine to me")

    with pytest.raises(PermissionDenied, match=r"You changed the content of A&A-01\.1"):
        answer_approve(answer=answer, membership=membership(team, "reviewer"), user=team.reviewer)


def test_an_edit_through_an_organisation_token_counts_as_its_creators(answer, team):
    _token, secret = api_token_create(
        name="GRC", scope="write", created_by=team.admin, organization=team.org,
        acting_membership=membership(team, "admin"),
    )  # fmt: skip
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    etag = api.get(f"/api/v1/answers/{answer.pk}/")["ETag"]
    patched = api.patch(
        f"/api/v1/answers/{answer.pk}/",
        {"answer": "Yes", "ssrm": "CSP-owned"},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert patched.status_code == 200, patched.json()

    with pytest.raises(PermissionDenied, match="someone else must approve"):
        answer_approve(answer=answer, membership=membership(team, "admin"), user=team.admin)
    approved = answer_approve(
        answer=answer, membership=membership(team, "reviewer"), user=team.reviewer
    )
    assert approved.review_status == ReviewStatus.APPROVED


def test_after_an_approval_an_earlier_author_may_approve_someone_elses_new_content(answer, team):
    write(answer, team, "reviewer", answer="Yes", ssrm="CSP-owned")
    answer_approve(answer=answer, membership=membership(team, "admin"), user=team.admin)
    write(answer, team, "contributor", implementation="Reworded by the contributor")

    approved = answer_approve(
        answer=answer, membership=membership(team, "reviewer"), user=team.reviewer
    )

    assert approved.review_status == ReviewStatus.APPROVED


def test_content_saved_after_the_reviewer_looked_is_not_approved_unseen(answer, team):
    write(answer, team, "contributor", answer="Yes", ssrm="CSP-owned")
    seen = Answer.objects.get(pk=answer.pk).revision
    write(answer, team, "contributor", implementation="Changed after the reviewer looked")

    with pytest.raises(StaleAnswer):
        answer_approve(
            answer=answer,
            membership=membership(team, "reviewer"),
            user=team.reviewer,
            base_revision=seen,
        )
    assert Answer.objects.get(pk=answer.pk).review_status != ReviewStatus.APPROVED


def test_the_page_approves_the_revision_shown_and_refuses_a_newer_one(client, answer, team):
    write(answer, team, "contributor", answer="Yes", ssrm="CSP-owned")
    seen = Answer.objects.get(pk=answer.pk).revision
    write(answer, team, "contributor", implementation="Changed meanwhile")
    client.force_login(team.reviewer)
    url = f"/questionnaires/{answer.questionnaire_id}/answers/{answer.pk}/review/approve/"

    refused = client.post(url, {"revision": seen}, HTTP_HX_REQUEST="true")
    accepted = client.post(
        url, {"revision": Answer.objects.get(pk=answer.pk).revision}, HTTP_HX_REQUEST="true"
    )

    assert refused.status_code == 400
    assert "A&amp;A-01.1 changed since you loaded it (CSP implementation description)" in (
        refused.text
    )
    assert accepted.status_code == 200
    assert Answer.objects.get(pk=answer.pk).review_status == ReviewStatus.APPROVED
    page = client.get(reverse("caiq:fill", args=[answer.questionnaire_id]) + "?q=A%26A-01.1")
    assert 'name="revision"' in page.text


def test_the_admin_bulk_approval_applies_the_same_rule(client, answer, team):
    write(answer, team, "reviewer", answer="Yes", ssrm="CSP-owned")
    write(answer, team, "contributor", internal_notes="A note")
    team.reviewer.is_staff = team.reviewer.is_superuser = True  # may run the action at all
    team.reviewer.save()
    client.force_login(team.reviewer)

    response = client.post(
        reverse("admin:caiq_answer_changelist"),
        {"action": "approve", "_selected_action": [answer.pk]},
        follow=True,
    )

    assert "You changed the content of A&amp;A-01.1 since it was last approved" in response.text
    assert Answer.objects.get(pk=answer.pk).review_status != ReviewStatus.APPROVED


# --- The API: POST /answers/{id}/approve/ and /request-changes/ with If-Match -----------------


def api_as_user(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def ready(answer, team, author="contributor"):
    write(answer, team, author, answer="Yes", ssrm="CSP-owned", implementation="How we do it")
    return answer_mark_ready(
        answer=answer, membership=membership(team, author), user=team.member(author)
    )


def test_the_api_approves_the_revision_named_by_if_match(answer, team):
    client = api_as_user(team.reviewer)
    etag = client.get(f"/api/v1/answers/{ready(answer, team).pk}/")["ETag"]

    response = client.post(f"/api/v1/answers/{answer.pk}/approve/", HTTP_IF_MATCH=etag)

    assert response.status_code == 200, response.json()
    assert response.json()["review_status"] == ReviewStatus.APPROVED
    assert response["ETag"] != etag
    assert answer.changes.order_by("-revision").first().source == "api"


def test_the_api_refuses_an_approval_without_if_match(answer, team):
    ready(answer, team)

    response = api_as_user(team.reviewer).post(f"/api/v1/answers/{answer.pk}/approve/")

    assert response.status_code == 428
    assert Answer.objects.get(pk=answer.pk).review_status == ReviewStatus.READY


def test_the_api_refuses_content_saved_after_the_reviewer_read_it(answer, team):
    client = api_as_user(team.reviewer)
    etag = client.get(f"/api/v1/answers/{ready(answer, team).pk}/")["ETag"]
    write(answer, team, "contributor", implementation="Rewritten after the review started")

    response = client.post(f"/api/v1/answers/{answer.pk}/approve/", HTTP_IF_MATCH=etag)

    assert response.status_code == 412
    assert "changed by someone else" in response.json()["error"]["message"]
    assert response.json()["error"]["details"]["etag"] == response["ETag"]
    assert Answer.objects.get(pk=answer.pk).review_status != ReviewStatus.APPROVED


def test_the_api_approves_despite_a_later_note_which_is_not_content(answer, team):
    client = api_as_user(team.reviewer)
    etag = client.get(f"/api/v1/answers/{ready(answer, team).pk}/")["ETag"]
    write(answer, team, "admin", internal_notes="Ask legal before the next renewal")

    response = client.post(f"/api/v1/answers/{answer.pk}/approve/", HTTP_IF_MATCH=etag)

    assert response.status_code == 200, response.json()


def test_the_api_applies_four_eyes_to_a_token_creator(answer, team):
    # The admin edits through an organisation token, then tries to approve as themself.
    _token, secret = api_token_create(
        name="GRC", scope="write", created_by=team.admin, organization=team.org,
        acting_membership=membership(team, "admin"),
    )  # fmt: skip
    token = APIClient()
    token.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    etag = token.get(f"/api/v1/answers/{answer.pk}/")["ETag"]
    patched = token.patch(
        f"/api/v1/answers/{answer.pk}/",
        {"answer": "Yes", "ssrm": "CSP-owned", "implementation": "Via sync"},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    admin = api_as_user(team.admin)

    refused = admin.post(f"/api/v1/answers/{answer.pk}/approve/", HTTP_IF_MATCH=patched["ETag"])
    approved = api_as_user(team.reviewer).post(
        f"/api/v1/answers/{answer.pk}/approve/", HTTP_IF_MATCH=patched["ETag"]
    )

    assert refused.status_code == 403
    assert "someone else must approve" in refused.json()["error"]["message"]
    assert approved.status_code == 200


def test_the_api_sends_an_answer_back_with_the_reviewers_comment(answer, team):
    client = api_as_user(team.reviewer)
    etag = client.get(f"/api/v1/answers/{ready(answer, team).pk}/")["ETag"]
    url = f"/api/v1/answers/{answer.pk}/request-changes/"

    missing = client.post(url, {}, format="json", HTTP_IF_MATCH=etag)
    sent = client.post(url, {"comment": "Name the tool"}, format="json", HTTP_IF_MATCH=etag)

    assert missing.status_code == 400
    assert sent.status_code == 200
    assert sent.json()["review_status"] == ReviewStatus.CHANGES_REQUESTED
    assert answer.comments.get().body == "Name the tool"


@pytest.mark.parametrize("role", ["viewer", "contributor"])
def test_the_api_lets_only_reviewers_review(answer, team, role):
    client = api_as_user(team.member(role))
    etag = client.get(f"/api/v1/answers/{ready(answer, team).pk}/")["ETag"]

    response = client.post(f"/api/v1/answers/{answer.pk}/approve/", HTTP_IF_MATCH=etag)

    assert response.status_code == 403
