"""Questionnaires join the change feed: a position column, its index, and the trigger that
stamps it on every insert and update (the answers' trigger, _change_feed.py)."""

from django.conf import settings
from django.db import migrations, models

from ._change_feed import run_trigger_sql


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_api_token_names"),
        ("caiq", "0009_answer_change_feed_triggers"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="questionnaire",
            name="change_seq",
            field=models.BigIntegerField(default=0, editable=False),
        ),
        migrations.AddIndex(
            model_name="questionnaire",
            index=models.Index(fields=["change_seq", "id"], name="questionnaire_change_feed_idx"),
        ),
        migrations.RunPython(
            run_trigger_sql("caiq_questionnaire", "questionnaire_change_feed", 0),
            run_trigger_sql("caiq_questionnaire", "questionnaire_change_feed", 1),
        ),
    ]
