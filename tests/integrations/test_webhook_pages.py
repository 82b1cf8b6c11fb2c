"""The webhook pages, for the organisation's admins only: add an endpoint, read the delivery
log (status codes, response times), redeliver; everyone else gets a 404."""

import pytest
from django.urls import reverse

from integrations.models import Delivery, Endpoint
from integrations.services import deliver_endpoint

from .test_webhooks import emit

pytestmark = pytest.mark.django_db


def test_an_admin_adds_an_endpoint_and_reads_its_delivery_log(client, team, receiver):
    client.force_login(team.admin)
    receiver.script = [502]

    added = client.post(
        reverse("integrations:endpoints", args=["acme"]),
        {"url": receiver.url, "events": ["questionnaire.status_changed"], "description": "GRC"},
    )
    hook = Endpoint.objects.get()
    emit(team)
    deliver_endpoint(hook.pk)
    page = client.get(reverse("integrations:endpoint", args=["acme", hook.pk]))

    assert added.status_code == 302
    assert (hook.organization, hook.events, hook.created_by) == (
        team.org,
        ["questionnaire.status_changed"],
        team.admin,
    )
    assert "502 in" in page.text  # the status code and how long it took
    assert "Answered 502." in page.text
    assert hook.secret in page.text


def test_a_bad_url_is_refused_in_one_sentence(client, team, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    client.force_login(team.admin)

    page = client.post(
        reverse("integrations:endpoints", args=["acme"]),
        {"url": "http://127.0.0.1:8000/", "events": ["answer.approved"]},
        follow=True,
    )

    assert "resolves to 127.0.0.1, a private, loopback or link-local address" in page.text
    assert not Endpoint.objects.exists()


def test_redelivery_from_the_page(client, team, receiver, django_capture_on_commit_callbacks):
    client.force_login(team.admin)
    client.post(
        reverse("integrations:endpoints", args=["acme"]),
        {"url": receiver.url, "events": ["questionnaire.status_changed"]},
    )
    hook = Endpoint.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        emit(team)
    first = Delivery.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("integrations:redeliver", args=["acme", hook.pk, first.pk]))

    assert len(receiver.received) == 2
    assert Delivery.objects.count() == 2


def test_webhooks_are_invisible_to_everyone_but_the_organisations_admins(client, team, receiver):
    client.force_login(team.admin)
    client.post(
        reverse("integrations:endpoints", args=["acme"]),
        {"url": receiver.url, "events": ["answer.approved"]},
    )
    hook = Endpoint.objects.get()
    for user in (team.reviewer, team.outsider):
        client.force_login(user)
        assert client.get(reverse("integrations:endpoints", args=["acme"])).status_code == 404
        assert (
            client.get(reverse("integrations:endpoint", args=["acme", hook.pk])).status_code == 404
        )
    # The outsider's own organisation does not reach it either.
    client.force_login(team.outsider)
    assert client.get(reverse("integrations:endpoint", args=["globex", hook.pk])).status_code == 404


def test_a_test_message_reaches_the_receiver_signed(
    client, team, receiver, django_capture_on_commit_callbacks
):
    from standardwebhooks import Webhook

    client.force_login(team.admin)
    client.post(
        reverse("integrations:endpoints", args=["acme"]),
        {"url": receiver.url, "events": ["answer.approved"]},
    )
    hook = Endpoint.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("integrations:send_test", args=["acme", hook.pk]))

    (got,) = receiver.received
    payload = Webhook(hook.secret).verify(got.body, got.headers)
    assert payload["type"] == "webhook.test"
    assert payload["data"]["sent_by"] == team.admin.email


def test_deleting_an_endpoint_removes_it_and_its_log(client, team, receiver):
    client.force_login(team.admin)
    client.post(
        reverse("integrations:endpoints", args=["acme"]),
        {"url": receiver.url, "events": ["questionnaire.status_changed"]},
    )
    hook = Endpoint.objects.get()
    emit(team)
    client.force_login(team.outsider)
    assert client.post(reverse("integrations:delete", args=["acme", hook.pk])).status_code == 404
    client.force_login(team.admin)

    response = client.post(reverse("integrations:delete", args=["acme", hook.pk]))

    assert response.status_code == 302
    assert not Endpoint.objects.exists()
    assert not Delivery.objects.exists()
