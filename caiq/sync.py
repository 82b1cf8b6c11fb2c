"""The answers' change feed: a pull that never misses a change, whatever commits late.

``updated_at`` is stamped when a row is written, before its transaction commits: an import
that writes at 10:00 and commits at 10:05 is invisible to a pull at 10:02, whose client then
asks for "updated since 10:02" and never sees it. The feed orders answers by ``change_seq``
instead, which a database trigger sets on every insert and update (migration 0009):

- on PostgreSQL, the id of the writing transaction. A pull returns only positions below the
  oldest transaction still running (``pg_snapshot_xmin`` of the current snapshot): every
  transaction below it has finished, so nothing can later appear below a cursor already handed
  out. A long transaction holds the feed back until it ends; it never makes it skip.
- on SQLite, a counter the (serialised) writers increase in commit order: everything visible is
  final.

A cursor is ``"<change_seq>.<id>"`` of the last answer returned; an answer changed again moves to
its new position and is returned again there, so the last copy a client holds is current.
"""

import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

START = "0.0"
# ASCII digits only (str.isdigit() also takes "²"), and at most 18: a signed 64-bit column.
_CURSOR = re.compile(r"([0-9]{1,18})\.([0-9]{1,18})")
# Every position below this has been written by a transaction that has finished.
_POSTGRES_HORIZON = "pg_snapshot_xmin(pg_current_snapshot())::text::bigint"


class BadCursor(ValueError):
    """A cursor this server did not hand out."""


@dataclass(frozen=True)
class Cursor:
    change_seq: int
    id: int

    @classmethod
    def parse(cls, text: str | None) -> "Cursor":
        match = _CURSOR.fullmatch(text or START)
        if match is None:
            raise BadCursor("A cursor is the 'cursor' value of an earlier pull, or empty.")
        return cls(int(match[1]), int(match[2]))

    def __str__(self) -> str:
        return f"{self.change_seq}.{self.id}"


def changes_after(rows: QuerySet, cursor: Cursor, *, limit: int) -> tuple[list, Cursor, bool]:
    """Up to ``limit`` of ``rows`` (a scoped queryset of answers or questionnaires, possibly of
    ``.values()`` with ``id`` and ``change_seq``) past ``cursor`` in feed order; the cursor to
    resume from; whether more are ready now. One query."""
    rows = rows.filter(
        Q(change_seq__gt=cursor.change_seq) | Q(change_seq=cursor.change_seq, id__gt=cursor.id)
    )
    if connection.vendor == "postgresql":
        rows = rows.filter(change_seq__lt=RawSQL(_POSTGRES_HORIZON, []))  # noqa: S611 - constant SQL
    page = list(rows.order_by("change_seq", "id")[: limit + 1])
    more, page = len(page) > limit, page[:limit]
    if page:
        last = page[-1]
        cursor = (
            Cursor(last["change_seq"], last["id"])
            if isinstance(last, dict)
            else Cursor(last.change_seq, last.pk)
        )
    return page, cursor, more
