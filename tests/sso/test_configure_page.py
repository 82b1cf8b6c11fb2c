"""The admins' single sign-on page, /orgs/<slug>/sso/."""

import pytest

from accounts.models import Role
from audit.models import AuditEvent, EventKind
from sso.models import OrganizationSSO

from .conftest import configure

pytestmark = pytest.mark.django_db

SECRET = "s3cr3t-from-the-provider-9876"


def form(**changes):
    data = {
        "issuer": "https://login.acme.test/realms/staff",
        "client_id": "caiq-manager",
        "client_secret": SECRET,
        "domains": "acme.test\n@Acme-Cloud.test",
        "default_role": "reviewer",
        "enabled": "on",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_an_admin_saves_the_provider_and_sees_the_callback_url(client, team):
    client.force_login(team.admin)

    response = client.post("/orgs/acme/sso/", form(), follow=True)

    config = OrganizationSSO.objects.get(organization=team.org)
    assert (config.issuer, config.client_id, config.client_secret) == (
        "https://login.acme.test/realms/staff",
        "caiq-manager",
        SECRET,
    )
    assert sorted(config.domains.values_list("domain", flat=True)) == [
        "acme-cloud.test",
        "acme.test",
    ]
    assert (config.default_role, config.enabled, config.enforced) == (Role.REVIEWER, True, False)
    page = response.content.decode()
    assert "http://testserver/sso/oidc/org-acme/login/callback/" in page
    assert SECRET not in page
    event = AuditEvent.objects.get(kind=EventKind.SSO_CHANGED)
    assert (event.organization, event.actor) == (team.org, team.admin)
    assert event.details["secret_changed"] is True
    assert SECRET not in str(event.details)


def test_the_secret_is_never_shown_and_an_empty_field_keeps_it(client, team):
    client.force_login(team.admin)
    client.post("/orgs/acme/sso/", form())

    page = client.get("/orgs/acme/sso/").content.decode()
    client.post("/orgs/acme/sso/", form(client_secret="", enforced="on"))

    assert SECRET not in page
    assert "A secret is saved" in page
    config = OrganizationSSO.objects.get(organization=team.org)
    assert (config.client_secret, config.enforced) == (SECRET, True)


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CONTRIBUTOR, Role.REVIEWER])
def test_members_who_are_not_admins_get_a_404(client, team, role):
    client.force_login(team.member(role))

    assert client.get("/orgs/acme/sso/").status_code == 404
    assert client.post("/orgs/acme/sso/", form()).status_code == 404
    assert not OrganizationSSO.objects.exists()


def test_another_organisations_admin_gets_a_404(client, team):
    client.force_login(team.outsider)

    assert client.get("/orgs/acme/sso/").status_code == 404
    assert client.post("/orgs/acme/sso/", form()).status_code == 404


def test_a_signed_out_visitor_is_sent_to_log_in(client, team):
    response = client.get("/orgs/acme/sso/")

    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")


def test_a_domain_another_organisation_signs_in_with_is_refused(client, team):
    configure(team.other_org, issuer="https://idp.globex.test", client_id="x", client_secret="y")
    client.force_login(team.admin)

    response = client.post("/orgs/acme/sso/", form())

    assert response.status_code == 400
    assert "acme.test already signs in to another organisation." in response.content.decode()
    assert not OrganizationSSO.objects.filter(organization=team.org).exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"issuer": "http://login.acme.test/"}, "The issuer URL must start with https://."),
        ({"domains": "not a domain!"}, "is not an e-mail domain."),
        ({"client_secret": ""}, "Enter the client secret."),
        ({"enabled": None, "enforced": "on"}, "must be switched on to be made mandatory"),
    ],
)
def test_an_unusable_configuration_is_refused_with_the_reason(client, team, changes, message):
    client.force_login(team.admin)

    response = client.post("/orgs/acme/sso/", form(**changes))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not OrganizationSSO.objects.exists()


def test_the_members_page_links_admins_to_it(client, team):
    client.force_login(team.admin)

    assert 'href="/orgs/acme/sso/"' in client.get("/orgs/acme/members/").content.decode()


def test_the_django_admin_offers_it_to_superusers_only(client, team):
    team.admin.is_staff = True
    team.admin.save(update_fields=["is_staff"])
    client.force_login(team.admin)
    staff_page = client.get("/admin/sso/organizationsso/")
    team.admin.is_superuser = True
    team.admin.save(update_fields=["is_superuser"])

    assert staff_page.status_code == 403
    assert client.get("/admin/sso/organizationsso/").status_code == 200
    assert client.get("/admin/sso/organizationsso/add/").status_code == 200


def test_a_superuser_adds_a_configuration_in_the_django_admin_without_seeing_the_secret(
    client, team
):
    team.admin.is_staff = team.admin.is_superuser = True
    team.admin.save(update_fields=["is_staff", "is_superuser"])
    client.force_login(team.admin)

    response = client.post(
        "/admin/sso/organizationsso/add/",
        {
            "organization": team.org.pk,
            "issuer": "https://login.acme.test",
            "client_id": "caiq",
            "client_secret": SECRET,
            "default_role": "viewer",
            "enabled": "on",
            "domains-TOTAL_FORMS": "1",
            "domains-INITIAL_FORMS": "0",
            "domains-0-domain": "acme.test",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    config = OrganizationSSO.objects.get(organization=team.org)
    assert config.client_secret == SECRET
    assert list(config.domains.values_list("domain", flat=True)) == ["acme.test"]
    change_page = client.get(f"/admin/sso/organizationsso/{config.pk}/change/").content.decode()
    assert SECRET not in change_page
