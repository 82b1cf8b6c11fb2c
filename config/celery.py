"""Celery application.

Tasks live in each app's ``tasks.py`` and are discovered automatically. Without
``CELERY_BROKER_URL`` the settings switch Celery to eager mode: tasks run in-process, so the
embedded setup needs no broker.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("caiq")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
