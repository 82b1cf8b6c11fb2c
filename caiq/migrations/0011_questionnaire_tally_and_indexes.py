"""Questionnaires at scale (issue 15): the status tally and its triggers (_tally.py), indexes
for the list's order and the dashboard's "edited last", and on PostgreSQL trigram indexes for
the name and service search (a substring search, ``icontains``, that a b-tree cannot serve)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from . import _tally

TRIGRAM_COLUMNS = ("name", "service_name")


def trigram_indexes(apps, schema_editor):
    # pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may create it.
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in TRIGRAM_COLUMNS:
        # UPPER(...::text) is what Django's icontains compares on PostgreSQL.
        schema_editor.execute(
            f"CREATE INDEX questionnaire_{column}_trgm_idx ON caiq_questionnaire "
            f"USING gin (UPPER({column}::text) gin_trgm_ops)"
        )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in TRIGRAM_COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS questionnaire_{column}_trgm_idx")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_api_token_names"),
        ("caiq", "0010_questionnaire_change_feed"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="QuestionnaireTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("draft", "Draft"),
                            ("in_review", "In review"),
                            ("approved", "Approved"),
                            ("submitted", "Submitted"),
                        ],
                        max_length=20,
                    ),
                ),
                ("count", models.PositiveIntegerField(default=0)),
            ],
        ),
        migrations.AddIndex(
            model_name="questionnaire",
            index=models.Index(
                fields=["organization", "-created_at", "-id"], name="questionnaire_list_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="questionnaire",
            index=models.Index(
                fields=["organization", "-updated_at", "-id"], name="questionnaire_edited_idx"
            ),
        ),
        migrations.AddField(
            model_name="questionnairetally",
            name="organization",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="accounts.organization",
            ),
        ),
        migrations.AddConstraint(
            model_name="questionnairetally",
            constraint=models.UniqueConstraint(
                fields=("organization", "status"), name="questionnaire_tally_unique"
            ),
        ),
        migrations.RunPython(_tally.run(0), _tally.run(1)),
        migrations.RunPython(trigram_indexes, drop_trigram_indexes),
    ]
