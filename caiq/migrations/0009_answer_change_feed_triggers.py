"""Stamp every answer insert and update with its change-feed position, in the database itself,
whatever the code path (services, admin, bulk updates, imports): see caiq/sync.py.

PostgreSQL: the writing transaction's 64-bit id. A reader hands out positions only below the
oldest transaction still running (its snapshot's xmin), so a transaction that commits late
cannot slip in behind a cursor already given out.

SQLite: one more than the highest position so far (the row's own earlier one included).
Writers are serialised (IMMEDIATE transactions take the write lock at BEGIN), so positions grow
in commit order. The inner UPDATE does not fire the trigger again (recursive triggers are off by
default).
"""

from django.db import migrations


def trigger_sql(table: str, name: str) -> dict[str, tuple[list[str], list[str]]]:
    """Per database: the statements that create the change-feed trigger of ``table`` (named
    after ``name``), and those that drop it. Migration 0010 uses it for questionnaires."""
    # After an UPDATE the row holds whatever Django wrote (a model instance's stale value, say
    # 0): counting from the table alone could then hand the row its old position again, which
    # a cursor has passed. Its position before the UPDATE (OLD) is counted too.
    stamp = f"""UPDATE {table} SET change_seq =
        (SELECT MAX(COALESCE(MAX(change_seq), 0), {{old}}) + 1 FROM {table}) WHERE id = NEW.id"""
    insert, update = stamp.format(old=0), stamp.format(old="OLD.change_seq")
    return {
        "sqlite": (
            [
                f"CREATE TRIGGER {name}_insert AFTER INSERT ON {table} BEGIN {insert}; END",
                f"CREATE TRIGGER {name}_update AFTER UPDATE ON {table} BEGIN {update}; END",
            ],
            [f"DROP TRIGGER IF EXISTS {name}_insert", f"DROP TRIGGER IF EXISTS {name}_update"],
        ),
        "postgresql": (
            [
                f"""CREATE FUNCTION {name}() RETURNS trigger AS $$
                BEGIN NEW.change_seq := pg_current_xact_id()::text::bigint; RETURN NEW; END;
                $$ LANGUAGE plpgsql""",
                f"""CREATE TRIGGER {name} BEFORE INSERT OR UPDATE ON {table}
                FOR EACH ROW EXECUTE FUNCTION {name}()""",
            ],
            [f"DROP TRIGGER IF EXISTS {name} ON {table}", f"DROP FUNCTION IF EXISTS {name}()"],
        ),
    }


def run_trigger_sql(table: str, name: str, index: int):
    """A RunPython function: create (``index`` 0) or drop (1) the trigger on this database."""

    def run(apps, schema_editor):
        statements = trigger_sql(table, name).get(schema_editor.connection.vendor)
        if statements is None:
            raise RuntimeError(
                f"No change-feed trigger for {schema_editor.connection.vendor}: add one here."
            )
        for statement in statements[index]:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("caiq", "0008_answer_change_feed")]

    operations = [
        migrations.RunPython(
            run_trigger_sql("caiq_answer", "answer_change_feed", 0),
            run_trigger_sql("caiq_answer", "answer_change_feed", 1),
        )
    ]
