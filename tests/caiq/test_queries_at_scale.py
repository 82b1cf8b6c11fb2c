"""What keeps pages flat at 10,000 questionnaires (bench/scale.py): the query shapes and indexes
that PostgreSQL needs, checked here on whichever database the suite runs."""

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from caiq.models import Answer
from config.lookups import AnyOfSubquery
from evidence.models import EvidenceLink

pytestmark = pytest.mark.django_db
ON_POSTGRES = connection.vendor == "postgresql"


def test_any_of_subquery_finds_what_in_finds_written_as_an_array_on_postgresql(
    small_questionnaire,
):
    answers = Answer.objects.filter(questionnaire=small_questionnaire).order_by().values("pk")
    expected = set(answers.values_list("pk", flat=True)[:3])
    some = Answer.objects.filter(pk__in=expected).order_by().values("pk")

    with CaptureQueriesContext(connection) as queries:
        found = set(
            Answer.objects.filter(AnyOfSubquery(F("pk"), some)).values_list("pk", flat=True)
        )

    assert found == expected
    sql = queries.captured_queries[0]["sql"]
    assert ("= ANY(ARRAY(SELECT" in sql) == ON_POSTGRES
    assert (" IN (SELECT" in sql) == (not ON_POSTGRES)


def test_stale_evidence_counts_start_from_the_pages_answers(team, small_questionnaire):
    from evidence.selectors import stale_evidence_counts

    with CaptureQueriesContext(connection) as queries:
        stale_evidence_counts([small_questionnaire.pk], small_questionnaire.created_at.date())

    (query,) = queries.captured_queries
    assert EvidenceLink._meta.db_table in query["sql"]
    # The answers' subquery is not ordered: Answer's default order joined every questionnaire.
    assert '"caiq_questionnaire"' not in query["sql"]


@pytest.mark.skipif(not ON_POSTGRES, reason="trigram indexes are PostgreSQL's")
def test_the_name_and_service_search_has_trigram_indexes():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'caiq_questionnaire'"
        )
        indexes = dict(cursor.fetchall())

    for column in ("name", "service_name"):
        definition = indexes[f"questionnaire_{column}_trgm_idx"]
        assert "gin" in definition
        assert f"upper(({column})::text) gin_trgm_ops" in definition
