"""What a drill asks of the app, run in a process of its own on the drill's database.

``python -m tests.drills.actions ACTION [ARG]`` with DJANGO_SETTINGS_MODULE=tests.drills.settings;
the last line printed is the answer as JSON. Each action goes through the same services as the
pages do.
"""

import datetime
import json
import sys

import django


def prepare() -> dict:
    """Migrate, seed the demo organisation and give its admin an API token."""
    from django.core.management import call_command

    from accounts.models import User
    from accounts.services_demo import DEMO_DOMAIN, DEMO_PASSWORD, demo_seed
    from accounts.tokens import api_token_create
    from caiq.models import Questionnaire

    call_command("migrate", verbosity=0)
    demo_seed()
    admin = User.objects.get(email=f"admin@{DEMO_DOMAIN}")
    _token, secret = api_token_create(name="drill", scope="write", created_by=admin, user=admin)
    questionnaire = Questionnaire.objects.get(organization__slug="demo")
    return {
        "questionnaire": questionnaire.pk,
        "email": admin.email,
        "password": DEMO_PASSWORD,
        "token": secret,
    }


def start_export(questionnaire_id: str) -> dict:
    """What the Export button does: a job row, published to the broker on commit."""
    from accounts.models import Membership
    from caiq.models import Questionnaire
    from caiq.services.jobs import job_start

    questionnaire = Questionnaire.objects.get(pk=questionnaire_id)
    membership = Membership.objects.select_related("user").get(
        organization=questionnaire.organization, role="admin"
    )
    job = job_start(
        questionnaire=questionnaire,
        membership=membership,
        user=membership.user,
        kind="export_xlsx",
    )
    job.refresh_from_db()
    return {"job": job.pk, "status": job.status}


def reap() -> dict:
    """The beat task's reaper, run as if the task time limit had passed."""
    from django.conf import settings
    from django.utils import timezone

    from caiq.services.jobs import job_reap_stuck

    later = timezone.now() + datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 61)
    return {"reaped": job_reap_stuck(now=later)}


def publish(job_id: str) -> dict:
    """One more message for a job, as a broker redelivering a stale one would send."""
    from caiq.tasks import run_job

    return {"task": run_job.delay(int(job_id)).id}


def export_digest(questionnaire_id: str) -> dict:
    """The questionnaire's export built in this one process, without a job: the reference the
    drills compare a job's file with."""
    import hashlib

    from caiq.models import Questionnaire
    from caiq.services.transfer import export_xlsx

    data = export_xlsx(Questionnaire.objects.get(pk=questionnaire_id))
    return {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}


ACTIONS = {
    "prepare": prepare,
    "start_export": start_export,
    "reap": reap,
    "publish": publish,
    "export_digest": export_digest,
}

if __name__ == "__main__":
    django.setup()
    name, *args = sys.argv[1:]
    print(json.dumps(ACTIONS[name](*args)))  # the answer to the drill
