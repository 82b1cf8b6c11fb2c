"""The questionnaire tally's triggers (QuestionnaireTally), for migration 0011.

A module of the migrations package whose name starts with "_": Django's loader does not take it
for a migration. Change a trigger with a new migration, never by editing these once they landed.

Every insert adds one to its (organisation, status) row, created at 1 when missing; every
delete takes one away; an update that moves a questionnaire to another status or organisation
does both. Other updates (a rename, a new ``updated_at``) do not touch the tally, so the many
writes that stamp a questionnaire never queue on its organisation's tally row.
"""

TALLY = "caiq_questionnairetally"
SOURCE = "caiq_questionnaire"
_ADD = (
    f"INSERT INTO {TALLY} (organization_id, status, count) "
    "VALUES (NEW.organization_id, NEW.status, 1) "
    f"ON CONFLICT (organization_id, status) DO UPDATE SET count = {TALLY}.count + 1;"
)
_TAKE = (
    f"UPDATE {TALLY} SET count = count - 1 "
    "WHERE organization_id = OLD.organization_id AND status = OLD.status;"
)
_MOVED = "OLD.status <> NEW.status OR OLD.organization_id <> NEW.organization_id"
BACKFILL = (
    f"INSERT INTO {TALLY} (organization_id, status, count) "
    f"SELECT organization_id, status, COUNT(*) FROM {SOURCE} GROUP BY organization_id, status"
)

SQL = {
    "postgresql": (
        [
            f"""CREATE FUNCTION questionnaire_tally() RETURNS trigger AS $$
            BEGIN
                IF TG_OP IN ('UPDATE', 'DELETE') THEN {_TAKE} END IF;
                IF TG_OP IN ('INSERT', 'UPDATE') THEN {_ADD} END IF;
                RETURN NULL;
            END; $$ LANGUAGE plpgsql""",
            f"""CREATE TRIGGER questionnaire_tally_insert_delete AFTER INSERT OR DELETE
            ON {SOURCE} FOR EACH ROW EXECUTE FUNCTION questionnaire_tally()""",
            f"""CREATE TRIGGER questionnaire_tally_update AFTER UPDATE ON {SOURCE}
            FOR EACH ROW WHEN ({_MOVED}) EXECUTE FUNCTION questionnaire_tally()""",
            BACKFILL,
        ],
        [
            f"DROP TRIGGER IF EXISTS questionnaire_tally_update ON {SOURCE}",
            f"DROP TRIGGER IF EXISTS questionnaire_tally_insert_delete ON {SOURCE}",
            "DROP FUNCTION IF EXISTS questionnaire_tally()",
        ],
    ),
    "sqlite": (
        [
            f"CREATE TRIGGER questionnaire_tally_insert AFTER INSERT ON {SOURCE} "
            f"BEGIN {_ADD} END",
            f"CREATE TRIGGER questionnaire_tally_delete AFTER DELETE ON {SOURCE} "
            f"BEGIN {_TAKE} END",
            f"CREATE TRIGGER questionnaire_tally_update AFTER UPDATE ON {SOURCE} "
            f"WHEN {_MOVED} BEGIN {_TAKE} {_ADD} END",
            BACKFILL,
        ],
        [
            "DROP TRIGGER IF EXISTS questionnaire_tally_insert",
            "DROP TRIGGER IF EXISTS questionnaire_tally_delete",
            "DROP TRIGGER IF EXISTS questionnaire_tally_update",
        ],
    ),
}


def run(index: int):
    """A RunPython function: create the triggers and fill the tally (``index`` 0), or drop the
    triggers (1; the table goes with the migration's model)."""

    def apply(apps, schema_editor):
        statements = SQL.get(schema_editor.connection.vendor)
        if statements is None:
            raise RuntimeError(f"No tally triggers for {schema_editor.connection.vendor}.")
        for statement in statements[index]:
            schema_editor.execute(statement)

    return apply
