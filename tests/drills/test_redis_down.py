"""Drill: Redis is down (cache and broker refuse connections) or hangs (accepts, never answers).

Pages, saves and the API keep working (the API throttle fails open); starting a job answers
within seconds with "The job queue is not reachable …" and leaves the job failed, never
"queued". The outage is real: the settings point at a loopback port where nothing listens, and
the requests go through the whole stack (middleware, django-axes, DRF, Celery's publish).
"""

import contextlib
import logging
import socket
import threading
import time
from collections.abc import Iterator

import pytest
from celery import Celery
from django.test import override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.tokens import api_token_create
from caiq.models import Answer, Job, JobStatus
from config import celery_app
from tests.factories import PASSWORD

from .conftest import closed_port

pytestmark = [pytest.mark.drill, pytest.mark.django_db(transaction=True)]

UNREACHABLE = "The job queue is not reachable right now"
LOCAL_CACHE = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@contextlib.contextmanager
def broker_and_cache_at(url: str, caches: dict) -> Iterator[Celery]:
    """The settings of a deployment whose Redis is ``url``, and a Celery app made from them (a
    fresh one: the project's app already read the test settings, eager and brokerless)."""
    with override_settings(
        CACHE_URL=url, CACHES=caches, CELERY_BROKER_URL=url, CELERY_TASK_ALWAYS_EAGER=False
    ):
        app = Celery("caiq-drill")
        app.config_from_object("django.conf:settings", namespace="CELERY")
        assert (app.conf.broker_url, app.conf.task_always_eager) == (url, False)
        app.set_current()  # the shared task caiq.run_job publishes through the current app
        try:
            yield app
        finally:
            celery_app.set_current()
            app.close()


@pytest.fixture
def redis_down() -> Iterator[str]:
    with closed_port() as port:
        url = f"redis://127.0.0.1:{port}/0"
        redis_cache = {
            "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
        }
        with broker_and_cache_at(url, redis_cache):
            yield url


@pytest.fixture
def redis_hung() -> Iterator[str]:
    """A Redis that accepts connections and never answers (overloaded, or a half-open link)."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept():
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                held.append(server.accept()[0])

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    url = f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    try:
        with broker_and_cache_at(url, LOCAL_CACHE):
            yield url
    finally:
        stop.set()
        thread.join(timeout=5)
        for connection in [server, *held]:
            connection.close()


def test_pages_saves_and_the_api_keep_working_while_redis_is_down(
    redis_down, client, team, questionnaire, caplog
):
    answer = questionnaire.answers.order_by("pk").first()
    _token, secret = api_token_create(
        name="GRC", scope="read", created_by=team.contributor, user=team.contributor
    )
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")

    login_page = client.get(reverse("login"))
    login = client.post(
        reverse("login"), {"username": team.contributor.email, "password": PASSWORD}
    )
    pages = {
        name: client.get(url).status_code
        for name, url in {
            "dashboard": reverse("home"),
            "questionnaires": reverse("caiq:questionnaire_list"),
            "fill": reverse("caiq:fill", args=[questionnaire.pk]),
            "evidence": reverse("evidence:list"),
        }.items()
    }
    save = client.post(
        reverse("caiq:answer_save", args=[questionnaire.pk, answer.pk]),
        {"answer": "NA", "revision": answer.revision},
    )
    with caplog.at_level(logging.WARNING, logger="accounts.api.authentication"):
        answers = api.get("/api/v1/answers/", {"questionnaire": questionnaire.pk})

    assert login_page.status_code == 200
    assert login.status_code == 302, "signed in (django-axes keeps its records in the database)"
    assert pages == dict.fromkeys(pages, 200)
    assert save.status_code == 302
    assert Answer.objects.get(pk=answer.pk).answer == "NA"
    assert answers.status_code == 200
    assert answers.json()["results"]
    assert "API request not throttled: the cache is unreachable" in caplog.text


def test_starting_an_export_on_the_page_while_redis_is_down_says_so_and_fails_the_job(
    redis_down, client, team, questionnaire
):
    client.force_login(team.contributor)

    started = time.monotonic()
    response = client.post(
        reverse("caiq:job_start", args=[questionnaire.pk, "export_xlsx"]), follow=True
    )
    elapsed = time.monotonic() - started

    job = Job.objects.get(questionnaire=questionnaire)
    assert response.status_code == 200
    assert UNREACHABLE in response.content.decode()
    assert job.status == JobStatus.FAILED
    assert job.message.startswith(UNREACHABLE)
    assert job.finished_at is not None
    assert elapsed < 5, f"the page took {elapsed:.1f} s to say the queue is down"


def test_starting_an_export_over_the_api_while_redis_is_down_says_so_and_fails_the_job(
    redis_down, team, questionnaire
):
    _token, secret = api_token_create(
        name="GRC", scope="write", created_by=team.contributor, user=team.contributor
    )
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")

    started = time.monotonic()
    response = api.post(f"/api/v1/questionnaires/{questionnaire.pk}/jobs/", {"kind": "export_xlsx"})
    elapsed = time.monotonic() - started

    error = response.json()["error"]
    assert response.status_code == 503
    assert error["code"] == "queue_unavailable"
    assert error["message"].startswith(UNREACHABLE)
    assert Job.objects.get(pk=error["details"]["job"]).status == JobStatus.FAILED
    assert elapsed < 5, f"the API took {elapsed:.1f} s to say the queue is down"


def test_starting_an_export_while_redis_hangs_fails_within_seconds(
    redis_hung, client, team, questionnaire
):
    client.force_login(team.contributor)

    started = time.monotonic()
    response = client.post(
        reverse("caiq:job_start", args=[questionnaire.pk, "export_xlsx"]), follow=True
    )
    elapsed = time.monotonic() - started

    job = Job.objects.get(questionnaire=questionnaire)
    assert UNREACHABLE in response.content.decode()
    assert (job.status, job.message.startswith(UNREACHABLE)) == (JobStatus.FAILED, True)
    assert elapsed < 10, f"the page took {elapsed:.1f} s to say the queue does not answer"
