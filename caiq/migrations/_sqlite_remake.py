"""SQLite rebuilds a table for many schema changes (adding a check constraint, altering a
column): it creates a new table, copies the rows and drops the old one, and the old table's
triggers go with it. A migration that may rebuild ``caiq_questionnaire`` ends with
``restore_questionnaire_triggers``: the change feed's (_change_feed.py) and the tally's
(_tally.py), dropped if they survived and created again. PostgreSQL alters tables in place and
keeps its triggers: nothing to do there. tests/api/test_answer_change_feed.py checks that every
trigger exists after all migrations.
"""

from . import _change_feed, _tally

QUESTIONNAIRE = "caiq_questionnaire"


def restore_questionnaire_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    feed_create, feed_drop = _change_feed.trigger_sql(QUESTIONNAIRE, "questionnaire_change_feed")[
        "sqlite"
    ]
    tally_create, tally_drop = _tally.SQL["sqlite"]
    for statement in [*feed_drop, *tally_drop]:
        schema_editor.execute(statement)
    # The tally's rows are intact (a table of their own): its backfill must not run again.
    for statement in [*feed_create, *(s for s in tally_create if s != _tally.BACKFILL)]:
        schema_editor.execute(statement)
