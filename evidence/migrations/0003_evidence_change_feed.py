"""Evidence joins the change feed: a position column, its index, and the trigger that stamps
it on every insert and update (the answers' trigger, caiq/migrations/_change_feed.py)."""

from django.db import migrations, models

from caiq.migrations._change_feed import run_trigger_sql


class Migration(migrations.Migration):
    dependencies = [
        ("caiq", "0010_questionnaire_change_feed"),
        ("evidence", "0002_link_answer_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="evidence",
            name="change_seq",
            field=models.BigIntegerField(default=0, editable=False),
        ),
        migrations.AddIndex(
            model_name="evidence",
            index=models.Index(fields=["change_seq", "id"], name="evidence_change_feed_idx"),
        ),
        migrations.RunPython(
            run_trigger_sql("evidence_evidence", "evidence_change_feed", 0),
            run_trigger_sql("evidence_evidence", "evidence_change_feed", 1),
        ),
    ]
