"""Share links over the API: admins make and revoke them, every member reads them and their
access log; the URL is in the creating response only."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Role
from sharing.models import ShareLink


@pytest.fixture
def api(team):
    def as_user(user) -> APIClient:
        client = APIClient()
        client.force_authenticate(user)
        return client

    return as_user


def _body(**fields) -> dict:
    expires = timezone.now() + datetime.timedelta(days=14)
    return {"recipient": "Initech", "expires_at": expires.isoformat(), **fields}


def test_an_admin_shares_over_the_api_and_the_url_opens_the_answers(
    api, team, shared_questionnaire, client
):
    path = f"/api/v1/questionnaires/{shared_questionnaire.pk}/share-links/"

    response = api(team.admin).post(path, _body(nda_text="Keep it quiet."), format="json")

    assert response.status_code == 201
    url = response.json()["url"]
    assert response.json()["state"] == "active"
    assert "url" not in api(team.admin).get(path).json()[0]
    page = client.get(url.removeprefix("http://testserver"))
    assert "Keep it quiet." in page.content.decode()


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CONTRIBUTOR, Role.REVIEWER])
def test_members_read_links_and_accesses_but_only_admins_share(
    api, team, shared_questionnaire, make_link, role
):
    made = make_link()
    client = api(team.member(role))
    questionnaire_path = f"/api/v1/questionnaires/{shared_questionnaire.pk}/share-links/"

    listed = client.get(questionnaire_path)
    refused = client.post(questionnaire_path, _body(), format="json")
    revoke = client.post(f"/api/v1/share-links/{made.link.pk}/revoke/")

    assert [row["id"] for row in listed.json()] == [made.link.pk]
    assert client.get(f"/api/v1/share-links/{made.link.pk}/accesses/").status_code == 200
    assert (refused.status_code, revoke.status_code) == (403, 403)
    assert ShareLink.objects.count() == 1
    assert ShareLink.objects.get().revoked_at is None


def test_an_admin_revokes_over_the_api_and_the_link_dies(api, team, make_link, client):
    made = make_link()

    response = api(team.admin).post(f"/api/v1/share-links/{made.link.pk}/revoke/")

    assert response.json()["state"] == "revoked"
    assert client.get(made.url).status_code == 404


def test_a_draft_questionnaire_is_refused_in_one_sentence(api, team, small_questionnaire):
    path = f"/api/v1/questionnaires/{small_questionnaire.pk}/share-links/"

    response = api(team.admin).post(path, _body(), format="json")

    assert response.status_code == 400
    assert "Only an approved or submitted questionnaire can be shared." in response.content.decode()
