import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Membership
from caiq.models import Questionnaire
from caiq.services import questionnaire_create

pytestmark = pytest.mark.django_db


def test_an_admin_creates_a_questionnaire_with_an_answer_per_question(client, team, sample_catalog):
    client.force_login(team.admin)

    response = client.post(
        reverse("caiq:questionnaire_create"),
        {"name": "Acme Compute 2026", "service_name": "Acme Compute", "version": "4.0.3"},
    )

    questionnaire = Questionnaire.objects.get(name="Acme Compute 2026")
    assert response.status_code == 302
    assert questionnaire.organization == team.org
    assert questionnaire.answers.count() == 261


def test_a_duplicate_name_is_refused_clearly(client, team, questionnaire):
    client.force_login(team.admin)

    response = client.post(
        reverse("caiq:questionnaire_create"),
        {"name": questionnaire.name, "service_name": "x", "version": "4.0.3"},
    )

    assert response.status_code == 200
    assert "already has a questionnaire of that name" in response.text


def test_a_contributor_cannot_create_questionnaires(client, team, sample_catalog):
    client.force_login(team.contributor)

    assert client.get(reverse("caiq:questionnaire_create")).status_code == 403


def test_the_workflow_moves_through_review_to_submission(client, team, small_questionnaire):
    from caiq.services import answer_approve, answer_update

    contributor = Membership.objects.get(user=team.contributor, organization=team.org)
    reviewer = Membership.objects.get(user=team.reviewer, organization=team.org)
    for answer in small_questionnaire.answers.select_related("questionnaire"):
        answer = answer_update(
            answer=answer,
            membership=contributor,
            user=team.contributor,
            values={"answer": "Yes", "ssrm": "CSP-owned"},
            base_revision=answer.revision,
        )
        answer_approve(answer=answer, membership=reviewer, user=team.reviewer)
    url = lambda action: reverse("caiq:transition", args=[small_questionnaire.pk, action])  # noqa: E731

    client.force_login(team.contributor)
    client.post(url("request-review"))
    client.force_login(team.reviewer)
    client.post(url("approve"))
    client.force_login(team.admin)
    client.post(
        url("submitted"),
        {"submitted_at": "2026-11-20", "star_registry_url": "https://star.example/e/1"},
    )

    small_questionnaire.refresh_from_db()
    assert small_questionnaire.status == "submitted"
    assert str(small_questionnaire.submitted_at) == "2026-11-20"


def test_approving_a_questionnaire_with_open_answers_says_why(client, team, small_questionnaire):
    client.force_login(team.reviewer)

    response = client.post(
        reverse("caiq:transition", args=[small_questionnaire.pk, "approve"]), follow=True
    )

    assert "10 answers are not approved yet" in response.text
    small_questionnaire.refresh_from_db()
    assert small_questionnaire.status == "draft"


@pytest.fixture
def staff_of_acme(client, team):
    team.admin.is_staff = True
    team.admin.save()
    team.admin.user_permissions.set(
        Permission.objects.filter(content_type__app_label="caiq", codename__startswith="view_")
        | Permission.objects.filter(content_type__app_label="caiq", codename__startswith="change_")
    )
    client.force_login(team.admin)
    return client


def test_admin_staff_see_only_their_organisations_questionnaires_and_answers(
    staff_of_acme, team, questionnaire, sample_catalog
):
    outsider = Membership.objects.get(user=team.outsider, organization=team.other_org)
    theirs = questionnaire_create(
        membership=outsider, version=sample_catalog, name="Globex secret", service_name="G"
    )

    listing = staff_of_acme.get(reverse("admin:caiq_questionnaire_changelist"))
    answers = staff_of_acme.get(reverse("admin:caiq_answer_changelist"), {"q": "A&A-01.1"})

    assert questionnaire.name in listing.text
    assert "Globex secret" not in listing.text
    assert "1 answer" in answers.text
    for url in (
        reverse("admin:caiq_questionnaire_change", args=[theirs.pk]),
        reverse("admin:caiq_answer_change", args=[theirs.answers.first().pk]),
    ):
        assert staff_of_acme.get(url).status_code == 404


# --- The list at volume: one page at a time, filters, a fixed query budget -----------------


def make_questionnaires(membership, version, count, *, start=0, **fields):
    return [
        questionnaire_create(
            membership=membership,
            version=version,
            name=f"Service {n:03d}",
            service_name=fields.get("service_name", f"Compute {n % 3}"),
        )
        for n in range(start, start + count)
    ]


def list_queries(client, **params) -> tuple[int, str]:
    url = reverse("caiq:questionnaire_list")
    client.get(url, params)  # warm the session
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries), response.text


def test_the_list_costs_the_same_queries_for_3_and_30_questionnaires(
    client, team, admin_membership, small_catalog
):
    client.force_login(team.viewer)
    make_questionnaires(admin_membership, small_catalog, 3)
    few, _page = list_queries(client)
    make_questionnaires(admin_membership, small_catalog, 27, start=3)

    many, page = list_queries(client)

    assert many == few
    assert many <= 10
    assert page.count("By domain") == 25


def test_the_list_shows_25_a_page_newest_first_with_page_links(
    client, team, admin_membership, small_catalog
):
    client.force_login(team.viewer)
    make_questionnaires(admin_membership, small_catalog, 30)

    first = client.get(reverse("caiq:questionnaire_list")).text
    second = client.get(reverse("caiq:questionnaire_list"), {"page": 2}).text

    assert "Service 029" in first
    assert "Service 005" in first
    assert "Service 004" not in first
    assert "1\u201325 of 30 questionnaires" in first
    assert 'href="?page=2" rel="next"' in first
    assert "Service 004" in second
    assert "Service 000" in second
    assert "Service 029" not in second
    assert 'rel="prev"' in second


def test_searching_by_name_or_service_and_filtering_by_status_keep_the_filters_on_page_links(
    client, team, admin_membership, small_catalog
):
    client.force_login(team.viewer)
    make_questionnaires(admin_membership, small_catalog, 28, service_name="Block Storage")
    make_questionnaires(admin_membership, small_catalog, 2, start=50, service_name="Kubernetes")
    Questionnaire.objects.filter(name="Service 003").update(status="in_review")

    kubernetes = client.get(reverse("caiq:questionnaire_list"), {"q": "kubernetes"}).text
    by_name = client.get(reverse("caiq:questionnaire_list"), {"q": "service 00"}).text
    in_review = client.get(reverse("caiq:questionnaire_list"), {"status": "in_review"}).text
    storage = client.get(reverse("caiq:questionnaire_list"), {"q": "storage"}).text

    assert kubernetes.count("By domain") == 2
    assert by_name.count("By domain") == 10
    assert in_review.count("By domain") == 1
    assert "Service 003" in in_review
    assert '<option value="in_review" selected>In review (1)</option>' in in_review
    assert "1\u201325 of 28 questionnaires matching" in storage
    assert 'href="?q=storage&amp;page=2"' in storage


def test_an_unknown_status_or_page_shows_the_first_page_of_everything(
    client, team, admin_membership, small_catalog
):
    client.force_login(team.viewer)
    make_questionnaires(admin_membership, small_catalog, 2)

    response = client.get(reverse("caiq:questionnaire_list"), {"status": "nope", "page": "x"})

    assert response.status_code == 200
    assert response.text.count("By domain") == 2


def test_the_list_shows_only_the_members_organisation(client, team, small_questionnaire):
    client.force_login(team.outsider)

    page = client.get(reverse("caiq:questionnaire_list")).text

    assert small_questionnaire.name not in page
    assert "No questionnaires yet." in page


def test_the_api_questionnaire_list_counts_progress_for_its_page_only(
    client, team, admin_membership, small_catalog
):
    client.force_login(team.viewer)
    make_questionnaires(admin_membership, small_catalog, 3)

    def page(**params):
        client.get("/api/v1/questionnaires/", params)
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/api/v1/questionnaires/", params)
        assert response.status_code == 200
        return [q["sql"] for q in queries.captured_queries], response.json()

    few, _body = page()
    make_questionnaires(admin_membership, small_catalog, 27, start=3)
    many, body = page(page_size=5)

    assert len(many) == len(few)
    # The page is cut first, then counted: no query aggregates answers and pages at once.
    assert not [sql for sql in many if "GROUP BY" in sql and "LIMIT" in sql]
    assert body["count"] == 30
    names = [row["name"] for row in body["results"]]
    assert names == [f"Service {n:03d}" for n in range(29, 24, -1)]
    assert {row["progress"]["total"] for row in body["results"]} == {10}


def test_the_list_counts_from_the_tally_without_counting_the_questionnaires(
    client, team, admin_membership, small_catalog
):
    client.force_login(team.viewer)
    make_questionnaires(admin_membership, small_catalog, 12)
    Questionnaire.objects.filter(name__in=["Service 001", "Service 002"]).update(status="approved")

    _n, everything = list_queries(client)
    with CaptureQueriesContext(connection) as queries:
        approved = client.get(reverse("caiq:questionnaire_list"), {"status": "approved"}).text

    assert "1\u201312 of 12 questionnaires" in everything
    assert "1\u20132 of 2 questionnaires matching" in approved
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    assert not any("caiq_questionnaire" in sql and "tally" not in sql for sql in counts), counts


def test_a_page_size_can_be_chosen_and_stays_on_page_links(
    client, team, admin_membership, small_catalog
):
    client.force_login(team.viewer)
    make_questionnaires(admin_membership, small_catalog, 12)

    ten = client.get(reverse("caiq:questionnaire_list"), {"per_page": "10"}).text
    odd = client.get(reverse("caiq:questionnaire_list"), {"per_page": "7"}).text

    assert ten.count("By domain") == 10
    assert "1\u201310 of 12 questionnaires" in ten
    assert 'href="?per_page=10&amp;page=2" rel="next"' in ten
    assert '<option value="10" selected>10</option>' in ten
    assert odd.count("By domain") == 12  # not one of the sizes offered: the default, 25
