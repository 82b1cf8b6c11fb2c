import pytest
from django.contrib.auth.models import Permission
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
