from django.urls import reverse

from accounts.middleware import SESSION_KEY
from accounts.models import Role
from tests.factories import MembershipFactory


def test_a_member_of_two_organisations_switches_between_them(client, team):
    MembershipFactory(user=team.contributor, organization=team.other_org, role=Role.VIEWER)
    client.force_login(team.contributor)
    assert client.get(reverse("home")).wsgi_request.membership.organization == team.org

    response = client.post(reverse("switch_organization"), {"organization": "globex"})

    assert response.status_code == 302
    assert client.session[SESSION_KEY] == team.other_org.pk
    home = client.get(reverse("home"))
    assert home.wsgi_request.membership.organization == team.other_org
    assert b"You are working in <strong>Globex</strong>" in home.content


def test_switching_goes_back_to_the_page_it_came_from(client, team):
    client.force_login(team.viewer)

    response = client.post(
        reverse("switch_organization"),
        {"organization": "acme"},
        headers={"referer": "http://testserver/catalog/"},
    )

    assert response.url == "http://testserver/catalog/"


def test_switching_never_redirects_to_another_site(client, team):
    client.force_login(team.viewer)

    response = client.post(
        reverse("switch_organization"),
        {"organization": "acme", "next": "https://evil.example/"},
        headers={"referer": "https://evil.example/"},
    )

    assert response.url == reverse("home")


def test_switching_to_an_organisation_one_is_not_in_answers_404(client, team):
    client.force_login(team.contributor)

    response = client.post(reverse("switch_organization"), {"organization": "globex"})

    assert response.status_code == 404
    assert SESSION_KEY not in client.session


def test_switching_takes_a_post(client, team):
    client.force_login(team.contributor)

    assert client.get(reverse("switch_organization")).status_code == 405
