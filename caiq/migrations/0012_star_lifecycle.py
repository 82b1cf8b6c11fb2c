"""The STAR Registry lifecycle (caiq.star): the level of a submission, the last renewal reminder
sent, and an index for the dashboard's entries due for renewal. The check constraint makes SQLite
rebuild the table, which drops its triggers: they are restored last (_sqlite_remake.py)."""

from django.conf import settings
from django.db import migrations, models

from ._sqlite_remake import restore_questionnaire_triggers


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_api_token_names'),
        ('caiq', '0011_questionnaire_tally_and_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='questionnaire',
            name='star_level',
            field=models.CharField(blank=True, choices=[('1', 'Level 1: self-assessment'), ('2', 'Level 2: third-party audit')], max_length=1, verbose_name='STAR level'),
        ),
        migrations.AddField(
            model_name='questionnaire',
            name='star_reminded_days',
            field=models.PositiveSmallIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name='questionnaire',
            index=models.Index(fields=['organization', 'status', 'submitted_at'], name='questionnaire_star_idx'),
        ),
        migrations.AddConstraint(
            model_name='questionnaire',
            constraint=models.CheckConstraint(condition=models.Q(('star_level__in', ['1', '2', ''])), name='questionnaire_star_level_valid'),
        ),
        migrations.RunPython(restore_questionnaire_triggers, migrations.RunPython.noop),
    ]
