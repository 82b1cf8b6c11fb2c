"""Refuse UPDATE of audit events in the database itself, whatever the code path.

DELETE stays possible so deleting an organisation can cascade to its log; the model refuses
deleting single events.
"""

from django.db import migrations

MESSAGE = "audit events are append-only"

SQL = {
    "sqlite": (
        [
            f"""CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_auditevent
            BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"""
        ],
        ["DROP TRIGGER IF EXISTS audit_event_no_update"],
    ),
    "postgresql": (
        [
            f"""CREATE FUNCTION audit_event_no_update() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION '{MESSAGE}'; END; $$ LANGUAGE plpgsql""",
            """CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_auditevent
            FOR EACH ROW EXECUTE FUNCTION audit_event_no_update()""",
        ],
        [
            "DROP TRIGGER IF EXISTS audit_event_no_update ON audit_auditevent",
            "DROP FUNCTION IF EXISTS audit_event_no_update()",
        ],
    ),
}


def _run(index):
    def run(apps, schema_editor):
        statements = SQL.get(schema_editor.connection.vendor)
        if statements is None:
            raise RuntimeError(
                f"No append-only trigger for {schema_editor.connection.vendor}: add one here."
            )
        for statement in statements[index]:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_events")]

    operations = [migrations.RunPython(_run(0), _run(1))]
