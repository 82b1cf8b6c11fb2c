from django.conf import settings

from config import celery_app


def test_celery_reads_django_settings_and_runs_in_process_without_a_broker():
    assert settings.CELERY_BROKER_URL is None or settings.CELERY_TASK_ALWAYS_EAGER is False
    assert celery_app.conf.task_always_eager is settings.CELERY_TASK_ALWAYS_EAGER
    assert celery_app.conf.task_acks_late is True
    assert celery_app.conf.task_time_limit == settings.CELERY_TASK_TIME_LIMIT
