"""The fill page renders what is looked at: one domain first, the rest on demand, never the
whole questionnaire in one response; every save and review brings the counts up to date."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Membership
from accounts.tokens import api_token_create
from caiq.models import Answer, ReviewStatus
from caiq.services import answer_approve, answer_mark_ready, answer_update

from .test_fill_page import fill_url, save_url

pytestmark = pytest.mark.django_db
# A first view of one domain is about a tenth of the whole questionnaire's 1 MB.
FIRST_VIEW_MAX_BYTES = 150 * 1024


def articles(response) -> list[str]:
    return re.findall(r'<span class="code" id="code-\d+">([^<]+)</span>', response.text)


def test_the_first_view_is_the_first_domain_with_an_unanswered_question(
    client, team, questionnaire
):
    client.force_login(team.contributor)
    for answer in questionnaire.answers.filter(question__control__domain__code="A&A"):
        client.post(save_url(answer), {"answer": "NA", "implementation": "n/a", "revision": 1})

    response = client.get(fill_url(questionnaire))

    codes = articles(response)
    assert codes
    assert all(code.startswith("AIS-") for code in codes)
    assert len(response.content) <= FIRST_VIEW_MAX_BYTES, len(response.content)
    assert 'aria-current="page" title="Application &amp; Interface Security"' in response.text
    assert "Continue with BCR" in response.text


def test_all_domains_come_30_at_a_time_and_every_page_stays_small(client, team, questionnaire):
    client.force_login(team.contributor)
    seen, url = [], fill_url(questionnaire, domain="all")

    while url:
        response = client.get(url)
        assert len(response.content) <= FIRST_VIEW_MAX_BYTES
        seen += articles(response)
        following = re.search(r'<a href="([^"]+)"[^>]*rel="next">Next 30', response.text)
        url = following.group(1).replace("&amp;", "&") if following else None

    assert len(seen) == 261
    assert len(set(seen)) == 261


def test_moving_to_a_domain_with_htmx_sends_its_questions_and_the_sidebar_only(
    client, team, questionnaire
):
    client.force_login(team.contributor)

    response = client.get(
        fill_url(questionnaire, domain="IAM"),
        headers={"HX-Request": "true", "HX-Target": "questions"},
    )

    assert "<html" not in response.text
    assert response.text.lstrip().startswith('<div id="questions">')
    assert all(code.startswith("IAM-") for code in articles(response))
    assert '<aside id="domains" aria-label="Domains" hx-swap-oob="true">' in response.text


def test_a_filter_without_a_chosen_domain_searches_every_domain(client, team, questionnaire):
    client.force_login(team.contributor)

    response = client.get(fill_url(questionnaire, q="LOG-01"))

    assert set(articles(response)) >= {"LOG-01.1", "LOG-01.2"}


def test_a_save_brings_the_progress_and_the_domains_counts_along(client, team, questionnaire):
    client.force_login(team.contributor)
    answer = questionnaire.answers.get(question__code="BCR-01.1")

    response = client.post(
        save_url(answer), {"answer": "Yes", "revision": 1}, headers={"HX-Request": "true"}
    )

    assert '<div id="progress" hx-swap-oob="true">' in response.text
    assert "1/261 answered · 0 approved" in response.text
    bcr = re.search(r'<span id="count-bcr" hx-swap-oob="true">(\d+)/(\d+)', response.text)
    assert bcr
    assert bcr.group(1) == "1"
    assert '<span id="count-all" hx-swap-oob="true">1/261</span>' in response.text


def test_a_save_that_moves_no_count_sends_none_and_skips_the_count_query(
    client, team, questionnaire
):
    client.force_login(team.contributor)
    answer = questionnaire.answers.get(question__code="BCR-01.1")
    htmx = {"HX-Request": "true"}
    client.post(save_url(answer), {"answer": "Yes", "revision": 1}, headers=htmx)

    with CaptureQueriesContext(connection) as typed:
        response = client.post(save_url(answer), {"answer": "No", "revision": 2}, headers=htmx)

    assert response.status_code == 200
    assert 'id="progress"' not in response.text
    assert f'id="revision-{answer.pk}" hx-swap-oob="true"' in response.text
    assert "count-" not in response.text
    assert not [q for q in typed.captured_queries if "COUNT(" in q["sql"]]


def test_an_approval_brings_the_approved_count_along(client, team, questionnaire):
    answer = questionnaire.answers.get(question__code="A&A-01.1")
    contributor = Membership.objects.get(user=team.contributor, organization=team.org)
    client.force_login(team.contributor)
    client.post(save_url(answer), {"answer": "Yes", "ssrm": "CSP-owned", "revision": 1})
    answer_mark_ready(answer=answer, membership=contributor, user=team.contributor)
    client.force_login(team.reviewer)

    response = client.post(
        reverse("caiq:answer_review", args=[questionnaire.pk, answer.pk, "approve"]),
        {"revision": Answer.objects.get(pk=answer.pk).revision},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert "1/261 answered · 1 approved" in response.text
    assert re.search(r'<span id="count-aa" hx-swap-oob="true">1/\d+ · 1✓</span>', response.text)


def test_a_conflict_speaks_in_the_pages_words(client, team, questionnaire):
    answer = questionnaire.answers.first()
    client.force_login(team.reviewer)
    client.post(save_url(answer), {"answer": "Yes", "ssrm": "CSP-owned", "revision": 1})
    client.force_login(team.contributor)

    response = client.post(
        save_url(answer), {"answer": "No", "revision": 1}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 409
    assert "SSRM control ownership “—” → “CSP-owned”" in response.text
    assert "Review status “Not started” → “In progress”" in response.text
    assert "review_status" not in response.text
    assert "revision 2" not in response.text


def test_a_save_says_saved_without_a_revision_number(client, team, questionnaire):
    client.force_login(team.contributor)
    answer = questionnaire.answers.first()

    response = client.post(
        save_url(answer), {"answer": "Yes", "revision": 1}, headers={"HX-Request": "true"}
    )

    assert 'role="status" hx-swap-oob="true">Saved</span>' in response.text


def test_approving_the_questionnaire_is_offered_only_once_every_answer_is_approved(
    client, team, small_questionnaire
):
    reviewer = Membership.objects.get(user=team.reviewer, organization=team.org)
    contributor = Membership.objects.get(user=team.contributor, organization=team.org)
    client.force_login(team.reviewer)
    button = ">Approve questionnaire</button>"

    before = client.get(fill_url(small_questionnaire)).text
    for answer in small_questionnaire.answers.select_related("questionnaire"):
        Answer.objects.filter(pk=answer.pk).update(answer="NA", implementation="Not offered.")
        answer.refresh_from_db()
        answer_mark_ready(answer=answer, membership=contributor, user=team.contributor)
        answer_approve(answer=answer, membership=reviewer, user=team.reviewer)
    after = client.get(fill_url(small_questionnaire)).text

    assert button not in before
    assert "needs every answer approved (0/10)" in before
    assert button in after
    assert small_questionnaire.answers.filter(review_status=ReviewStatus.APPROVED).count() == 10


def test_the_save_reads_the_answer_and_the_role_in_one_query(client, team, questionnaire):
    # Outsiders still get 404: the membership is part of the one query's condition.
    answer = questionnaire.answers.first()
    client.force_login(team.outsider)

    response = client.post(save_url(answer), {"answer": "Yes", "revision": 1})

    assert response.status_code == 404


OWN = "You changed its content since its last approval: someone else approves it."


def test_a_reviewer_is_not_offered_approve_on_content_they_wrote(client, team, questionnaire):
    mine, theirs = questionnaire.answers.order_by("question__position")[:2]
    client.force_login(team.reviewer)
    client.post(save_url(mine), {"answer": "Yes", "ssrm": "CSP-owned", "revision": 1})
    client.force_login(team.contributor)
    client.post(save_url(theirs), {"answer": "Yes", "ssrm": "CSP-owned", "revision": 1})
    client.force_login(team.reviewer)

    page = client.get(fill_url(questionnaire, domain="A&A")).text

    mine_html = page.split(f'id="answer-{mine.pk}"')[1].split("</article>")[0]
    theirs_html = page.split(f'id="answer-{theirs.pk}"')[1].split("</article>")[0]
    assert OWN in mine_html
    assert 'data-action="approve"' not in mine_html
    assert 'data-action="approve"' in theirs_html


def test_a_reviewers_own_content_through_a_token_counts_too(client, team, questionnaire):
    admin = Membership.objects.get(user=team.admin, organization=team.org)
    token, _secret = api_token_create(
        name="sync", scope="write", created_by=team.admin, organization=team.org,
        acting_membership=admin,
    )  # fmt: skip
    service = Membership.objects.get(user=token.service_user)
    answer = questionnaire.answers.select_related("questionnaire").first()
    answer_update(
        answer=answer, membership=service, user=token.service_user,
        values={"answer": "Yes", "ssrm": "CSP-owned"}, base_revision=answer.revision,
    )  # fmt: skip
    client.force_login(team.admin)

    page = client.get(fill_url(questionnaire, domain="A&A")).text

    assert OWN in page.split(f'id="answer-{answer.pk}"')[1].split("</article>")[0]


def test_a_reviewers_content_save_withdraws_the_approve_button_in_place(
    client, team, questionnaire
):
    answer = questionnaire.answers.first()
    client.force_login(team.reviewer)

    content = client.post(
        save_url(answer), {"answer": "Yes", "revision": 1}, headers={"HX-Request": "true"}
    )
    notes = client.post(
        save_url(answer),
        {"answer": "Yes", "internal_notes": "later", "revision": 2},
        headers={"HX-Request": "true"},
    )

    assert f'<span id="approve-{answer.pk}" hx-swap-oob="true">' in content.text
    assert f'id="approve-{answer.pk}"' not in notes.text


def test_a_reviewers_first_view_stays_within_the_query_budget(
    client, team, questionnaire, django_assert_max_num_queries
):
    client.force_login(team.reviewer)
    client.get(fill_url(questionnaire))

    with django_assert_max_num_queries(12):
        response = client.get(fill_url(questionnaire))

    assert 'data-action="approve"' in response.text


def test_the_grid_shows_a_row_per_question_with_the_cards_fields(client, team, questionnaire):
    client.force_login(team.contributor)

    response = client.get(fill_url(questionnaire, domain="IAM", view="grid"))

    rows = re.findall(r'<tr id="answer-(\d+)" class="answer-row">', response.text)
    iam = questionnaire.answers.filter(question__control__domain__code="IAM")
    assert sorted(int(pk) for pk in rows) == sorted(iam.values_list("pk", flat=True))
    assert '<article class="answer' not in response.text
    assert f'id="revision-{rows[0]}"' in response.text  # the ids a save updates
    assert "view=grid" in response.text.split('rel="next">Continue with')[0].rsplit("<a", 1)[1]


def test_clearing_an_answer_brings_the_counts_along(client, team, questionnaire):
    client.force_login(team.contributor)
    answer = questionnaire.answers.get(question__code="BCR-01.1")
    htmx = {"HX-Request": "true"}
    client.post(save_url(answer), {"answer": "Yes", "revision": 1}, headers=htmx)

    response = client.post(save_url(answer), {"answer": "", "revision": 2}, headers=htmx)

    assert '<span id="count-all" hx-swap-oob="true">0/261</span>' in response.text


def test_a_save_that_undoes_an_approval_brings_the_approved_count_along(
    client, team, questionnaire
):
    answer = questionnaire.answers.get(question__code="A&A-01.1")
    contributor = Membership.objects.get(user=team.contributor, organization=team.org)
    reviewer = Membership.objects.get(user=team.reviewer, organization=team.org)
    answer_update(
        answer=answer,
        membership=contributor,
        user=team.contributor,
        values={"answer": "Yes", "ssrm": "CSP-owned"},
        base_revision=1,
    )
    answer = Answer.objects.get(pk=answer.pk)
    answer_mark_ready(answer=answer, membership=contributor, user=team.contributor)
    answer = Answer.objects.get(pk=answer.pk)
    answer_approve(answer=answer, membership=reviewer, user=team.reviewer)
    client.force_login(team.contributor)

    response = client.post(
        save_url(answer),
        {"answer": "No", "revision": Answer.objects.get(pk=answer.pk).revision},
        headers={"HX-Request": "true"},
    )

    assert Answer.objects.get(pk=answer.pk).review_status != ReviewStatus.APPROVED
    assert "1/261 answered · 0 approved" in response.text


def test_the_hand_written_domain_counts_agree_with_the_orm(team, questionnaire):
    from caiq import selectors

    contributor = Membership.objects.get(user=team.contributor, organization=team.org)
    for n, answer in enumerate(questionnaire.answers.order_by("question__position")[::7]):
        answer_update(
            answer=answer,
            membership=contributor,
            user=team.contributor,
            values={"answer": ("Yes", "No", "NA")[n % 3]},
            base_revision=answer.revision,
        )

    by_orm = selectors.domain_progress_by_questionnaire([questionnaire])[questionnaire.pk]

    assert selectors.domain_progress(questionnaire) == [
        {
            key: row[key]
            for key in ("code", "title", "position", "total", "answered", "approved", "yes", "no")
        }
        for row in by_orm
    ]
