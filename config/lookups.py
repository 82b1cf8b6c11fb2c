"""Database lookups the ORM lacks."""

from django.db.models import Lookup


class AnyOfSubquery(Lookup):
    """``column IN (subquery)``, written on PostgreSQL so that the cost follows the subquery's
    rows, not the size of the column's table.

    PostgreSQL plans ``x IN (SELECT ...)`` as a join whose shape it picks from estimates: with a
    large table behind ``x`` it may hash-join a scan of all of it (all 700,000 evidence links at
    10,000 questionnaires, to find a page's hundred). ``x = ANY(ARRAY(SELECT ...))`` runs the
    subquery first and probes the index on ``x`` with its values. Other databases: plain IN.
    Use it in ``filter()``: ``AnyOfSubquery(F("answer_id"), answers.values("pk"))``.
    """

    lookup_name = "any_of_subquery"

    def _sides(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)  # "(SELECT ...)"
        return lhs, rhs, (*lhs_params, *rhs_params)

    def as_sql(self, compiler, connection):
        lhs, rhs, params = self._sides(compiler, connection)
        return f"{lhs} IN {rhs}", params

    def as_postgresql(self, compiler, connection):
        lhs, rhs, params = self._sides(compiler, connection)
        return f"{lhs} = ANY(ARRAY{rhs})", params
