import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from caiq.models import AnswerChange

pytestmark = pytest.mark.django_db


def fill_url(questionnaire, **params):
    url = reverse("caiq:fill", args=[questionnaire.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def save_url(answer):
    return reverse("caiq:answer_save", args=[answer.questionnaire_id, answer.pk])


def count_queries(client, url):
    client.get(url)  # warm the session and caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_fill_page_costs_the_same_queries_for_261_and_10_questions(
    client, team, questionnaire, small_questionnaire
):
    client.force_login(team.contributor)

    big = count_queries(client, fill_url(questionnaire))
    small = count_queries(client, fill_url(small_questionnaire))

    assert big == small
    assert big <= 12


@pytest.mark.django_db(transaction=True)  # no test transaction: count what production runs
def test_saving_one_answer_costs_at_most_8_queries(client, team, questionnaire):
    client.force_login(team.contributor)
    answer = questionnaire.answers.first()
    client.get(fill_url(questionnaire))

    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            save_url(answer), {"answer": "Yes", "revision": 1}, headers={"HX-Request": "true"}
        )

    assert response.status_code == 200
    assert len(queries) <= 8


def test_an_inline_save_returns_the_new_revision(client, team, questionnaire):
    client.force_login(team.contributor)
    answer = questionnaire.answers.first()

    response = client.post(
        save_url(answer),
        {"answer": "No", "ssrm": "CSC-owned", "revision": 1},
        headers={"HX-Request": "true"},
    )

    answer.refresh_from_db()
    assert (answer.answer, answer.ssrm, answer.revision) == ("No", "CSC-owned", 2)
    assert f'id="revision-{answer.pk}"' in response.text
    assert 'value="2"' in response.text


def test_a_stale_save_gets_a_conflict_showing_the_other_change(client, team, questionnaire):
    answer = questionnaire.answers.first()
    client.force_login(team.reviewer)
    client.post(save_url(answer), {"implementation": "Reviewer wrote this", "revision": 1})
    client.force_login(team.contributor)

    response = client.post(
        save_url(answer),
        {"implementation": "Contributor's text", "revision": 1},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 409
    assert response.headers["HX-Retarget"] == f"#answer-{answer.pk}"
    assert "Not saved" in response.text
    assert "Reviewer wrote this" in response.text
    assert "Contributor&#39;s text" in response.text  # the user's input is kept, escaped
    answer.refresh_from_db()
    assert answer.implementation == "Reviewer wrote this"


def test_a_page_save_without_javascript_redirects_back_to_the_answer(client, team, questionnaire):
    client.force_login(team.contributor)
    answer = questionnaire.answers.first()

    response = client.post(save_url(answer), {"answer": "NA", "revision": 1})

    assert response.status_code == 302
    assert response.url.endswith(f"#answer-{answer.pk}")
    assert AnswerChange.objects.get(answer=answer).source == "page"


def test_an_invalid_value_is_refused_with_its_reason(client, team, questionnaire):
    client.force_login(team.contributor)
    answer = questionnaire.answers.first()

    response = client.post(
        save_url(answer),
        {"implementation": "bad\x01", "revision": 1},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 400
    assert "control character U+0001" in response.text


def test_a_viewer_sees_the_page_but_cannot_save(client, team, questionnaire):
    client.force_login(team.viewer)
    answer = questionnaire.answers.first()

    page = client.get(fill_url(questionnaire))
    response = client.post(save_url(answer), {"answer": "Yes", "revision": 1})

    assert page.status_code == 200
    assert "disabled" in page.text
    assert response.status_code == 403


@pytest.mark.parametrize(
    "url_name", ["fill", "copy", "answer_save", "answer_history", "comment", "assign"]
)
def test_another_organisation_sees_404_everywhere(client, team, questionnaire, url_name):
    answer = questionnaire.answers.first()
    args = {
        "fill": [questionnaire.pk],
        "copy": [questionnaire.pk],
        "assign": [questionnaire.pk],
    }.get(url_name, [questionnaire.pk, answer.pk])
    client.force_login(team.outsider)

    get = client.get(reverse(f"caiq:{url_name}", args=args))
    post = client.post(reverse(f"caiq:{url_name}", args=args), {"revision": 1, "answer": "Yes"})

    assert get.status_code in (404, 405)
    assert post.status_code in (404, 405)
    assert 404 in (get.status_code, post.status_code)


def test_another_organisations_questionnaires_are_not_listed(client, team, questionnaire):
    client.force_login(team.outsider)

    response = client.get(reverse("caiq:questionnaire_list"))

    assert questionnaire.name not in response.text


@pytest.mark.parametrize(
    ("show", "expected"),
    [("unanswered", 260), ("no", 1), ("na_unexplained", 0), ("mine", 0)],
)
def test_the_filters_pick_the_right_questions(client, team, questionnaire, show, expected):
    client.force_login(team.contributor)
    answer = questionnaire.answers.first()
    client.post(save_url(answer), {"answer": "No", "revision": 1})

    response = client.get(fill_url(questionnaire, show=show))

    # Across domains the page shows 30 at a time; the count says how many matched.
    assert response.context["page"].paginator.count == expected
    assert response.text.count('<article class="answer') == min(expected, 30)


def test_search_finds_a_question_by_id(client, team, questionnaire):
    client.force_login(team.contributor)

    response = client.get(fill_url(questionnaire, q="CEK-19.1"))

    assert response.text.count('<article class="answer') == 1
    assert "CEK-19.1" in response.text


def test_the_domain_sidebar_counts_answers(client, team, questionnaire):
    client.force_login(team.contributor)
    answer = questionnaire.answers.first()
    client.post(save_url(answer), {"answer": "Yes", "revision": 1})

    response = client.get(fill_url(questionnaire, domain="A%26A"))

    assert response.text.count('<article class="answer') == 8
    assert "1/8" in response.text


def test_the_questionnaire_list_shows_progress(client, team, questionnaire):
    client.force_login(team.viewer)
    answer = questionnaire.answers.first()
    client.force_login(team.contributor)
    client.post(save_url(answer), {"answer": "Yes", "revision": 1})

    response = client.get(reverse("caiq:questionnaire_list"))

    assert "1/261 answered · 0 approved" in response.text


def test_a_reviewer_approves_on_the_page_and_a_contributor_cannot(client, team, questionnaire):
    answer = questionnaire.answers.first()
    client.force_login(team.contributor)
    client.post(save_url(answer), {"answer": "Yes", "ssrm": "CSP-owned", "revision": 1})
    approve = reverse("caiq:answer_review", args=[questionnaire.pk, answer.pk, "approve"])

    refused = client.post(approve, headers={"HX-Request": "true"})
    client.force_login(team.reviewer)
    approved = client.post(approve, headers={"HX-Request": "true"})

    assert refused.status_code == 400
    assert "Only a reviewer or above can approve" in refused.text
    assert approved.status_code == 200
    answer.refresh_from_db()
    assert answer.review_status == "approved"


def test_assigning_selected_questions_and_my_questions(client, team, questionnaire):
    first, second = questionnaire.answers.all()[:2]
    client.force_login(team.reviewer)

    client.post(
        reverse("caiq:assign", args=[questionnaire.pk]),
        {"assignee": team.contributor.pk, "scope": "selected", "answer": [first.pk, second.pk]},
    )
    client.force_login(team.contributor)
    mine = client.get(reverse("caiq:my_questions"))

    assert questionnaire.answers.filter(assignee=team.contributor).count() == 2
    assert escape(first.question.code) in mine.text
    assert escape(second.question.code) in mine.text


def test_history_lists_each_change_with_old_and_new_values(client, team, questionnaire):
    answer = questionnaire.answers.first()
    client.force_login(team.contributor)
    client.post(save_url(answer), {"implementation": "v1", "revision": 1})
    client.post(save_url(answer), {"implementation": "v2", "revision": 2})

    response = client.get(reverse("caiq:answer_history", args=[questionnaire.pk, answer.pk]))

    assert response.status_code == 200
    assert ">v1<" in response.text
    assert ">v2<" in response.text
    # In the page's words: field labels and status names, no model names or revision numbers.
    assert "<td>CSP implementation description</td>" in response.text
    assert "<td>Review status</td>" in response.text
    assert ">In progress<" in response.text
    assert "review_status" not in response.text
    assert "revision 3" not in response.text


def test_the_questionnaire_list_costs_the_same_queries_for_one_or_three_questionnaires(
    client, team, questionnaire, small_catalog, admin_membership
):
    from caiq.services import questionnaire_create

    client.force_login(team.viewer)
    url = reverse("caiq:questionnaire_list")
    one = count_queries(client, url)
    for name in ("Two", "Three"):
        questionnaire_create(
            membership=admin_membership, version=small_catalog, name=name, service_name=name
        )

    assert count_queries(client, url) == one
    response = client.get(url)
    assert response.text.count("By domain") == 3


def test_a_conflict_keeps_their_values_in_the_fields_the_user_did_not_send(
    client, team, questionnaire
):
    answer = questionnaire.answers.first()
    client.force_login(team.reviewer)
    client.post(save_url(answer), {"answer": "No", "ssrm": "CSC-owned", "revision": 1})
    client.force_login(team.contributor)

    response = client.post(
        save_url(answer), {"implementation": "mine", "revision": 1}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 409
    assert '<option value="No" selected>' in response.text
    assert '<option value="CSC-owned" selected>' in response.text
    assert ">mine</textarea>" in response.text
