import io
import json

import pytest
from django.contrib.auth.hashers import check_password
from django.db.models import Count

from accounts.models import Membership, Organization, Role, User
from bench.seed_volume import main
from caiq.models import Answer, AnswerChange, CatalogVersion, Comment, Questionnaire
from evidence.models import Evidence, EvidenceLink

pytestmark = pytest.mark.django_db

QUESTIONS = 261  # the sample catalog


def seed(*args) -> dict:
    out = io.StringIO()
    assert main([*args, "--json"], out=out) == 0
    return json.loads(out.getvalue())


@pytest.fixture
def seeded() -> dict:
    return seed("--organization", "scale", "--questionnaires", "3", "--members", "10")


def test_it_creates_the_organisation_the_sample_catalog_and_every_answer(seeded):
    org = Organization.objects.get(slug="scale")

    assert org.name == "Scale test scale"
    assert CatalogVersion.objects.get().is_sample
    assert seeded["questionnaires"] == 3
    assert seeded["answers"] == 3 * QUESTIONS
    assert sorted(seeded["questionnaire_ids"]) == sorted(
        org.questionnaires.values_list("pk", flat=True)
    )
    per_questionnaire = Answer.objects.values("questionnaire").annotate(n=Count("question"))
    assert {row["n"] for row in per_questionnaire} == {QUESTIONS}


def test_members_get_their_roles_and_one_shared_password(seeded):
    roles = dict(
        Membership.objects.filter(organization__slug="scale").values_list("user__email", "role")
    )

    assert set(seeded["members"]) == set(roles)
    assert len(roles) == 10
    assert [roles[f"member-{i}@scale.example"] for i in range(6)] == [Role.CONTRIBUTOR] * 6
    assert roles["reviewer-0@scale.example"] == roles["reviewer-1@scale.example"] == Role.REVIEWER
    assert roles["admin@scale.example"] == Role.ADMIN
    assert roles["viewer@scale.example"] == Role.VIEWER
    hashes = set(User.objects.filter(email__in=roles).values_list("password", flat=True))
    assert len(hashes) == 1
    assert check_password("scale-password-1", hashes.pop())
    assert seeded["password"] == "scale-password-1"


def test_answers_have_a_realistic_mix_with_history_comments_and_evidence(seeded):
    answers = Answer.objects.filter(questionnaire__organization__slug="scale")
    total = answers.count()
    answered = answers.exclude(answer="")

    assert 0 < answered.count() < total
    assert {"Yes", "No", "NA"} <= set(answered.values_list("answer", flat=True))
    statuses = set(answered.values_list("review_status", flat=True))
    assert {"approved", "ready_for_review", "in_progress"} <= statuses
    # Approved and ready answers meet CAIQ's rules: Yes/No with an owner, NA explained.
    reviewed = answered.filter(review_status__in=["approved", "ready_for_review"])
    assert not reviewed.filter(answer__in=["Yes", "No"], ssrm="").exists()
    assert not reviewed.filter(answer="NA", implementation="").exists()
    assert answers.filter(assignee__isnull=False).values("assignee").distinct().count() >= 2
    # 1-3 history rows per answered answer, numbered like the services number them.
    changes = dict(
        AnswerChange.objects.filter(answer__in=answered)
        .values("answer")
        .annotate(n=Count("id"))
        .values_list("answer", "n")
    )
    assert len(changes) == answered.count()
    assert set(changes.values()) <= {1, 2, 3}
    assert not AnswerChange.objects.filter(answer__answer="").exists()
    for answer in answered.order_by("?")[:20]:
        assert answer.revision == changes[answer.pk] + 1
        assert answer.changes.order_by("-revision").first().changed_at == answer.updated_at
    assert Comment.objects.filter(answer__in=answers).exists()
    linked = answers.filter(evidence_links__isnull=False).distinct().count()
    assert 0.12 < linked / total < 0.3
    assert 100 <= Evidence.objects.filter(organization__slug="scale").count() <= 500


def test_about_70_percent_are_answered_and_statuses_follow_the_workflow():
    seed("--organization", "scale", "--questionnaires", "25", "--members", "6")  # one cycle
    answers = Answer.objects.filter(questionnaire__organization__slug="scale")

    assert 0.62 < answers.exclude(answer="").count() / answers.count() < 0.78
    statuses = dict(
        Questionnaire.objects.values("status").annotate(n=Count("id")).values_list("status", "n")
    )
    assert statuses == {"draft": 17, "in_review": 5, "submitted": 2, "approved": 1}
    done = answers.filter(questionnaire__status__in=["approved", "submitted"])
    assert set(done.values_list("review_status", flat=True)) == {"approved"}
    assert not Questionnaire.objects.filter(status="submitted", submitted_at__isnull=True).exists()


def test_updates_are_spread_over_the_past_year(seeded):
    stamps = sorted(
        Answer.objects.exclude(answer="").values_list("updated_at", flat=True), reverse=True
    )

    assert (stamps[0] - stamps[-1]).days > 90
    assert stamps[len(stamps) // 2] < stamps[0]


def test_running_again_with_the_same_number_adds_nothing(seeded):
    counts = [
        m.objects.count()
        for m in (Questionnaire, Answer, AnswerChange, Comment, Evidence, EvidenceLink, User)
    ]

    again = seed("--organization", "scale", "--questionnaires", "3", "--members", "10")

    assert again["questionnaire_ids"] == seeded["questionnaire_ids"]
    assert counts == [
        m.objects.count()
        for m in (Questionnaire, Answer, AnswerChange, Comment, Evidence, EvidenceLink, User)
    ]


def test_a_bigger_number_adds_only_the_difference(seeded):
    first = set(seeded["questionnaire_ids"])
    before = Answer.objects.filter(questionnaire__pk__in=first).values_list(
        "pk", "answer", "revision"
    )
    before = set(before)

    grown = seed("--organization", "scale", "--questionnaires", "5", "--members", "10")

    assert grown["questionnaires"] == 5
    assert first < set(grown["questionnaire_ids"])
    assert grown["answers"] == 5 * QUESTIONS
    assert (
        set(
            Answer.objects.filter(questionnaire__pk__in=first).values_list(
                "pk", "answer", "revision"
            )
        )
        == before
    )
    assert CatalogVersion.objects.count() == 1


def test_every_seeded_row_belongs_to_the_organisation(seeded, team):
    org = Organization.objects.get(slug="scale")

    assert (
        not Answer.objects.filter(questionnaire__pk__in=seeded["questionnaire_ids"])
        .exclude(questionnaire__organization=org)
        .exists()
    )
    links = EvidenceLink.objects.filter(answer__questionnaire__organization=org)
    assert links.exists()
    assert not links.exclude(evidence__organization=org).exists()
    assert not Questionnaire.objects.filter(organization=team.org).exists()
    assert (
        not Membership.objects.filter(user__email__endswith="@scale.example")
        .exclude(organization=org)
        .exists()
    )


def test_too_few_members_are_refused(capsys):
    with pytest.raises(SystemExit) as refused:
        seed("--organization", "scale", "--questionnaires", "1", "--members", "3")

    assert refused.value.code == 2
    assert "at least 5 members" in capsys.readouterr().err


def test_a_rerun_with_another_password_gives_everyone_the_new_one(seeded):
    seed("--organization", "scale", "--questionnaires", "3", "--members", "11", "--password", "x-2")

    users = User.objects.filter(email__endswith="@scale.example")
    assert users.count() == 11
    hashes = set(users.values_list("password", flat=True))
    assert len(hashes) == 1
    assert check_password("x-2", hashes.pop())
