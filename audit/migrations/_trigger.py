"""What a migration that changes audit_auditevent on SQLite must do afterwards.

SQLite cannot alter a constraint in place: Django copies the table into a new one, and the
append-only trigger of 0002 is dropped with the old table. PostgreSQL alters in place and keeps
it. Every migration that adds an event kind (the check constraint lists them) ends with
``RunPython(restore_sqlite_trigger, RunPython.noop)``.
"""

import importlib


def restore_sqlite_trigger(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    sql = importlib.import_module("audit.migrations.0002_append_only_trigger").SQL["sqlite"]
    schema_editor.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
    for statement in sql[0]:
        schema_editor.execute(statement)
