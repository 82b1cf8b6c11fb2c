"""Reading the audit log: the page for an organisation's admins, the API, the admin; nothing
in any of them can change an event, and no organisation sees another's."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.db import DatabaseError, transaction
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import services as accounts_services
from accounts.models import Membership, Role
from audit.models import AuditEvent, EventKind
from audit.services import audit_record
from caiq.services import catalog_import
from caiq.xlsx.builder import build_caiq_xlsx
from tests.factories import MembershipFactory, UserFactory
from tests.workbooks import tiny_structure

pytestmark = pytest.mark.django_db


@pytest.fixture
def logs(team):
    """Acme: a role change by its admin and an invitation; Globex: one of its own."""
    viewer = Membership.objects.get(user=team.viewer, organization=team.org)
    accounts_services.membership_change_role(
        membership=viewer, role=Role.REVIEWER, changed_by=team.admin
    )
    accounts_services.invitation_create(
        organization=team.org,
        email="acme-invitee@example.test",
        role=Role.VIEWER,
        invited_by=team.admin,
        base_url="https://caiq.example.test",
    )
    accounts_services.invitation_create(
        organization=team.other_org,
        email="globex-invitee@example.test",
        role=Role.VIEWER,
        invited_by=team.outsider,
        base_url="https://caiq.example.test",
    )
    return team


def page(client, user, slug="acme", **params):
    client.force_login(user)
    return client.get(reverse("audit_log", args=[slug]), params)


# --- The page ---------------------------------------------------------------------------------


# Who may open the page (admins only, 404 to outsiders) is in tests/api/test_permission_matrix.


def test_the_page_asks_a_signed_out_visitor_to_log_in(logs, client):
    response = client.get(reverse("audit_log", args=["acme"]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_page_lists_who_did_what_newest_first_and_never_another_organisations(logs, client):
    response = page(client, logs.admin)

    events = list(response.context["page"].object_list)
    assert (
        [e.kind for e in events]
        == [
            EventKind.INVITATION_CREATED,
            EventKind.MEMBER_ROLE_CHANGED,
            EventKind.MEMBER_JOINED,  # the factory's memberships are not joins; Acme's creation is
        ][: len(events)]
    )
    text = response.content.decode()
    assert "acme-invitee@example.test" in text
    assert "globex-invitee@example.test" not in text
    assert all(e.organization_id == logs.org.pk for e in events)


def test_the_page_filters_by_event_person_and_dates(logs, client):
    today = timezone.localdate()
    audit_record(
        EventKind.TOKEN_CREATED, organization=logs.org, actor=logs.reviewer, target_label="sync"
    )

    by_kind = page(client, logs.admin, kind=EventKind.MEMBER_ROLE_CHANGED)
    by_actor = page(client, logs.admin, actor=logs.reviewer.email.upper())
    in_range = page(client, logs.admin, since=today.isoformat(), until=today.isoformat())
    before = page(client, logs.admin, until=(today - datetime.timedelta(days=1)).isoformat())

    assert [e.kind for e in by_kind.context["page"]] == [EventKind.MEMBER_ROLE_CHANGED]
    assert [e.target_label for e in by_actor.context["page"]] == ["sync"]
    assert len(in_range.context["page"].object_list) == 3
    assert list(before.context["page"]) == []
    assert "No events match these filters." in before.content.decode()


def test_the_page_reads_a_long_log_in_a_fixed_number_of_queries(
    logs, client, django_assert_max_num_queries
):
    for number in range(120):
        audit_record(
            EventKind.EXPORT_DOWNLOADED,
            organization=logs.org,
            actor=logs.viewer,
            target_label=f"export {number}",
            details={"job": number},
        )
    client.force_login(logs.admin)

    with django_assert_max_num_queries(9):
        response = client.get(reverse("audit_log", args=["acme"]), {"page": 2})

    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 50
    assert "Page 2 of 3" in response.content.decode()


def test_the_page_has_no_way_to_change_an_event(logs, client):
    client.force_login(logs.admin)

    response = client.post(reverse("audit_log", args=["acme"]), {"kind": "member.joined"})

    assert response.status_code == 405


# --- Events never change ----------------------------------------------------------------------


def test_an_event_cannot_be_saved_again_or_deleted_from_the_model(logs):
    event = AuditEvent.objects.filter(organization=logs.org).first()
    event.actor_label = "someone else"

    with pytest.raises(ValueError, match="never changed"):
        event.save()
    with pytest.raises(ValueError, match="never deleted"):
        event.delete()


def test_the_database_refuses_an_update_from_any_path(logs):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(organization=logs.org).update(actor_label="someone else")

    assert not AuditEvent.objects.filter(actor_label="someone else").exists()


# --- The API ----------------------------------------------------------------------------------


def api(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def test_the_api_lists_the_events_of_the_organisations_an_admin_administers(logs):
    response = api(logs.admin).get("/api/v1/audit-events/")

    assert response.status_code == 200
    rows = response.json()["results"]
    assert {row["organization"] for row in rows} == {"acme"}
    invitation = next(row for row in rows if row["kind"] == "invitation.created")
    assert invitation["actor"] == logs.admin.email
    assert invitation["target"]["label"] == "acme-invitee@example.test"
    assert invitation["details"] == {"role": "viewer"}
    assert invitation["kind_label"] == "Invitation sent"


def test_the_api_gives_members_who_are_not_admins_nothing(logs):
    response = api(logs.reviewer).get("/api/v1/audit-events/")

    assert response.status_code == 200
    assert response.json()["results"] == []


def test_the_api_never_shows_another_organisations_events_even_when_asked(logs):
    response = api(logs.outsider).get("/api/v1/audit-events/", {"organization": "acme"})

    assert response.status_code == 200
    assert response.json()["results"] == []
    own = api(logs.outsider).get("/api/v1/audit-events/").json()["results"]
    assert [row["target"]["label"] for row in own] == ["globex-invitee@example.test"]


def test_the_api_filters_and_walks_the_log_with_a_cursor(logs):
    for number in range(5):
        audit_record(
            EventKind.EXPORT_DOWNLOADED,
            organization=logs.org,
            actor=logs.viewer,
            target_label=f"export {number}",
        )
    client = api(logs.admin)

    first = client.get("/api/v1/audit-events/", {"kind": "export.downloaded", "page_size": 3})
    second = client.get(first.json()["next"])

    labels = [row["target"]["label"] for row in first.json()["results"]]
    labels += [row["target"]["label"] for row in second.json()["results"]]
    assert labels == [f"export {n}" for n in (4, 3, 2, 1, 0)]
    assert second.json()["next"] is None


def test_the_api_refuses_writes(logs):
    client = api(logs.admin)

    assert client.post("/api/v1/audit-events/", {}, format="json").status_code == 405
    event = AuditEvent.objects.filter(organization=logs.org).first()
    assert client.delete(f"/api/v1/audit-events/{event.pk}/").status_code == 404


# --- The admin --------------------------------------------------------------------------------


@pytest.fixture
def platform_event(db):
    catalog_import(data=build_caiq_xlsx(tiny_structure("9.9.2")), filename="v992.xlsx")
    return AuditEvent.objects.get(kind=EventKind.CATALOG_IMPORTED)


def test_tenant_staff_see_only_their_organisations_events_in_the_admin(
    logs, client, platform_event
):
    staff = MembershipFactory(
        organization=logs.org, role=Role.ADMIN, user=UserFactory(is_staff=True)
    ).user
    staff.user_permissions.add(Permission.objects.get(codename="view_auditevent"))
    client.force_login(staff)

    response = client.get(reverse("admin:audit_auditevent_changelist"))

    assert response.status_code == 200
    shown = set(response.context["cl"].queryset.values_list("organization__slug", flat=True))
    assert shown == {"acme"}
    assert "Globex" not in response.content.decode()  # not even as a filter choice
    other = AuditEvent.objects.filter(organization=logs.other_org).first()
    assert client.get(reverse("admin:audit_auditevent_change", args=[other.pk])).status_code == 404
    assert (
        client.get(reverse("admin:audit_auditevent_change", args=[platform_event.pk])).status_code
        == 404
    )


def test_the_admin_shows_events_read_only_even_to_a_superuser(logs, client, platform_event):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    change = reverse("admin:audit_auditevent_change", args=[platform_event.pk])

    assert client.get(reverse("admin:audit_auditevent_changelist")).status_code == 200
    assert client.get(change).status_code == 200  # viewable
    assert client.post(change, {"actor_label": "x"}).status_code == 403
    delete = reverse("admin:audit_auditevent_delete", args=[platform_event.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    platform_event.refresh_from_db()
    assert platform_event.actor_label == "command line"
