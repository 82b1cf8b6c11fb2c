"""Each event the webhooks offer is published by the act it names, for the organisation it
happened in: a status change, a finished export, a STAR renewal reminder, evidence expiring or
expired (answer.approved: test_webhooks.py)."""

import datetime

import pytest
from django.utils import timezone

from caiq.models import JobKind, Questionnaire
from caiq.services import questionnaire_create, questionnaire_request_review
from caiq.services.jobs import job_start
from caiq.services.star import star_send_reminders
from evidence.services import evidence_create, evidence_send_reminders
from integrations import services
from integrations.models import Delivery, WebhookEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def hook(team, admin_membership):
    return services.endpoint_create(
        membership=admin_membership,
        user=team.admin,
        url="http://127.0.0.1:9/never-called",
        events=WebhookEvent.values,
    )


def events(hook) -> list[tuple[str, dict]]:
    return [(d.event, d.payload["data"]) for d in hook.deliveries.order_by("id")]


def test_a_status_change_is_published(hook, small_questionnaire, admin_membership):
    questionnaire_request_review(questionnaire=small_questionnaire, membership=admin_membership)

    ((event, data),) = events(hook)
    assert event == "questionnaire.status_changed"
    assert (data["questionnaire"], data["from"], data["to"]) == (
        small_questionnaire.pk,
        "draft",
        "in_review",
    )


def test_a_finished_export_is_published(
    hook, team, small_questionnaire, admin_membership, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(
            questionnaire=small_questionnaire,
            membership=admin_membership,
            user=team.admin,
            kind=JobKind.EXPORT_JSON,
        )

    assert ("export.finished", job.pk) in [(e, d.get("job")) for e, d in events(hook)]


def test_a_star_renewal_reminder_is_published(hook, small_questionnaire):
    Questionnaire.objects.filter(pk=small_questionnaire.pk).update(
        status="submitted", submitted_at=datetime.date(2026, 3, 10), star_level="1"
    )

    star_send_reminders(today=datetime.date(2027, 1, 9))

    ((event, data),) = events(hook)
    assert event == "star.renewal_due"
    assert (data["questionnaire"], data["days_left"]) == (small_questionnaire.pk, 60)


def test_evidence_expiring_and_expired_are_published(hook, team, membership_of):
    today = timezone.localdate()
    contributor = membership_of(team.contributor, team.org)
    for title, days in (("Old pentest", -3), ("SOC 2", 10), ("Fresh policy", 200)):
        evidence_create(
            membership=contributor,
            user=team.contributor,
            title=title,
            url="https://docs.example.test/x",
            owner=team.contributor,
            valid_until=today + datetime.timedelta(days=days),
        )

    evidence_send_reminders(today=today)

    assert sorted((e, d["title"]) for e, d in events(hook)) == [
        ("evidence.expired", "Old pentest"),
        ("evidence.expiring", "SOC 2"),
    ]


def test_another_organisations_acts_reach_none_of_its_endpoints(
    hook, team, membership_of, small_catalog
):
    other = membership_of(team.outsider, team.other_org)
    questionnaire = questionnaire_create(
        membership=other, version=small_catalog, name="Theirs", service_name="S"
    )

    questionnaire_request_review(questionnaire=questionnaire, membership=other)

    assert not Delivery.objects.exists()
