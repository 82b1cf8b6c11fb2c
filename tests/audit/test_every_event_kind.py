"""Every kind of audit event is recorded by the act it names: who, which organisation, what,
and from which address. One performer per kind; a kind without one fails the first test."""

import datetime
import io
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts import services as accounts_services
from accounts.models import Membership, Role, User
from accounts.tokens import api_token_create, api_token_revoke
from audit.context import bound_address
from audit.models import AuditEvent, EventKind
from caiq.models import Job, JobKind, JobStatus, Questionnaire, QuestionnaireStatus
from caiq.services import (
    catalog_import,
    questionnaire_create,
    questionnaire_mark_submitted,
    questionnaire_request_review,
)
from caiq.services import transfer as transfer_services
from caiq.services.jobs import job_run
from caiq.services.transfer import export_xlsx, import_workbook
from caiq.xlsx.builder import build_caiq_xlsx
from evidence.services import evidence_create, evidence_link, evidence_unlink
from sharing.services import share_link_create
from tests.workbooks import tiny_structure, to_bytes

pytestmark = pytest.mark.django_db
ADDRESS = "198.51.100.7"
SHEET = "CAIQv9.0.0"  # the small catalog's version


def admin_of(team) -> Membership:
    return Membership.objects.get(user=team.admin, organization=team.org)


def _invite(team):
    invitation, token = accounts_services.invitation_create(
        organization=team.org,
        email="new.person@example.test",
        role=Role.CONTRIBUTOR,
        invited_by=team.admin,
        base_url="https://caiq.example.test",
    )
    return invitation, token


def member_joined(team, questionnaire, client):
    _invitation, token = _invite(team)
    person = User.objects.create_user(email="new.person@example.test", password="x" * 16)
    accounts_services.invitation_accept(token=token, user=person)
    return person, "new.person@example.test", {"role": "contributor"}


def member_role_changed(team, questionnaire, client):
    # Through the members page: the address comes from the request, not from the test.
    target = Membership.objects.get(user=team.viewer, organization=team.org)
    client.force_login(team.admin)
    response = client.post(
        reverse("member_change_role", args=["acme", target.pk]),
        {"role": Role.REVIEWER},
        REMOTE_ADDR=ADDRESS,
    )
    assert response.status_code == 302
    return team.admin, team.viewer.email, {"from": "viewer", "to": "reviewer"}


def member_removed(team, questionnaire, client):
    target = Membership.objects.get(user=team.contributor, organization=team.org)
    accounts_services.membership_remove(membership=target, removed_by=team.admin)
    return team.admin, team.contributor.email, {"role": "contributor"}


def invitation_created(team, questionnaire, client):
    _invite(team)
    return team.admin, "new.person@example.test", {"role": "contributor"}


def invitation_revoked(team, questionnaire, client):
    invitation, _token = _invite(team)
    accounts_services.invitation_revoke(invitation=invitation, revoked_by=team.admin)
    return team.admin, "new.person@example.test", {"role": "contributor"}


def token_created(team, questionnaire, client):
    api_token_create(
        name="GRC sync",
        scope="write",
        created_by=team.admin,
        organization=team.org,
        acting_membership=admin_of(team),
    )
    return team.admin, "GRC sync", {"scope": "write", "owner": "organization"}


def token_changed(team, questionnaire, client):
    # Through the token page's edit form.
    token, _secret = api_token_create(
        name="GRC sync", scope="read", created_by=team.admin, organization=team.org
    )
    client.force_login(team.admin)
    response = client.post(
        reverse("organization_token_edit", args=["acme", token.pk]),
        {"name": "GRC nightly", "expires_on": "2031-01-31"},
        REMOTE_ADDR=ADDRESS,
    )
    assert response.status_code == 302
    return team.admin, "GRC nightly", {"scope": "read"}


def token_revoked(team, questionnaire, client):
    token, _secret = api_token_create(
        name="GRC sync", scope="read", created_by=team.admin, organization=team.org
    )
    api_token_revoke(token=token, revoked_by=team.admin)
    return team.admin, "GRC sync", {"scope": "read"}


def catalog_imported(team, questionnaire, client):
    team.admin.is_superuser = True
    catalog_import(
        data=build_caiq_xlsx(tiny_structure("9.9.1")), filename="v991.xlsx", imported_by=team.admin
    )
    return team.admin, "CAIQ v9.9.1", {"outcome": "created", "filename": "v991.xlsx"}


def questionnaire_created(team, questionnaire, client):
    questionnaire_create(
        membership=admin_of(team),
        version=questionnaire.version,
        name="Acme Compute 2027",
        service_name="Compute",
    )
    return team.admin, "Acme Compute 2027", {"caiq_version": "9.0.0"}


def questionnaire_status_changed(team, questionnaire, client):
    questionnaire_request_review(questionnaire=questionnaire, membership=admin_of(team))
    return team.admin, questionnaire.name, {"from": "draft", "to": "in_review"}


def questionnaire_submitted(team, questionnaire, client):
    Questionnaire.objects.filter(pk=questionnaire.pk).update(status=QuestionnaireStatus.APPROVED)
    questionnaire.refresh_from_db()
    questionnaire_mark_submitted(
        questionnaire=questionnaire,
        membership=admin_of(team),
        submitted_at=timezone.localdate(),
        star_registry_url="https://star.example.test/acme",
    )
    return (
        team.admin,
        questionnaire.name,
        {
            "from": "approved",
            "to": "submitted",
            "star_registry_url": "https://star.example.test/acme",
        },
    )


def answers_imported(team, questionnaire, client):
    workbook = load_workbook(io.BytesIO(export_xlsx(questionnaire)))
    workbook[SHEET]["C3"] = "Yes"  # A&A-01.1, blank until now
    contributor = Membership.objects.get(user=team.contributor, organization=team.org)
    import_workbook(
        questionnaire=questionnaire,
        data=to_bytes(workbook),
        user=team.contributor,
        membership=contributor,
    )
    return team.contributor, questionnaire.name, {"new": 1, "changed": 0, "clear_blank": False}


def _evidence_and_answer(team, questionnaire):
    contributor = Membership.objects.get(user=team.contributor, organization=team.org)
    evidence = evidence_create(
        membership=contributor, user=team.contributor, title="Pen test 2026", url="https://e.test"
    )
    answer = questionnaire.answers.select_related("question").order_by("question__position")[0]
    return contributor, evidence, answer


def evidence_linked(team, questionnaire, client):
    contributor, evidence, answer = _evidence_and_answer(team, questionnaire)
    evidence_link(evidence=evidence, answer=answer, membership=contributor, user=team.contributor)
    return team.contributor, "Pen test 2026", {"question": "A&A-01.1"}


def evidence_unlinked(team, questionnaire, client):
    contributor, evidence, answer = _evidence_and_answer(team, questionnaire)
    link = evidence_link(
        evidence=evidence, answer=answer, membership=contributor, user=team.contributor
    )
    evidence_unlink(link=link, membership=contributor)
    return team.contributor, "Pen test 2026", {"question": "A&A-01.1"}


def export_downloaded(team, questionnaire, client):
    # Through the transfer page's download link, as a viewer (viewers may export).
    job = Job.objects.create(
        organization=team.org,
        questionnaire=questionnaire,
        kind=JobKind.EXPORT_XLSX,
        created_by=team.viewer,
    )
    job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    client.force_login(team.viewer)
    response = client.get(
        reverse("caiq:job_download", args=[questionnaire.pk, job.pk]), REMOTE_ADDR=ADDRESS
    )
    assert response.status_code == 200
    return team.viewer, questionnaire.name, {"kind": "export_xlsx", "job": job.pk}


def _approved(questionnaire) -> Questionnaire:
    questionnaire.status = QuestionnaireStatus.APPROVED
    questionnaire.save(update_fields=["status"])
    return questionnaire


def share_link_created(team, questionnaire, client):
    client.force_login(team.admin)
    response = client.post(
        reverse("sharing:links", args=[_approved(questionnaire).pk]),
        {
            "recipient": "Initech",
            "expires_on": str(timezone.localdate() + datetime.timedelta(days=9)),
        },
        REMOTE_ADDR=ADDRESS,
    )
    assert response.status_code == 200
    return team.admin, "for Initech", {"questionnaire": questionnaire.pk, "nda": False}


def share_link_revoked(team, questionnaire, client):
    link, _token = share_link_create(
        questionnaire=_approved(questionnaire),
        membership=admin_of(team),
        user=team.admin,
        recipient="Initech",
        expires_at=timezone.now() + datetime.timedelta(days=3),
    )
    client.force_login(team.admin)
    response = client.post(
        reverse("sharing:revoke", args=[questionnaire.pk, link.pk]), REMOTE_ADDR=ADDRESS
    )
    assert response.status_code == 302
    return team.admin, "Initech", {}


def sso_changed(team, questionnaire, client):
    client.force_login(team.admin)
    response = client.post(
        "/orgs/acme/sso/",
        {
            "issuer": "https://idp.acme.test",
            "client_id": "caiq",
            "client_secret": "s3cret-value",
            "domains": "acme.test",
            "default_role": "viewer",
            "enabled": "on",
        },
        REMOTE_ADDR=ADDRESS,
    )
    assert response.status_code == 302
    return team.admin, "Single sign-on of Acme", {"enabled": True, "secret_changed": True}


PERFORMERS: dict[EventKind, Callable] = {
    EventKind.MEMBER_JOINED: member_joined,
    EventKind.MEMBER_ROLE_CHANGED: member_role_changed,
    EventKind.MEMBER_REMOVED: member_removed,
    EventKind.INVITATION_CREATED: invitation_created,
    EventKind.INVITATION_REVOKED: invitation_revoked,
    EventKind.TOKEN_CREATED: token_created,
    EventKind.TOKEN_CHANGED: token_changed,
    EventKind.TOKEN_REVOKED: token_revoked,
    EventKind.CATALOG_IMPORTED: catalog_imported,
    EventKind.QUESTIONNAIRE_CREATED: questionnaire_created,
    EventKind.QUESTIONNAIRE_STATUS_CHANGED: questionnaire_status_changed,
    EventKind.QUESTIONNAIRE_SUBMITTED: questionnaire_submitted,
    EventKind.ANSWERS_IMPORTED: answers_imported,
    EventKind.EVIDENCE_LINKED: evidence_linked,
    EventKind.EVIDENCE_UNLINKED: evidence_unlinked,
    EventKind.EXPORT_DOWNLOADED: export_downloaded,
    EventKind.SHARE_LINK_CREATED: share_link_created,
    EventKind.SHARE_LINK_REVOKED: share_link_revoked,
    EventKind.SSO_CHANGED: sso_changed,
}
PLATFORM_KINDS = {EventKind.CATALOG_IMPORTED}


def test_every_event_kind_has_a_test_that_performs_it():
    assert set(PERFORMERS) == set(EventKind)


@pytest.mark.parametrize("kind", list(PERFORMERS), ids=lambda kind: kind.value)
def test_the_act_records_its_event(kind, team, small_questionnaire, client):
    before = AuditEvent.objects.filter(kind=kind).count()

    with bound_address(ADDRESS):  # what the middleware binds; the page performers use a request
        actor, label, details = PERFORMERS[kind](team, small_questionnaire, client)

    events = AuditEvent.objects.filter(kind=kind).order_by("-id")
    assert events.count() == before + 1, f"{kind}: expected exactly one new event"
    event = events.first()
    assert event.actor == actor
    assert event.actor_label == actor.email
    expected_org = None if kind in PLATFORM_KINDS else team.org
    assert event.organization == expected_org
    assert label in event.target_label
    assert details.items() <= event.details.items(), event.details
    assert event.address == ADDRESS
    assert event.occurred_at <= timezone.now()


def test_a_personal_token_is_logged_in_every_organisation_of_its_owner(team):
    Membership.objects.create(user=team.viewer, organization=team.other_org, role=Role.VIEWER)

    api_token_create(name="laptop", scope="read", created_by=team.viewer, user=team.viewer)

    logged_in = set(
        AuditEvent.objects.filter(kind=EventKind.TOKEN_CREATED).values_list(
            "organization__slug", flat=True
        )
    )
    assert logged_in == {"acme", "globex"}


def test_a_token_change_records_what_changed(team, client):
    token, _secret = api_token_create(
        name="GRC sync", scope="read", created_by=team.admin, organization=team.org
    )
    client.force_login(team.admin)
    url = reverse("organization_token_edit", args=["acme", token.pk])

    client.post(url, {"name": "GRC sync", "expires_on": "2031-01-31"})
    client.post(url, {"name": "GRC sync", "expires_on": "2031-01-31"})  # nothing changes

    event = AuditEvent.objects.get(kind=EventKind.TOKEN_CHANGED)
    assert list(event.details["changed"]) == ["expires_at"]
    assert event.details["changed"]["expires_at"][0] is None


def test_an_import_run_by_a_worker_records_the_address_it_was_started_from(
    team, small_questionnaire, client, django_capture_on_commit_callbacks
):
    workbook = load_workbook(io.BytesIO(export_xlsx(small_questionnaire)))
    workbook[SHEET]["C3"] = "Yes"
    client.force_login(team.contributor)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("caiq:job_start", args=[small_questionnaire.pk, JobKind.IMPORT_XLSX]),
            {"workbook": SimpleUploadedFile("filled.xlsx", to_bytes(workbook))},
            REMOTE_ADDR="203.0.113.50",
        )

    job = Job.objects.get(kind=JobKind.IMPORT_XLSX)
    assert job.status == JobStatus.SUCCEEDED, job.message
    event = AuditEvent.objects.get(kind=EventKind.ANSWERS_IMPORTED)
    assert (event.actor, event.address) == (team.contributor, "203.0.113.50")


def test_a_forwarded_address_is_taken_from_the_trusted_proxy_and_junk_is_not_recorded(
    team, client, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    target = Membership.objects.get(user=team.viewer, organization=team.org)
    client.force_login(team.admin)
    url = reverse("member_change_role", args=["acme", target.pk])

    client.post(url, {"role": "reviewer"}, HTTP_X_FORWARDED_FOR="6.6.6.6, 192.0.2.10")
    client.post(url, {"role": "viewer"}, HTTP_X_FORWARDED_FOR="not-an-address")

    addresses = list(
        AuditEvent.objects.filter(kind=EventKind.MEMBER_ROLE_CHANGED)
        .order_by("id")
        .values_list("address", flat=True)
    )
    assert addresses == ["192.0.2.10", None]


def test_an_event_that_cannot_be_written_undoes_the_act(team, small_questionnaire, monkeypatch):
    # The event is written in the act's own transaction: no import without its record.
    def broken(*args, **kwargs):
        raise RuntimeError("audit table unavailable")

    monkeypatch.setattr(transfer_services, "audit_record", broken)
    workbook = load_workbook(io.BytesIO(export_xlsx(small_questionnaire)))
    workbook[SHEET]["C3"] = "Yes"
    contributor = Membership.objects.get(user=team.contributor, organization=team.org)
    first = small_questionnaire.answers.get(question__code="A&A-01.1")

    with pytest.raises(RuntimeError):
        import_workbook(
            questionnaire=small_questionnaire,
            data=to_bytes(workbook),
            user=team.contributor,
            membership=contributor,
        )

    after = small_questionnaire.answers.get(question__code="A&A-01.1")
    assert (after.answer, after.revision) == ("", first.revision)
    assert not first.changes.exists()
