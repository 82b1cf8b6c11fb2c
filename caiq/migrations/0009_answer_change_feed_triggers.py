"""Stamp every answer insert and update with its change-feed position, in the database itself,
whatever the code path (services, admin, bulk updates, imports): see _change_feed.py."""

from django.db import migrations

from ._change_feed import run_trigger_sql


class Migration(migrations.Migration):
    dependencies = [("caiq", "0008_answer_change_feed")]

    operations = [
        migrations.RunPython(
            run_trigger_sql("caiq_answer", "answer_change_feed", 0),
            run_trigger_sql("caiq_answer", "answer_change_feed", 1),
        )
    ]
