"""The change feed's triggers (caiq/sync.py), shared by the migrations that add them.

A module of the migrations package whose name starts with "_": Django's loader does not take it
for a migration. What a migration imports from here must keep working for it: change a trigger
with a new function and a new migration, never by editing these in place once they landed.

PostgreSQL: a BEFORE trigger stores the writing transaction's 64-bit id. A reader hands out
positions only below the oldest transaction still running (its snapshot's xmin), so a
transaction that commits late cannot slip in behind a cursor already given out.

SQLite: one writer at a time, so a counter increased inside the writing transaction grows in
commit order. The counter is a one-row table of its own (``caiq_change_feed_clock``), not the
highest position in the data: deleting the rows that held the highest positions must not let
later writes reuse positions below cursors already handed out. The inner UPDATE does not fire
the trigger again (recursive triggers are off by default).
"""

CLOCK = "caiq_change_feed_clock"
SQLITE_CLOCK = [
    f"CREATE TABLE IF NOT EXISTS {CLOCK} "
    "(id INTEGER PRIMARY KEY CHECK (id = 1), value INTEGER NOT NULL)",
    f"INSERT OR IGNORE INTO {CLOCK} (id, value) VALUES (1, 0)",
]


def trigger_sql(table: str, name: str) -> dict[str, tuple[list[str], list[str]]]:
    """Per database: the statements that create the change-feed trigger of ``table`` (named
    after ``name``), and those that drop it."""
    stamp = (
        f"UPDATE {CLOCK} SET value = value + 1 WHERE id = 1; "
        f"UPDATE {table} SET change_seq = (SELECT value FROM {CLOCK} WHERE id = 1) "
        "WHERE id = NEW.id;"
    )
    return {
        "sqlite": (
            [
                *SQLITE_CLOCK,
                f"CREATE TRIGGER {name}_insert AFTER INSERT ON {table} BEGIN {stamp} END",
                f"CREATE TRIGGER {name}_update AFTER UPDATE ON {table} BEGIN {stamp} END",
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
