"""Answers API: scoped lists with filters, keyset pagination, If-Match guarded PATCH, history."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Role
from caiq.models import Answer, AnswerChange, ChangeSource, QuestionnaireStatus, ReviewStatus
from caiq.services import answer_approve, answers_assign, questionnaire_create

from .conftest import edit

pytestmark = pytest.mark.django_db

LIST = "/api/v1/answers/"
LIST_QUERY_BUDGET = 10


def detail(answer) -> str:
    return f"/api/v1/answers/{answer.pk}/"


def etag(answer) -> str:
    answer.refresh_from_db()
    return f'"{answer.pk}-{answer.revision}"'


def ids(response) -> list[int]:
    return [row["id"] for row in response.json()["results"]]


def walk(client, url: str, on_page=None) -> list[dict]:
    rows, page = [], 0
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.json()
        body = response.json()
        rows += body["results"]
        url = body["next"]
        page += 1
        if on_page:
            on_page(page, rows)
    return rows


@pytest.fixture
def contributor(team, membership_of):
    return membership_of(team.contributor, team.org)


@pytest.fixture
def globex_questionnaire(team, membership_of, small_catalog):
    return questionnaire_create(
        membership=membership_of(team.outsider, team.other_org),
        version=small_catalog,
        name="Globex",
        service_name="Globex Cloud",
    )


# --- Listing and filters --------------------------------------------------------------------


def test_the_list_holds_only_answers_of_the_callers_organisations(
    api_as, team, small_questionnaire, globex_questionnaire
):
    acme = ids(api_as(team.viewer, "read").get(LIST))
    globex = ids(api_as(team.outsider, "read").get(LIST))

    assert sorted(acme) == sorted(small_questionnaire.answers.values_list("pk", flat=True))
    assert sorted(globex) == sorted(globex_questionnaire.answers.values_list("pk", flat=True))


def test_it_filters_by_questionnaire_domain_review_status_and_value(
    api_as, team, questionnaire, small_questionnaire, contributor
):
    client = api_as(team.viewer, "read")
    bcr = small_questionnaire.answers.filter(question__code__startswith="BCR")
    first, second = bcr.order_by("question__position")[:2]
    edit(first, contributor, answer="Yes", ssrm="CSP-owned")
    edit(second, contributor, answer="NA", implementation="No such processing.")

    in_small = ids(client.get(LIST, {"questionnaire": small_questionnaire.pk, "page_size": 500}))
    bcr_ids = ids(client.get(LIST, {"questionnaire": small_questionnaire.pk, "domain": "BCR"}))
    yes = ids(client.get(LIST, {"answer": "Yes"}))
    unanswered = ids(client.get(LIST, {"questionnaire": small_questionnaire.pk, "answer": "none"}))
    in_progress = ids(client.get(LIST, {"review_status": ReviewStatus.IN_PROGRESS}))

    assert len(in_small) == 10
    assert sorted(bcr_ids) == sorted(bcr.values_list("pk", flat=True))
    assert yes == [first.pk]
    assert len(unanswered) == 8
    assert first.pk not in unanswered
    assert sorted(in_progress) == sorted([first.pk, second.pk])


def test_it_filters_by_assignee_id_or_email(api_as, team, small_questionnaire, admin_membership):
    chosen = small_questionnaire.answers.order_by("question__position")[:3]
    answers_assign(
        answers=small_questionnaire.answers.filter(pk__in=[a.pk for a in chosen]),
        assignee=team.contributor,
        membership=admin_membership,
        user=team.admin,
    )
    client = api_as(team.viewer, "read")
    expected = sorted(a.pk for a in chosen)

    by_id = ids(client.get(LIST, {"assignee": team.contributor.pk}))
    by_email = ids(client.get(LIST, {"assignee": team.contributor.email.upper()}))
    nonsense = client.get(LIST, {"assignee": "not an address"})

    assert sorted(by_id) == sorted(by_email) == expected
    assert nonsense.status_code == 400
    assert nonsense.json()["error"]["details"] == {
        "assignee": ["Give the assignee's user id or e-mail address."]
    }


def test_updated_since_returns_only_what_changed_since_then_inclusively(
    api_as, team, small_questionnaire, contributor
):
    long_ago = timezone.now() - datetime.timedelta(days=3)
    small_questionnaire.answers.update(updated_at=long_ago)
    since = timezone.now()
    on_the_boundary, untouched, *rest = small_questionnaire.answers.order_by("question__position")
    Answer.objects.filter(pk=on_the_boundary.pk).update(updated_at=since)
    changed = edit(rest[0], contributor, answer="Yes")

    response = api_as(team.viewer, "read").get(LIST, {"updated_since": since.isoformat()})

    assert response.status_code == 200
    assert ids(response) == [on_the_boundary.pk, changed.pk]
    assert untouched.pk not in ids(response)


def test_updated_since_refuses_a_time_that_is_not_iso_8601(api_as, team, small_questionnaire):
    response = api_as(team.viewer, "read").get(LIST, {"updated_since": "yesterday"})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_each_answer_carries_codes_and_its_etag(api_as, team, small_questionnaire):
    response = api_as(team.viewer, "read").get(LIST, {"questionnaire": small_questionnaire.pk})

    row = response.json()["results"][0]
    assert (row["question"], row["control"], row["domain"]) == ("A&A-01.1", "A&A-01", "A&A")
    assert row["etag"] == f'"{row["id"]}-{row["revision"]}"'


# --- Cursor pagination ----------------------------------------------------------------------


def test_the_cursor_walks_all_261_answers_once_in_updated_at_then_id_order(
    api_as, team, questionnaire
):
    rows = walk(api_as(team.viewer, "read"), f"{LIST}?questionnaire={questionnaire.pk}")

    keys = [(row["updated_at"], row["id"]) for row in rows]
    assert len(rows) == 261
    assert len({row["id"] for row in rows}) == 261
    assert keys == sorted(keys)


def test_the_walk_misses_nothing_while_answers_change_during_it(
    api_as, team, questionnaire, contributor
):
    """The guarantee (caiq.api.pagination): every answer at least once; an unchanged answer
    exactly once; one changed after it was returned comes again later, with its new revision.

    All 261 rows share one timestamp: the tie case where an offset-based cursor skips rows.
    """
    questionnaire.answers.update(updated_at=timezone.now() - datetime.timedelta(hours=1))
    order = list(questionnaire.answers.order_by("id").values_list("pk", flat=True))
    seen_then_changed, ahead_then_changed = order[10], order[200]
    client = api_as(team.viewer, "read")

    def change_during_walk(page, rows):
        if page == 1:
            edit(Answer.objects.get(pk=seen_then_changed), contributor, answer="Yes")
            edit(Answer.objects.get(pk=ahead_then_changed), contributor, answer="No")

    rows = walk(client, f"{LIST}?questionnaire={questionnaire.pk}&page_size=50", change_during_walk)

    counts = dict.fromkeys(order, 0)
    for row in rows:
        counts[row["id"]] += 1
    assert set(counts.values()) <= {1, 2}
    assert [pk for pk, n in counts.items() if n == 2] == [seen_then_changed]
    last_seen = {row["id"]: row for row in rows}
    assert last_seen[seen_then_changed]["answer"] == "Yes"
    assert last_seen[seen_then_changed]["revision"] == 2
    assert last_seen[ahead_then_changed]["answer"] == "No"
    keys = [(row["updated_at"], row["id"]) for row in rows]
    assert keys == sorted(keys)


def test_page_size_is_capped_at_1000_and_defaults_to_100(api_as, team, questionnaire):
    client = api_as(team.viewer, "read")

    assert len(ids(client.get(LIST))) == 100
    assert len(ids(client.get(LIST, {"page_size": 5000}))) == 261


def test_a_forged_cursor_is_refused_with_the_error_format(api_as, team, questionnaire):
    response = api_as(team.viewer, "read").get(LIST, {"cursor": "bm90LWEtY3Vyc29y"})

    assert response.status_code == 404
    assert response.json()["error"]["message"] == "Invalid cursor."


def test_listing_costs_the_same_few_queries_for_10_or_261_answers(
    api_as, team, questionnaire, small_questionnaire, admin_membership, contributor
):
    for q in (questionnaire, small_questionnaire):
        some = q.answers.order_by("question__position")[:3]
        answers_assign(
            answers=q.answers.filter(pk__in=[a.pk for a in some]),
            assignee=team.contributor,
            membership=admin_membership,
            user=team.admin,
        )
        edit(some[0], contributor, answer="Yes")
    client = api_as(team.viewer, "read")
    client.get(LIST)  # the token's first use writes last_used_at once

    counts = {}
    for q in (small_questionnaire, questionnaire):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(LIST, {"questionnaire": q.pk, "page_size": 1000})
        assert len(response.json()["results"]) == q.answers.count()
        counts[q.answers.count()] = len(captured)

    assert counts[10] == counts[261] <= LIST_QUERY_BUDGET


# --- Retrieve, ETag and PATCH ---------------------------------------------------------------


def test_an_answer_carries_a_strong_etag_of_its_revision(api_as, team, small_questionnaire):
    answer = small_questionnaire.answers.first()

    response = api_as(team.viewer, "read").get(detail(answer))

    assert response.status_code == 200
    assert response["ETag"] == f'"{answer.pk}-1"' == response.json()["etag"]


def test_a_patch_with_the_current_etag_saves_and_answers_the_new_etag(
    api_as, team, small_questionnaire
):
    answer = small_questionnaire.answers.first()
    client = api_as(team.contributor)
    before = client.get(detail(answer))["ETag"]

    response = client.patch(
        detail(answer),
        {"answer": "Yes", "ssrm": "CSP-owned", "implementation": "Policy P-7."},
        format="json",
        HTTP_IF_MATCH=before,
    )

    assert response.status_code == 200
    assert response["ETag"] == f'"{answer.pk}-2"' != before
    assert response.json()["answer"] == "Yes"
    answer.refresh_from_db()
    assert (answer.answer, answer.ssrm, answer.implementation) == (
        "Yes",
        "CSP-owned",
        "Policy P-7.",
    )
    assert answer.updated_by == team.contributor


def test_a_patch_without_if_match_is_refused_with_428(api_as, team, small_questionnaire):
    answer = small_questionnaire.answers.first()

    response = api_as(team.contributor).patch(detail(answer), {"answer": "Yes"}, format="json")

    assert response.status_code == 428
    assert response.json() == {
        "error": {
            "status": 428,
            "code": "precondition_required",
            "message": "Send If-Match with the answer's ETag to change it.",
            "details": {"revision": 1, "etag": f'"{answer.pk}-1"'},
        }
    }
    answer.refresh_from_db()
    assert (answer.answer, answer.revision) == ("", 1)


def test_a_patch_with_a_stale_etag_is_refused_with_412_and_writes_nothing(
    api_as, team, small_questionnaire, contributor
):
    answer = small_questionnaire.answers.first()
    stale = etag(answer)
    edit(answer, contributor, answer="No", ssrm="CSP-owned")

    response = api_as(team.contributor).patch(
        detail(answer), {"answer": "Yes"}, format="json", HTTP_IF_MATCH=stale
    )

    assert response.status_code == 412
    error = response.json()["error"]
    assert (error["status"], error["code"]) == (412, "precondition_failed")
    assert error["details"] == {"revision": 2, "etag": f'"{answer.pk}-2"'}
    assert response["ETag"] == f'"{answer.pk}-2"'
    answer.refresh_from_db()
    assert (answer.answer, answer.revision) == ("No", 2)
    assert answer.changes.count() == 1


@pytest.mark.parametrize("if_match", ["*", 'W/"{pk}-1"', '"{pk}-1-x"', "{pk}-1"])
def test_wildcards_weak_or_malformed_etags_never_match(api_as, team, small_questionnaire, if_match):
    answer = small_questionnaire.answers.first()

    response = api_as(team.contributor).patch(
        detail(answer),
        {"answer": "Yes"},
        format="json",
        HTTP_IF_MATCH=if_match.format(pk=answer.pk),
    )

    assert response.status_code == 412
    answer.refresh_from_db()
    assert answer.revision == 1


def test_a_save_landing_between_read_and_write_gives_412_too(
    api_as, team, small_questionnaire, contributor, monkeypatch
):
    """The If-Match check passed, then someone else saved: the service's compare-and-swap."""
    from caiq.api.views import answers as views

    answer = small_questionnaire.answers.first()
    real_update = views.answer_update

    def someone_saves_first(**kwargs):
        edit(kwargs["answer"], contributor, internal_notes="Sneaked in.")
        return real_update(**kwargs)

    monkeypatch.setattr(views, "answer_update", someone_saves_first)

    response = api_as(team.contributor).patch(
        detail(answer), {"answer": "Yes"}, format="json", HTTP_IF_MATCH=f'"{answer.pk}-1"'
    )

    assert response.status_code == 412
    assert response.json()["error"]["details"]["revision"] == 2
    answer.refresh_from_db()
    assert (answer.answer, answer.internal_notes) == ("", "Sneaked in.")


def test_the_etag_changes_after_every_write_and_only_then(api_as, team, small_questionnaire):
    answer = small_questionnaire.answers.first()
    client = api_as(team.contributor)
    tags = [client.get(detail(answer))["ETag"]]

    for value in ("Yes", "Yes", "No"):
        response = client.patch(
            detail(answer), {"answer": value}, format="json", HTTP_IF_MATCH=tags[-1]
        )
        assert response.status_code == 200
        tags.append(response["ETag"])

    assert tags == [f'"{answer.pk}-{n}"' for n in (1, 2, 2, 3)]


def test_a_patch_of_a_field_the_api_does_not_edit_is_refused(api_as, team, small_questionnaire):
    answer = small_questionnaire.answers.first()

    response = api_as(team.contributor).patch(
        detail(answer),
        {"review_status": "approved"},
        format="json",
        HTTP_IF_MATCH=f'"{answer.pk}-1"',
    )

    assert response.status_code == 400
    assert response.json()["error"]["details"] == {
        "review_status": ["This field cannot be changed through the API."]
    }


def test_a_value_outside_csas_dropdown_is_refused(api_as, team, small_questionnaire):
    answer = small_questionnaire.answers.first()

    response = api_as(team.contributor).patch(
        detail(answer), {"answer": "Maybe"}, format="json", HTTP_IF_MATCH=f'"{answer.pk}-1"'
    )

    assert response.status_code == 400
    assert response.json()["error"]["details"] == {"answer": ['"Maybe" is not a valid choice.']}


def test_a_submitted_questionnaires_answers_are_read_only(api_as, team, small_questionnaire):
    small_questionnaire.status = QuestionnaireStatus.SUBMITTED
    small_questionnaire.submitted_at = timezone.localdate()
    small_questionnaire.save()
    answer = small_questionnaire.answers.first()

    response = api_as(team.contributor).patch(
        detail(answer), {"answer": "Yes"}, format="json", HTTP_IF_MATCH=f'"{answer.pk}-1"'
    )

    assert response.status_code == 400
    assert "read-only" in response.json()["error"]["message"]


def test_history_lists_the_api_change_with_its_author_and_source(api_as, team, small_questionnaire):
    answer = small_questionnaire.answers.first()
    client = api_as(team.contributor)
    client.patch(detail(answer), {"answer": "Yes"}, format="json", HTTP_IF_MATCH=etag(answer))

    response = client.get(f"{detail(answer)}history/")

    assert response.status_code == 200
    [change] = response.json()["results"]
    assert change["source"] == ChangeSource.API == "api"
    assert change["changed_by"] == team.contributor.email
    assert change["revision"] == 2
    assert change["changes"]["answer"] == ["", "Yes"]


# --- Roles, token scopes and tenancy --------------------------------------------------------


def test_a_viewer_cannot_patch_even_with_the_right_etag(api_as, team, small_questionnaire):
    answer = small_questionnaire.answers.first()

    response = api_as(team.viewer).patch(
        detail(answer), {"answer": "Yes"}, format="json", HTTP_IF_MATCH=f'"{answer.pk}-1"'
    )

    assert response.status_code == 403
    assert response.json()["error"]["status"] == 403
    answer.refresh_from_db()
    assert answer.revision == 1


def test_a_read_scope_token_cannot_patch_even_for_an_admin(api_as, team, small_questionnaire):
    answer = small_questionnaire.answers.first()

    response = api_as(team.admin, "read").patch(
        detail(answer), {"answer": "Yes"}, format="json", HTTP_IF_MATCH=f'"{answer.pk}-1"'
    )

    assert response.status_code == 403
    assert response.json()["error"]["message"] == "This API token is read-only."


def test_a_write_scope_organisation_token_patches_as_its_service_account(
    api_as, team, small_questionnaire
):
    answer = small_questionnaire.answers.first()
    client = api_as(team.org, "write")

    response = client.patch(
        detail(answer), {"answer": "Yes"}, format="json", HTTP_IF_MATCH=f'"{answer.pk}-1"'
    )

    assert response.status_code == 200
    change = AnswerChange.objects.get(answer=answer)
    assert change.changed_by.is_service_account
    assert change.changed_by.memberships.get().role == Role.CONTRIBUTOR
    history = client.get(f"{detail(answer)}history/").json()["results"]
    assert history[0]["changed_by"] == change.changed_by.email
    assert history[0]["changed_by"].startswith("token-")


@pytest.mark.parametrize("suffix", ["", "history/"])
def test_another_organisations_answer_is_not_found_to_read(
    api_as, team, globex_questionnaire, suffix
):
    answer = globex_questionnaire.answers.first()

    response = api_as(team.admin).get(f"{detail(answer)}{suffix}")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_another_organisations_answer_is_not_found_to_patch(api_as, team, globex_questionnaire):
    answer = globex_questionnaire.answers.first()

    response = api_as(team.admin).patch(
        detail(answer), {"answer": "Yes"}, format="json", HTTP_IF_MATCH=f'"{answer.pk}-1"'
    )

    assert response.status_code == 404
    answer.refresh_from_db()
    assert answer.revision == 1


def test_approval_elsewhere_shows_up_in_the_next_pull(
    api_as, team, small_questionnaire, contributor, membership_of
):
    answer = edit(small_questionnaire.answers.first(), contributor, answer="Yes", ssrm="CSP-owned")
    since = timezone.now()
    answer_approve(
        answer=answer, membership=membership_of(team.reviewer, team.org), user=team.reviewer
    )

    rows = api_as(team.viewer, "read").get(LIST, {"updated_since": since.isoformat()}).json()

    assert [(r["id"], r["review_status"]) for r in rows["results"]] == [(answer.pk, "approved")]


def test_the_fast_serializer_path_says_exactly_what_drf_fields_would(
    team, small_questionnaire, contributor, admin_membership
):
    from rest_framework import serializers as drf

    from caiq.api.serializers import ANSWER_COLUMNS, ANSWER_RELATED_COLUMNS, AnswerSerializer

    first = small_questionnaire.answers.order_by("question__position").first()
    answers_assign(
        answers=small_questionnaire.answers.filter(pk=first.pk),
        assignee=team.contributor,
        membership=admin_membership,
        user=team.admin,
    )
    edit(first, contributor, answer="Yes", implementation="Über <b>&</b>")
    rows = small_questionnaire.answers.values(*ANSWER_COLUMNS, **ANSWER_RELATED_COLUMNS)

    for row in rows:
        assert AnswerSerializer().to_representation(row) == drf.Serializer.to_representation(
            AnswerSerializer(), row
        )


def test_a_patch_answers_what_a_later_get_reads(api_as, team, small_questionnaire):
    answer = small_questionnaire.answers.first()
    client = api_as(team.contributor)

    patched = client.patch(
        detail(answer),
        {"csc_responsibilities": "Rotate keys."},
        format="json",
        HTTP_IF_MATCH=f'"{answer.pk}-1"',
    )

    assert patched.json() == client.get(detail(answer)).json()


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/api/v1/answers/99999999999999999999/", 404),
        ("/api/v1/questionnaires/99999999999999999999/readiness/", 404),
        ("/api/v1/answers/?questionnaire=99999999999999999999", 400),
        ("/api/v1/answers/?questionnaire=1.5", 400),
        ("/api/v1/answers/?assignee=99999999999999999999", 200),
        ("/api/v1/jobs/?questionnaire=-1", 400),
    ],
)
def test_out_of_range_ids_are_client_errors_not_crashes(api_as, team, path, expected):
    assert api_as(team.viewer, "read").get(path).status_code == expected


def test_a_cursor_naming_an_impossible_id_is_refused(api_as, team):
    import base64

    forged = base64.b64encode(b"k=2026-01-01T00%3A00%3A00%2B00%3A00%7C99999999999999999999")

    response = api_as(team.viewer, "read").get(LIST, {"cursor": forged.decode()})

    assert response.status_code == 404


@pytest.mark.parametrize(
    "since", ["0268-11-18T08:01:22-17:58", "0001-01-01T00:00:00+10:00", "9999-12-31T23:59:59-10:00"]
)
def test_an_extreme_updated_since_is_refused_or_answered_never_a_server_error(
    api_as, team, small_questionnaire, since
):
    response = api_as(team.org, "read").get("/api/v1/answers/", {"updated_since": since})

    assert response.status_code in (200, 400)
