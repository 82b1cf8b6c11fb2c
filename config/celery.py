"""Celery application.

Tasks live in each app's ``tasks.py`` and are discovered automatically. Without
``CELERY_BROKER_URL`` the settings switch Celery to eager mode: tasks run in-process, so the
embedded setup needs no broker.
"""

import os
from logging.config import dictConfig

from celery import Celery
from celery.signals import setup_logging
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("caiq")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def use_django_logging(**kwargs) -> None:
    """Worker and beat log through Django's LOGGING (JSON lines in production), not Celery's own.

    Connecting to this signal is what stops Celery from configuring the root logger itself; the
    worker's --loglevel is therefore ignored in favour of LOG_LEVEL.
    """
    dictConfig(settings.LOGGING)
