"""Two PATCHes race on one answer with the same If-Match: exactly one wins, nothing is lost.

Each trial runs both requests in their own thread (own database connection), released together
by a Barrier once both have read the answer and passed the If-Match check, so both call
answer_update with the same base revision and only its compare-and-swap can tell them apart.

On SQLite the test database is a file whose transactions take the write lock at BEGIN
(config/settings/test.py), so the second writer waits for the first to commit, as a row lock
makes it wait on PostgreSQL.
"""

import threading

import pytest
from django.db import connections

from caiq.api.views import answers as views
from caiq.models import Answer, AnswerChange

from .conftest import make_token

TRIALS = 100
pytestmark = pytest.mark.django_db(transaction=True)


def test_of_two_concurrent_patches_with_one_etag_exactly_one_wins(
    team, small_questionnaire, monkeypatch
):
    from rest_framework.test import APIClient

    answer = small_questionnaire.answers.order_by("question__position").first()
    url = f"/api/v1/answers/{answer.pk}/"
    clients = []
    for _ in range(2):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_token(team.contributor, 'write')}")
        client.get(url)  # first use writes the token's last_used_at: not during the race
        clients.append(client)

    barrier = threading.Barrier(2, timeout=10)
    real_update = views.answer_update

    def update_together(**kwargs):
        barrier.wait()  # both requests have read the same revision and passed If-Match
        return real_update(**kwargs)

    monkeypatch.setattr(views, "answer_update", update_together)

    lost_updates = 0
    for trial in range(TRIALS):
        current = Answer.objects.get(pk=answer.pk)
        if_match = f'"{answer.pk}-{current.revision}"'
        values = [f"writer A, trial {trial}", f"writer B, trial {trial}"]
        results: list = [None, None]

        def patch(index, if_match=if_match, values=values, results=results):
            try:
                results[index] = clients[index].patch(
                    url,
                    {"implementation": values[index]},
                    format="json",
                    HTTP_IF_MATCH=if_match,
                )
            finally:
                connections.close_all()

        threads = [threading.Thread(target=patch, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

        statuses = sorted(r.status_code for r in results)
        assert statuses == [200, 412], (trial, [r.json() for r in results])
        winner = next(i for i, r in enumerate(results) if r.status_code == 200)
        loser = results[1 - winner].json()["error"]
        after = Answer.objects.get(pk=answer.pk)
        assert after.revision == current.revision + 1
        assert loser["details"]["revision"] == after.revision
        if after.implementation != values[winner]:
            lost_updates += 1

    assert lost_updates == 0
    assert AnswerChange.objects.filter(answer=answer).count() == TRIALS
