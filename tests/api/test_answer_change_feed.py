"""The answers' change feed (caiq.sync): every change, in commit order, from a cursor.

The first group runs on both databases. The last two need PostgreSQL, where transactions run
side by side: one that writes first and commits last must still reach a client whose cursor has
moved past later, quicker transactions.
"""

import random
import threading
import time

import pytest
from django.db import close_old_connections, connection, transaction

from caiq.models import Answer

from .conftest import edit

FEED = "/api/v1/answers/changes/"
ON_POSTGRES = connection.vendor == "postgresql"


def pull_all(client, cursor: str = "", **params) -> tuple[dict[int, int], str]:
    """Pull until nothing more is ready: the last revision seen per answer, and the cursor."""
    seen: dict[int, int] = {}
    while True:
        response = client.get(FEED, {"cursor": cursor, **params})
        assert response.status_code == 200, response.content
        body = response.json()
        seen.update({row["id"]: row["revision"] for row in body["results"]})
        cursor = body["cursor"]
        if not body["more"]:
            return seen, cursor


# Committed writes, as in production: on PostgreSQL the feed shows a transaction's changes once
# it has ended, and a test wrapped in one transaction would never end it.
committed = pytest.mark.django_db(transaction=True)


@committed
def test_a_first_pull_pages_through_every_answer_and_resumes_where_it_stopped(
    api_as, team, small_questionnaire
):
    client = api_as(team.viewer, "read")

    first = client.get(FEED, {"limit": 4}).json()
    seen, cursor = pull_all(client, first["cursor"], limit=4)
    again = client.get(FEED, {"cursor": cursor}).json()

    assert len(first["results"]) == 4
    assert first["more"] is True
    expected = set(small_questionnaire.answers.values_list("pk", flat=True))
    assert {row["id"] for row in first["results"]} | set(seen) == expected
    assert again == {"results": [], "cursor": cursor, "more": False}


@committed
def test_an_answer_changed_after_a_pull_comes_back_at_its_new_revision(
    api_as, team, small_questionnaire, membership_of
):
    client = api_as(team.viewer, "read")
    _seen, cursor = pull_all(client)
    answer = small_questionnaire.answers.order_by("pk")[3]

    edit(answer, membership_of(team.contributor, team.org), answer="Yes")
    # A bulk write outside answer_update moves answers too: the trigger stamps every UPDATE.
    Answer.objects.filter(pk=small_questionnaire.answers.order_by("pk")[5].pk).update(
        internal_notes="bulk"
    )
    seen, _cursor = pull_all(client, cursor)

    assert seen == {
        answer.pk: 2,
        small_questionnaire.answers.order_by("pk")[5].pk: 1,
    }


@committed
def test_the_feed_holds_only_the_callers_organisations_answers(api_as, team, small_questionnaire):
    outsider = api_as(team.outsider, "read")

    seen, _cursor = pull_all(outsider)

    assert not set(seen) & set(small_questionnaire.answers.values_list("pk", flat=True))


@pytest.mark.parametrize(
    ("param", "value"),
    [("cursor", "yesterday"), ("cursor", "².1"), ("cursor", "1" * 20 + ".1"), ("limit", "²")],
)
@pytest.mark.django_db
def test_a_cursor_or_limit_the_server_did_not_hand_out_is_refused_in_one_sentence(
    api_as, team, param, value
):
    response = api_as(team.viewer, "read").get(FEED, {param: value})

    assert response.status_code == 400
    assert param in response.json()["error"]["details"]


# --- PostgreSQL: transactions side by side -----------------------------------------------------

postgres_only = pytest.mark.skipif(
    not ON_POSTGRES, reason="concurrent transactions need PostgreSQL"
)
ERRORS: list[BaseException] = []


def in_thread(work) -> threading.Thread:
    """``work`` in a thread with its own database connection; its exception is kept in ERRORS."""

    def run():
        try:
            work()
        except BaseException as error:
            ERRORS.append(error)
        finally:
            close_old_connections()
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_an_import_that_commits_after_a_pull_is_in_the_next_pull(api_as, team, small_questionnaire):
    client = api_as(team.viewer, "read")
    _seen, cursor = pull_all(client)
    slow, quick = small_questionnaire.answers.order_by("pk")[:2]
    written, release = threading.Event(), threading.Event()

    def long_import():
        with transaction.atomic():
            Answer.objects.filter(pk=slow.pk).update(implementation="imported", revision=2)
            written.set()
            release.wait(10)

    importer = in_thread(long_import)
    assert written.wait(10)
    # A quicker write starts and commits while the import is still open.
    Answer.objects.filter(pk=quick.pk).update(implementation="quick", revision=2)
    during, cursor = pull_all(client, cursor)
    release.set()
    importer.join(10)
    after, _cursor = pull_all(client, cursor)

    assert ERRORS == []
    assert slow.pk not in during  # not committed yet
    assert quick.pk not in during  # held back behind the open import, not skipped past it
    assert after == {slow.pk: 2, quick.pk: 2}


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_thousand_interleaved_writes_and_pulls_miss_nothing(api_as, team, questionnaire):
    client = api_as(team.viewer, "read")
    # 261 answers, each changed about four times: a change a pull skipped would rarely be
    # covered by a later one of the same answer.
    ids = list(questionnaire.answers.values_list("pk", flat=True))
    rng = random.Random(2026)
    plans = [[(rng.choice(ids), rng.random() / 300) for _ in range(500)] for _ in range(2)]
    done = threading.Event()

    def writer(plan):
        def run():
            for pk, pause in plan:
                with transaction.atomic():
                    answer = Answer.objects.select_for_update().get(pk=pk)
                    Answer.objects.filter(pk=pk).update(revision=answer.revision + 1)
                    time.sleep(pause)  # commit late, sometimes after a later writer

        return run

    pulled: dict[int, int] = {}
    cursor = ""

    def puller():
        nonlocal cursor
        while not done.is_set():
            seen, cursor = pull_all(client, cursor)
            pulled.update(seen)
            time.sleep(0.005)  # a few hundred pulls in all: under the API's rate limit

    writers = [in_thread(writer(plan)) for plan in plans]
    reader = in_thread(puller)
    for thread in writers:
        thread.join(120)
    done.set()
    reader.join(30)
    seen, _cursor = pull_all(client, cursor)
    pulled.update(seen)

    assert ERRORS == []
    final = dict(Answer.objects.filter(pk__in=ids).values_list("pk", "revision"))
    changed = {pk: revision for pk, revision in final.items() if revision > 1}
    assert sum(revision - 1 for revision in final.values()) == 1000
    assert {pk: pulled[pk] for pk in changed} == changed, "a pull missed a committed change"


@committed
def test_the_questionnaires_feed_returns_a_changed_questionnaire_again_with_its_progress(
    api_as, team, small_questionnaire
):
    client = api_as(team.viewer, "read")
    first = client.get("/api/v1/questionnaires/changes/").json()
    small_questionnaire.name = "Renamed"
    small_questionnaire.save()

    again = client.get("/api/v1/questionnaires/changes/", {"cursor": first["cursor"]}).json()

    assert [row["id"] for row in first["results"]] == [small_questionnaire.pk]
    assert [(row["id"], row["name"]) for row in again["results"]] == [
        (small_questionnaire.pk, "Renamed")
    ]
    assert again["more"] is False


@committed
def test_saving_a_model_read_before_the_pull_still_moves_it_past_the_cursor(
    api_as, team, small_questionnaire
):
    pk = small_questionnaire.answers.order_by("pk").first().pk
    stale = Answer.objects.get(pk=pk)  # read now, saved after others changed the answer
    Answer.objects.filter(pk=pk).update(internal_notes="someone else's note", revision=2)
    client = api_as(team.viewer, "read")
    _seen, cursor = pull_all(client)
    stale.internal_notes = "saved from an instance read before the other change"
    stale.revision = 3

    stale.save()  # writes the instance's old change_seq; the trigger must still move it on
    seen, _cursor = pull_all(client, cursor)

    assert seen == {pk: 3}


@committed
def test_deleting_the_latest_changes_does_not_let_later_writes_fall_behind_a_cursor(
    api_as, team, admin_membership, small_catalog, small_questionnaire
):
    from caiq.services import questionnaire_create

    doomed = questionnaire_create(
        membership=admin_membership, version=small_catalog, name="Doomed", service_name="x"
    )
    client = api_as(team.viewer, "read")
    _seen, cursor = pull_all(client)  # past the doomed questionnaire's answers, the latest
    doomed.delete()
    answer = small_questionnaire.answers.order_by("pk").first()

    Answer.objects.filter(pk=answer.pk).update(internal_notes="after the delete", revision=2)
    seen, _cursor = pull_all(client, cursor)

    assert seen == {answer.pk: 2}


@pytest.mark.django_db
def test_the_change_feed_and_tally_triggers_are_in_the_database():
    with connection.cursor() as cursor:
        if ON_POSTGRES:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        names = {row[0] for row in cursor.fetchall()}

    expected = {"answer_change_feed", "questionnaire_change_feed", "evidence_change_feed"}
    if ON_POSTGRES:
        expected |= {"questionnaire_tally_insert_delete", "questionnaire_tally_update"}
    else:
        expected = {f"{name}_{event}" for name in expected for event in ("insert", "update")}
        expected |= {f"questionnaire_tally_{event}" for event in ("insert", "delete", "update")}
    # All of them after every migration: SQLite drops a table's triggers when a migration
    # rebuilds the table (caiq/migrations/_sqlite_remake.py).
    assert expected <= names
