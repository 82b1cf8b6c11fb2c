"""Many answers at once (workbook imports), under the same rules as ``answer_update``.

``answer_update`` writes one answer per call: three queries each (update, history, savepoint),
so a 261-answer import took over a thousand. Here the whole set is one UPDATE whose WHERE
clause holds every row's expected revision (a compare-and-swap for the whole set: if anyone saved
one of these answers since the caller read it, fewer rows match and everything is rolled back)
and one history insert, whatever the number of rows. The diff and review rules are
``answer_diff``'s, so both paths change answers the same way.
"""

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Case, F, IntegerField, Value, When
from django.utils import timezone

from accounts.models import Membership, Role, User, require_role

from ..answer_rules import value_problems
from ..models import Answer, AnswerChange, Questionnaire
from .answers import EDITABLE_FIELDS, _reopen_questionnaire, _require_open, answer_diff

HISTORY_FIELDS = ("answer", "changed_by", "changed_at", "source", "revision", "changes")


@dataclass
class StaleAnswers(Exception):
    """Someone saved some of these answers since the caller read them; nothing was written."""

    codes: list[str]

    def __str__(self) -> str:
        shown = ", ".join(self.codes[:5]) + (" and more" if len(self.codes) > 5 else "")
        return f"{shown} changed while this was being saved; nothing was saved."


def answers_bulk_update(
    *,
    questionnaire: Questionnaire,
    updates: Sequence[tuple[Answer, Mapping[str, str]]],
    membership: Membership | None,
    user: User | None,
    source: str,
    on_written: Callable[[list[tuple[Answer, dict]]], None] | None = None,
) -> list[tuple[Answer, dict]]:
    """Apply each (answer as read, values) if none of them changed since; return the diffs.

    Values must already be valid (the caller validated every row first); they are checked again
    here because this is a write path. ``on_written`` runs inside the transaction with the
    diffs, for what must commit with them (the import's audit event).
    """
    if membership is not None:
        require_role(membership, Role.CONTRIBUTOR, "edit answers")
    plans = []
    for answer, values in updates:
        if set(values) - set(EDITABLE_FIELDS) or value_problems(values):
            raise ValueError(f"Invalid values for {answer.question.code}.")
        if diff := answer_diff(answer, values):
            plans.append((answer, diff))
    if not plans:
        _require_open(questionnaire)
        return []
    now = timezone.now()
    ids = [answer.pk for answer, _diff in plans]
    try:
        with transaction.atomic():
            # The questionnaire as it is now, locked: one submitted since the caller read it
            # (an import parses for a while first) takes no more changes.
            current = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
            _require_open(current)
            for chunk in _chunks(plans):
                if _update(chunk, user, now) != len(chunk):
                    raise _Conflict
            _insert_history(
                (answer.pk, getattr(user, "pk", None), now, source, answer.revision + 1, diff)
                for answer, diff in plans
            )
            if any("review_status" in diff for _answer, diff in plans):
                changed = sum(1 for _answer, diff in plans if "review_status" in diff)
                _reopen_questionnaire(current, user, f"{changed} answers were changed")
                questionnaire.status = current.status
            if on_written is not None:
                on_written(plans)
    except _Conflict:
        # Rolled back: the rows whose revision moved are the ones someone else saved.
        stale = Answer.objects.filter(pk__in=ids).exclude(revision=_expected(plans))
        codes = stale.order_by("question__position").values_list("question__code", flat=True)
        raise StaleAnswers(list(codes)) from None
    for answer, diff in plans:
        for field, (_old, new) in diff.items():
            setattr(answer, field, new)
        answer.revision, answer.updated_by, answer.updated_at = answer.revision + 1, user, now
    return plans


class _Conflict(Exception):
    pass


def _expected(plans) -> Case:
    """Each answer's revision as the caller read it, for a WHERE over the whole set."""
    return Case(
        *(When(pk=answer.pk, then=Value(answer.revision)) for answer, _diff in plans),
        output_field=IntegerField(),
    )


def _update(plans, user, now) -> int:
    """One UPDATE for these answers, matching only rows still at the revision read."""
    changes = {}
    for field in sorted({field for _answer, diff in plans for field in diff}):
        whens = [
            When(pk=answer.pk, then=Value(diff[field][1]))
            for answer, diff in plans
            if field in diff
        ]
        changes[field] = Case(*whens, default=F(field), output_field=Answer._meta.get_field(field))
    ids = [answer.pk for answer, _diff in plans]
    return Answer.objects.filter(pk__in=ids, revision=_expected(plans)).update(
        **changes, revision=F("revision") + 1, updated_by=user, updated_at=now
    )


def _chunks(plans: list) -> list[list]:
    """All the plans at once where the database takes that many parameters (PostgreSQL, SQLite
    3.32 and newer: 32,766); smaller sets on an older SQLite, whose limit is 999."""
    limit = 65_535
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    per_answer = 2 * (len(EDITABLE_FIELDS) + 1) + 3  # a WHEN per field, the revision, the id
    size = max(1, (limit - 10) // per_answer)
    return [plans[i : i + size] for i in range(0, len(plans), size)]


def _insert_history(rows) -> None:
    """Every history row through one prepared INSERT (executemany): one call, whatever the
    number of rows, where bulk_create would split them into batches on SQLite."""
    fields = [AnswerChange._meta.get_field(name) for name in HISTORY_FIELDS]
    table = connection.ops.quote_name(AnswerChange._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    params = [
        [
            field.get_db_prep_save(value, connection)
            for field, value in zip(fields, row, strict=True)
        ]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({columns}) VALUES ({placeholders})",  # noqa: S608 - names only
            params,
        )
