"""Stamp every answer insert and update with its change-feed position, in the database itself,
whatever the code path (services, admin, bulk updates, imports): see caiq/sync.py.

PostgreSQL: the writing transaction's 64-bit id. A reader hands out positions only below the
oldest transaction still running (its snapshot's xmin), so a transaction that commits late
cannot slip in behind a cursor already given out.

SQLite: one more than the highest position so far. Writers are serialised (IMMEDIATE
transactions take the write lock at BEGIN), so positions grow in commit order. The inner UPDATE
does not fire the trigger again (recursive triggers are off by default).
"""

from django.db import migrations

SQLITE_STAMP = """UPDATE caiq_answer SET change_seq =
    (SELECT COALESCE(MAX(change_seq), 0) + 1 FROM caiq_answer) WHERE id = NEW.id"""

SQL = {
    "sqlite": (
        [
            f"""CREATE TRIGGER answer_change_feed_insert AFTER INSERT ON caiq_answer
            BEGIN {SQLITE_STAMP}; END""",
            f"""CREATE TRIGGER answer_change_feed_update AFTER UPDATE ON caiq_answer
            BEGIN {SQLITE_STAMP}; END""",
        ],
        [
            "DROP TRIGGER IF EXISTS answer_change_feed_insert",
            "DROP TRIGGER IF EXISTS answer_change_feed_update",
        ],
    ),
    "postgresql": (
        [
            """CREATE FUNCTION answer_change_feed() RETURNS trigger AS $$
            BEGIN NEW.change_seq := pg_current_xact_id()::text::bigint; RETURN NEW; END;
            $$ LANGUAGE plpgsql""",
            """CREATE TRIGGER answer_change_feed BEFORE INSERT OR UPDATE ON caiq_answer
            FOR EACH ROW EXECUTE FUNCTION answer_change_feed()""",
        ],
        [
            "DROP TRIGGER IF EXISTS answer_change_feed ON caiq_answer",
            "DROP FUNCTION IF EXISTS answer_change_feed()",
        ],
    ),
}


def _run(index):
    def run(apps, schema_editor):
        statements = SQL.get(schema_editor.connection.vendor)
        if statements is None:
            raise RuntimeError(
                f"No change-feed trigger for {schema_editor.connection.vendor}: add one here."
            )
        for statement in statements[index]:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("caiq", "0008_answer_change_feed")]

    operations = [migrations.RunPython(_run(0), _run(1))]
