"""API tokens: created on the pages (secret shown once), used as Bearer, revoked, expired."""

import datetime
import re
from io import StringIO

import pytest
from django.contrib.admin.sites import site as admin_site
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken, Membership, Role, User
from accounts.tokens import LAST_USED_RESOLUTION, api_token_create, split_token

SECRET = re.compile(r"caiq_[0-9a-f]{8}_[A-Za-z0-9_-]+")


def bearer(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def create_on_page(client, user, url, **data) -> str:
    client.force_login(user)
    response = client.post(url, {"name": "GRC sync", "scope": "read", **data})
    assert response.status_code == 200, response.content
    return SECRET.search(response.content.decode()).group(0)


def test_a_token_created_on_the_page_is_shown_once_and_only_its_hash_is_stored(
    client, team, django_assert_num_queries
):
    url = reverse("organization_tokens", args=["acme"])
    secret = create_on_page(client, team.admin, url, scope="write")

    token = ApiToken.objects.get(organization=team.org)
    stored = [str(value) for value in ApiToken.objects.values_list().get()]
    assert secret not in " ".join(stored)
    prefix, random_part = split_token(secret)
    assert len(random_part) == 43  # 32 random bytes, URL-safe base64
    assert random_part not in " ".join(stored)
    assert prefix == token.prefix
    assert len(token.key_hash) == 64
    assert token.scope == "write"
    assert token.created_by == team.admin
    listing = client.get(url)
    assert secret not in listing.content.decode()
    assert f"caiq_{token.prefix}_" in listing.content.decode()
    assert listing["Cache-Control"].startswith("max-age=0")


def test_the_creation_page_is_not_cached(client, team):
    client.force_login(team.viewer)

    response = client.post(reverse("user_tokens"), {"name": "Laptop", "scope": "read"})

    assert "no-store" in response["Cache-Control"]
    assert "shown only once" in response.content.decode()


def test_a_token_authenticates_with_a_bearer_header_and_records_last_use(client, api_client, team):
    secret = create_on_page(client, team.viewer, reverse("user_tokens"))

    response = api_client.get("/api/v1/evidence/", **bearer(secret))

    assert response.status_code == 200
    token = ApiToken.objects.get(user=team.viewer)
    assert token.last_used_at is not None
    assert timezone.now() - token.last_used_at < datetime.timedelta(seconds=30)


def test_last_use_is_written_at_most_once_a_minute(api_client, team):
    token, secret = api_token_create(name="t", scope="read", user=team.viewer, created_by=None)
    earlier = timezone.now() - LAST_USED_RESOLUTION - datetime.timedelta(seconds=5)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=earlier)

    api_client.get("/api/v1/evidence/", **bearer(secret))
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    api_client.get("/api/v1/evidence/", **bearer(secret))

    assert first > earlier
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first


def test_a_token_whose_secret_contains_an_underscore_authenticates(api_client, team, monkeypatch):
    monkeypatch.setattr("accounts.tokens.secrets.token_urlsafe", lambda n: "ab_cd" * 8)
    _token, secret = api_token_create(name="t", scope="read", user=team.viewer, created_by=None)

    assert api_client.get("/api/v1/evidence/", **bearer(secret)).status_code == 200


def test_a_revoked_token_answers_401_in_the_error_format(client, api_client, team):
    secret = create_on_page(client, team.viewer, reverse("user_tokens"))
    token = ApiToken.objects.get(user=team.viewer)

    revoked = client.post(reverse("user_token_revoke", args=[token.pk]))
    response = api_client.get("/api/v1/evidence/", **bearer(secret))

    assert revoked.status_code == 302
    assert response.status_code == 401
    assert response.json() == {
        "error": {
            "status": 401,
            "code": "authentication_failed",
            "message": "Unknown, expired or revoked API token.",
            "details": None,
        }
    }
    assert response["WWW-Authenticate"] == "Bearer"


def test_an_expired_token_answers_401(api_client, team):
    token, secret = api_token_create(name="t", scope="read", user=team.viewer, created_by=None)
    ApiToken.objects.filter(pk=token.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )

    response = api_client.get("/api/v1/evidence/", **bearer(secret))

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_a_token_expires_at_the_start_of_the_chosen_day(client, team):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    create_on_page(client, team.viewer, reverse("user_tokens"), expires_on=tomorrow.isoformat())

    token = ApiToken.objects.get(user=team.viewer)
    assert timezone.localtime(token.expires_at).date() == tomorrow
    assert timezone.localtime(token.expires_at).time() == datetime.time.min


def test_an_expiry_in_the_past_is_refused(client, team):
    client.force_login(team.viewer)

    response = client.post(
        reverse("user_tokens"), {"name": "x", "scope": "read", "expires_on": "2020-01-01"}
    )

    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_an_organisation_token_revoked_on_the_page_loses_its_service_account(
    client, api_client, team
):
    url = reverse("organization_tokens", args=["acme"])
    secret = create_on_page(client, team.admin, url)
    token = ApiToken.objects.get(organization=team.org)

    client.post(reverse("organization_token_revoke", args=["acme", token.pk]))

    assert api_client.get("/api/v1/evidence/", **bearer(secret)).status_code == 401
    assert not Membership.objects.filter(user=token.service_user).exists()


def test_a_read_token_cannot_write(api_client, team):
    _token, secret = api_token_create(
        name="t", scope="read", user=team.contributor, created_by=None
    )

    response = api_client.post(
        "/api/v1/evidence/", {"url": "https://example.com"}, format="json", **bearer(secret)
    )

    assert response.status_code == 403
    assert response.json()["error"]["message"] == "This API token is read-only."


def test_an_organisation_read_token_acts_as_a_viewer_and_a_write_token_as_a_contributor(team):
    _read, _ = api_token_create(name="r", scope="read", organization=team.org, created_by=None)
    _write, _ = api_token_create(name="w", scope="write", organization=team.org, created_by=None)

    roles = {
        t.scope: Membership.objects.get(user=t.service_user).role
        for t in ApiToken.objects.filter(organization=team.org)
    }
    assert roles == {"read": Role.VIEWER, "write": Role.CONTRIBUTOR}


def test_the_service_account_never_appears_among_people(client, team, small_questionnaire):
    token, _ = api_token_create(
        name="Sync-Bot-9", scope="write", organization=team.org, created_by=None
    )
    service_email = token.service_user.email
    client.force_login(team.admin)

    pages = [
        client.get(reverse("members", args=["acme"])),
        client.get(reverse("caiq:fill", args=[small_questionnaire.pk])),
        client.get(reverse("evidence:list")),
    ]

    for page in pages:
        assert page.status_code == 200
        assert service_email not in page.content.decode()
        assert "Sync-Bot-9" not in page.content.decode()  # the service account's name
    picker = re.search(r'<select name="assignee".*?</select>', pages[1].content.decode()).group(0)
    people = {str(team.member(role).pk) for role in Role}
    assert set(re.findall(r'<option value="(\d*)"', picker)) == {"", *people}


def test_the_create_api_token_command_prints_a_working_token(api_client, team):
    out, err = StringIO(), StringIO()

    call_command("create_api_token", organization="acme", scope="read", stdout=out, stderr=err)

    secret = out.getvalue().strip()
    assert SECRET.fullmatch(secret)
    assert "shown only now" in err.getvalue()
    assert api_client.get("/api/v1/evidence/", **bearer(secret)).status_code == 200
    writing = api_client.post("/api/v1/evidence/", {"url": "https://x.test"}, **bearer(secret))
    assert writing.status_code == 403


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CONTRIBUTOR, Role.REVIEWER])
def test_a_member_who_is_not_an_admin_cannot_see_or_create_organisation_tokens(client, team, role):
    client.force_login(team.member(role))
    url = reverse("organization_tokens", args=["acme"])

    assert client.get(url).status_code == 403
    assert client.post(url, {"name": "x", "scope": "write"}).status_code == 403
    assert not ApiToken.objects.exists()


def test_an_outsider_gets_404_for_another_organisations_tokens(client, team):
    token, _ = api_token_create(name="w", scope="write", organization=team.org, created_by=None)
    client.force_login(team.outsider)

    assert client.get(reverse("organization_tokens", args=["acme"])).status_code == 404
    revoke = client.post(reverse("organization_token_revoke", args=["acme", token.pk]))
    assert revoke.status_code == 404
    # Naming their own organisation does not reach Acme's token either.
    revoke = client.post(reverse("organization_token_revoke", args=["globex", token.pk]))
    assert revoke.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_a_person_sees_and_revokes_only_their_own_tokens(client, team):
    mine, _ = api_token_create(name="mine", scope="read", user=team.viewer, created_by=None)
    theirs, _ = api_token_create(name="theirs", scope="read", user=team.admin, created_by=None)
    client.force_login(team.viewer)

    page = client.get(reverse("user_tokens")).content.decode()
    revoke = client.post(reverse("user_token_revoke", args=[theirs.pk]))

    assert mine.prefix in page
    assert theirs.prefix not in page
    assert revoke.status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_only_the_organisations_admins_edit_its_tokens(client, team):
    token, _ = api_token_create(name="w", scope="write", organization=team.org, created_by=None)
    edit = {"name": "renamed", "expires_on": ""}

    client.force_login(team.outsider)
    outsider = client.post(reverse("organization_token_edit", args=["acme", token.pk]), edit)
    via_own_org = client.post(reverse("organization_token_edit", args=["globex", token.pk]), edit)
    client.force_login(team.reviewer)
    reviewer = client.post(reverse("organization_token_edit", args=["acme", token.pk]), edit)

    assert (outsider.status_code, via_own_org.status_code, reviewer.status_code) == (404, 404, 403)
    token.refresh_from_db()
    assert token.name == "w"


def test_a_person_edits_only_their_own_live_tokens(client, team):
    theirs, _ = api_token_create(name="theirs", scope="read", user=team.admin, created_by=None)
    revoked, _ = api_token_create(name="old", scope="read", user=team.viewer, created_by=None)
    revoked.revoked_at = timezone.now()
    revoked.save(update_fields=["revoked_at"])
    client.force_login(team.viewer)

    other = client.post(reverse("user_token_edit", args=[theirs.pk]), {"name": "mine now"})
    dead = client.post(reverse("user_token_edit", args=[revoked.pk]), {"name": "alive again"})

    assert (other.status_code, dead.status_code) == (404, 404)
    assert set(ApiToken.objects.values_list("name", flat=True)) == {"theirs", "old"}


def test_an_edit_moves_the_expiry_and_keeps_the_secret(client, api_client, team):
    token, secret = api_token_create(name="ci", scope="read", user=team.viewer, created_by=None)
    client.force_login(team.viewer)

    past = client.post(
        reverse("user_token_edit", args=[token.pk]), {"name": "ci", "expires_on": "2020-01-01"}
    )
    moved = client.post(
        reverse("user_token_edit", args=[token.pk]), {"name": "ci", "expires_on": "2031-01-31"}
    )

    assert past.status_code == 400
    assert "Choose a date after today." in past.content.decode()
    assert moved.status_code == 302
    token.refresh_from_db()
    assert timezone.localdate(token.expires_at) == datetime.date(2031, 1, 31)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api_client.get("/api/v1/questionnaires/").status_code == 200


def test_the_menus_link_to_the_token_pages(client, team):
    client.force_login(team.admin)

    members = client.get(reverse("members", args=["acme"])).content.decode()

    assert reverse("user_tokens") in members
    assert reverse("organization_tokens", args=["acme"]) in members
    client.force_login(team.viewer)
    viewer_members = client.get(reverse("members", args=["acme"])).content.decode()
    assert reverse("organization_tokens", args=["acme"]) not in viewer_members


# --- Admin ---------------------------------------------------------------------------------


@pytest.fixture
def staff_admin(team) -> User:
    team.admin.is_staff = True
    team.admin.save(update_fields=["is_staff"])
    from django.contrib.auth.models import Permission

    team.admin.user_permissions.add(Permission.objects.get(codename="view_apitoken"))
    return team.admin


def test_the_admin_lists_tokens_of_the_staffs_organisations_without_the_hash(
    client, team, staff_admin
):
    ours, _ = api_token_create(name="ours", scope="read", organization=team.org, created_by=None)
    api_token_create(name="globex's", scope="read", organization=team.other_org, created_by=None)
    api_token_create(name="personal", scope="read", user=team.admin, created_by=None)
    client.force_login(staff_admin)

    listing = client.get(reverse("admin:accounts_apitoken_changelist")).content.decode()
    detail = client.get(reverse("admin:accounts_apitoken_change", args=[ours.pk]))

    assert "ours" in listing
    assert "globex&#x27;s" not in listing
    assert "personal" not in listing
    assert ours.key_hash not in listing
    assert detail.status_code == 200
    assert ours.key_hash not in detail.content.decode()


def test_the_admin_calls_them_api_tokens_in_capitals(client, team):
    root = User.objects.create_superuser(email="root@example.test", password="x")
    client.force_login(root)

    index = client.get(reverse("admin:index")).content.decode()
    listing = client.get(reverse("admin:accounts_apitoken_changelist")).content.decode()

    assert ">API tokens<" in index
    assert "Api token" not in index + listing
    assert "<title>Select API token to" in listing


def test_a_superuser_sees_personal_tokens_in_the_admin(client, team):
    api_token_create(name="personal", scope="read", user=team.viewer, created_by=None)
    root = User.objects.create_superuser(email="root@example.test", password="x")
    client.force_login(root)

    listing = client.get(reverse("admin:accounts_apitoken_changelist")).content.decode()

    assert "personal" in listing


def test_the_admin_revoke_action_revokes_the_selected_tokens(client, team, staff_admin):
    token, secret = api_token_create(
        name="ours", scope="read", organization=team.org, created_by=None
    )
    client.force_login(staff_admin)

    response = client.post(
        reverse("admin:accounts_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert admin_site.is_registered(ApiToken)
    assert APIClient().get("/api/v1/evidence/", **bearer(secret)).status_code == 401
