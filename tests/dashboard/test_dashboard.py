import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, User
from bench.seed import seed_volume
from caiq.models import Answer, Questionnaire
from caiq.services import answer_update, questionnaire_create
from evidence.models import Evidence
from tests.workbooks import sample_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(db):
    from caiq.services import catalog_import

    return catalog_import(data=sample_bytes(), filename="sample.xlsx", is_sample=True).version


@pytest.fixture
def admin(team):
    return Membership.objects.get(user=team.admin, organization=team.org)


def create(admin, version, *names):
    return [
        questionnaire_create(membership=admin, version=version, name=n, service_name=n)
        for n in names
    ]


def dashboard(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.text


def status_count(page: str, status: str) -> str:
    found = re.search(rf'class="status {status}">[^<]+</span></th>\s*<td>(?:<[^>]+>)?(\d+)', page)
    return found.group(1)


def test_the_dashboard_counts_questionnaires_by_status(client, team, admin, version):
    _draft, review, _other = create(admin, version, "Storage", "Compute", "Network")
    Questionnaire.objects.filter(pk=review.pk).update(status="in_review")

    page = dashboard(client, team.viewer)

    assert "Questionnaires</a>: 3" in page
    assert status_count(page, "draft") == "2"
    assert status_count(page, "in_review") == "1"
    assert status_count(page, "approved") == "0"
    assert 'href="/questionnaires/?status=in_review">1</a>' in page


def test_it_counts_my_open_questions_but_not_approved_or_submitted_ones(
    client, team, admin, version
):
    open_one, submitted = create(admin, version, "Open", "Done")
    Answer.objects.filter(questionnaire=open_one).filter(question__code__startswith="A&A").update(
        assignee=team.contributor
    )
    Answer.objects.filter(questionnaire=open_one, question__code="A&A-01.1").update(
        review_status="approved"
    )
    Answer.objects.filter(questionnaire=submitted).update(assignee=team.contributor)
    Questionnaire.objects.filter(pk=submitted.pk).update(
        status="submitted", submitted_at=datetime.date(2026, 1, 1)
    )

    page = dashboard(client, team.contributor)

    assert ">7 questions</a> assigned to you and not approved yet." in page
    assert "Nothing assigned to you is waiting." in dashboard(client, team.reviewer)


def test_more_than_99_open_questions_show_as_99_plus(client, team, admin, version):
    (questionnaire,) = create(admin, version, "Big")  # the sample catalog: 261 questions
    answers = list(questionnaire.answers.order_by("pk").values_list("pk", flat=True))
    Answer.objects.filter(pk__in=answers).update(assignee=team.contributor)
    Answer.objects.filter(pk__in=answers[99:]).update(review_status="approved")

    exactly_99 = dashboard(client, team.contributor)
    Answer.objects.filter(pk=answers[99]).update(review_status="in_progress")
    over = dashboard(client, team.contributor)

    assert ">99 questions</a> assigned to you" in exactly_99
    assert ">99+ questions</a> assigned to you" in over


def test_it_counts_expired_and_expiring_evidence_of_the_organisation(client, team):
    today = timezone.localdate()
    for days, org in [(-3, team.org), (-1, team.org), (10, team.org), (90, team.org)]:
        Evidence.objects.create(
            organization=org,
            kind="link",
            title=f"Item {days}",
            url="https://example.com/x",
            valid_until=today + datetime.timedelta(days=days),
        )
    Evidence.objects.create(
        organization=team.other_org,
        kind="link",
        title="Theirs",
        url="https://example.com/y",
        valid_until=today - datetime.timedelta(days=1),
    )

    page = dashboard(client, team.viewer)

    assert ">2 expired</a>" in page
    assert ">1 expires within 30 days</a>" in page


def test_recently_updated_lists_questionnaires_by_their_last_answer_change(
    client, team, admin, version
):
    names = [f"Service {n}" for n in range(10)]
    questionnaires = create(admin, version, *names)
    contributor = Membership.objects.get(user=team.contributor, organization=team.org)
    oldest = questionnaires[0]
    answer = oldest.answers.select_related("questionnaire").first()
    answer_update(
        answer=answer,
        membership=contributor,
        user=team.contributor,
        values={"answer": "Yes", "ssrm": "CSP-owned"},
        base_revision=answer.revision,
    )

    page = dashboard(client, team.viewer)
    recent = page.split("Recently updated", 1)[1]

    assert recent.count("answered ·") == 8
    assert recent.index("Service 0<") < recent.index("Service 9<")
    assert "1/261 answered · 0 approved" in recent


def test_a_questionnaire_changed_seconds_ago_was_changed_just_now(client, team, admin, version):
    create(admin, version, "Fresh")

    recent = dashboard(client, team.viewer).split("Recently updated", 1)[1]

    assert "just now</time>" in recent
    assert "0\xa0minutes" not in recent


def test_the_dashboard_costs_the_same_queries_for_3_and_30_questionnaires(client, version):
    seed_volume(slug="scale", questionnaires=3, members=6)
    client.force_login(User.objects.get(email="member-0@scale.example"))

    def count() -> int:
        client.get(reverse("home"))  # warm the session
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("home"))
        assert response.status_code == 200
        return len(queries)

    few = count()
    seed_volume(slug="scale", questionnaires=30, members=6)
    many = count()

    assert many == few
    assert many <= 12


def test_an_outsider_sees_only_their_own_organisation(client, team, admin, version):
    create(admin, version, "Acme secret")

    page = dashboard(client, team.outsider)

    assert "Acme secret" not in page
    assert "Questionnaires</a>: 0" in page
    assert "No questionnaires yet." in page


def test_someone_without_an_organisation_is_told_to_ask_for_an_invitation(client, db):
    user = User.objects.create_user(email="lonely@example.test", password="x")

    page = dashboard(client, user)

    assert "You are not a member of any organisation yet." in page
