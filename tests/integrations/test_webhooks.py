"""Webhooks end to end against a receiver on loopback: signed per Standard Webhooks, retried
after 500s and a timeout with backoff, in order per endpoint, redelivered by hand, switched off
after failing again and again; never sent to private addresses unless allowed."""

import datetime
import json

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from standardwebhooks import Webhook

from caiq.services import answer_approve, answer_mark_ready, answer_update
from config.events import publish
from integrations import services
from integrations.models import Attempt, Delivery, DeliveryStatus, Endpoint

pytestmark = pytest.mark.django_db


def endpoint(team, admin_membership, url, events=("answer.approved",)):
    return services.endpoint_create(
        membership=admin_membership, user=team.admin, url=url, events=list(events)
    )


def emit(team, n=1, on_commit=None):
    """n questionnaire events for the organisation, committed (their sending queued)."""
    for i in range(n):
        publish(
            "questionnaire.status_changed",
            organization_id=team.org.pk,
            data={"questionnaire": i, "from": "draft", "to": "in_review"},
        )


def test_an_approved_answer_reaches_the_receiver_signed(
    team, small_questionnaire, admin_membership, membership_of, receiver,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    hook = endpoint(team, admin_membership, receiver.url)
    answer = small_questionnaire.answers.select_related("questionnaire", "question").first()
    contributor = membership_of(team.contributor, team.org)
    answer = answer_update(
        answer=answer, membership=contributor, user=team.contributor,
        values={"answer": "Yes", "ssrm": "CSP-owned", "implementation": "Done."},
        base_revision=answer.revision,
    )  # fmt: skip
    answer = answer_mark_ready(answer=answer, membership=contributor, user=team.contributor)

    with django_capture_on_commit_callbacks(execute=True):
        answer_approve(
            answer=answer, membership=membership_of(team.reviewer, team.org), user=team.reviewer
        )

    (got,) = receiver.received
    payload = Webhook(hook.secret).verify(got.body, got.headers)  # raises if the signature is off
    assert payload["type"] == "answer.approved"
    assert payload["data"]["question"] == answer.question.code
    assert payload["data"]["approved_by"] == team.reviewer.email
    assert got.headers["webhook-id"].startswith("msg_")
    delivery = Delivery.objects.get(endpoint=hook)
    assert delivery.status == DeliveryStatus.SUCCEEDED
    attempt = Attempt.objects.get(delivery=delivery)
    assert attempt.status_code == 200
    assert attempt.error == ""
    # A forged body does not verify.
    with pytest.raises(Exception, match="signature"):
        Webhook(hook.secret).verify(got.body.replace(b"Yes", b"No ") + b" ", got.headers)


def test_500s_and_a_timeout_are_retried_with_growing_waits_then_delivered(
    team, admin_membership, receiver
):
    hook = endpoint(team, admin_membership, receiver.url, ["questionnaire.status_changed"])
    receiver.script = [500, "slow", 200]
    emit(team)  # no on_commit here: the deliveries are sent by hand, on a moving clock
    start = timezone.now()

    services.deliver_endpoint(hook.pk, now=start)
    delivery = Delivery.objects.get(endpoint=hook)
    first_wait = delivery.next_attempt_at - start
    services.deliver_endpoint(hook.pk, now=start + datetime.timedelta(seconds=5))  # not yet due
    services.deliver_endpoint(hook.pk, now=delivery.next_attempt_at)
    delivery.refresh_from_db()
    second_wait = delivery.next_attempt_at - (start + first_wait)
    services.deliver_endpoint(hook.pk, now=delivery.next_attempt_at)

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert delivery.attempts == 3
    tries = list(delivery.tries.order_by("id").values_list("status_code", "error"))
    assert tries[0] == (500, "Answered 500.")
    assert tries[1] == (None, "No answer within the time limit.")
    assert tries[2] == (200, "")
    assert first_wait == datetime.timedelta(seconds=30)
    assert second_wait == datetime.timedelta(seconds=60)
    assert len({r.headers["webhook-id"] for r in receiver.received}) == 1  # the same message


def test_messages_reach_an_endpoint_in_order_even_when_one_is_retried(
    team, admin_membership, receiver
):
    hook = endpoint(team, admin_membership, receiver.url, ["questionnaire.status_changed"])
    receiver.script = [503, 503]
    emit(team, 3)
    now = timezone.now()

    for _ in range(4):
        services.deliver_endpoint(hook.pk, now=now)
        now += datetime.timedelta(hours=1)

    sent = [json.loads(r.body)["data"]["questionnaire"] for r in receiver.received]
    assert sent == [0, 0, 0, 1, 2]  # the first three times the first message, then the rest
    assert set(hook.deliveries.values_list("status", flat=True)) == {DeliveryStatus.SUCCEEDED}


def test_a_redelivery_sends_the_same_message_again(
    team, admin_membership, receiver, django_capture_on_commit_callbacks
):
    hook = endpoint(team, admin_membership, receiver.url, ["questionnaire.status_changed"])
    with django_capture_on_commit_callbacks(execute=True):
        emit(team)
    first = Delivery.objects.get(endpoint=hook)

    with django_capture_on_commit_callbacks(execute=True):
        again = services.delivery_redeliver(delivery=first, membership=admin_membership)

    assert len(receiver.received) == 2
    assert receiver.received[0].headers["webhook-id"] == receiver.received[1].headers["webhook-id"]
    again.refresh_from_db()
    assert again.pk != first.pk
    assert again.status == DeliveryStatus.SUCCEEDED


@override_settings(WEBHOOK_DISABLE_AFTER=3)
def test_an_endpoint_that_keeps_failing_is_switched_off_and_its_admins_told(
    team, admin_membership, receiver, django_capture_on_commit_callbacks
):
    hook = endpoint(team, admin_membership, receiver.url, ["questionnaire.status_changed"])
    receiver.script = [500] * 10
    emit(team)
    now = timezone.now()

    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            services.deliver_endpoint(hook.pk, now=now)
            now += datetime.timedelta(hours=1)

    hook.refresh_from_db()
    assert hook.is_active is False
    assert hook.disabled_reason == "3 failed attempts in a row"
    assert len(receiver.received) == 3  # nothing more once it is off
    assert [m.to for m in mail.outbox] == [[team.admin.email]]
    assert hook.url in mail.outbox[0].subject
    # Switched on again by an admin: the waiting message goes.
    receiver.script = []
    with django_capture_on_commit_callbacks(execute=True):
        services.endpoint_update(
            endpoint=hook, membership=admin_membership, url=hook.url,
            events=hook.events, description="", is_active=True,
        )  # fmt: skip
    assert Delivery.objects.get(endpoint=hook).status == DeliveryStatus.SUCCEEDED


def test_only_subscribed_active_endpoints_of_the_organisation_get_a_message(
    team, admin_membership, membership_of, receiver
):
    subscribed = endpoint(team, admin_membership, receiver.url, ["questionnaire.status_changed"])
    other_event = endpoint(team, admin_membership, receiver.url, ["answer.approved"])
    off = endpoint(team, admin_membership, receiver.url, ["questionnaire.status_changed"])
    Endpoint.objects.filter(pk=off.pk).update(is_active=False)
    foreign = endpoint(
        team, membership_of(team.outsider, team.other_org), receiver.url,
        ["questionnaire.status_changed"],
    )  # fmt: skip

    emit(team)

    assert list(Delivery.objects.values_list("endpoint", flat=True)) == [subscribed.pk]
    assert not Delivery.objects.filter(endpoint__in=[other_event, off, foreign]).exists()


def test_an_act_that_rolls_back_sends_nothing(team, admin_membership, receiver):
    endpoint(team, admin_membership, receiver.url, ["questionnaire.status_changed"])

    def act():
        with transaction.atomic():
            emit(team)
            raise RuntimeError("the act failed")

    with pytest.raises(RuntimeError):
        act()

    assert not Delivery.objects.exists()


PRIVATE = [
    "http://127.0.0.1:9/",
    "http://localhost/",
    "http://10.1.2.3/",
    "http://192.168.0.1/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://100.64.0.1/",
]


@override_settings(WEBHOOKS_ALLOW_PRIVATE=False)
@pytest.mark.parametrize("url", PRIVATE)
def test_private_loopback_and_link_local_addresses_are_refused(team, admin_membership, url):
    with pytest.raises(ValidationError, match="public addresses only"):
        endpoint(team, admin_membership, url)
    assert not Endpoint.objects.exists()


@override_settings(WEBHOOKS_ALLOW_PRIVATE=False)
def test_other_schemes_are_refused(team, admin_membership):
    with pytest.raises(ValidationError, match="http:// or https://"):
        endpoint(team, admin_membership, "file:///etc/passwd")


def test_an_address_turned_private_is_refused_when_sending(team, admin_membership, receiver):
    hook = endpoint(team, admin_membership, receiver.url, ["questionnaire.status_changed"])
    emit(team)

    with override_settings(WEBHOOKS_ALLOW_PRIVATE=False):
        services.deliver_endpoint(hook.pk)

    assert receiver.received == []
    attempt = Attempt.objects.get()
    assert attempt.status_code is None
    assert "public addresses only" in attempt.error


def test_the_log_forgets_finished_messages_after_30_days_but_never_pending_ones(
    team, admin_membership, receiver
):
    hook = endpoint(team, admin_membership, receiver.url, ["questionnaire.status_changed"])
    receiver.script = [200, 500]
    emit(team, 2)
    services.deliver_endpoint(hook.pk)  # the first delivered, the second waits for a retry
    Delivery.objects.update(created_at=timezone.now() - datetime.timedelta(days=31))
    emit(team)  # a recent one

    pruned = services.prune_deliveries()

    assert pruned == 1
    assert sorted(hook.deliveries.values_list("status", flat=True)) == ["pending", "pending"]
    assert Attempt.objects.filter(delivery__endpoint=hook).count() == 1  # the retried one's
