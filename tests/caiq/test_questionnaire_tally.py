"""The questionnaire tally (QuestionnaireTally): kept by database triggers, so it matches a
count of the questionnaires after every kind of write, the ORM's bulk ones included."""

import pytest
from django.db.models import Count

from caiq.models import Questionnaire, QuestionnaireTally
from caiq.services import questionnaire_create

pytestmark = pytest.mark.django_db


def counted() -> dict[tuple[int, str], int]:
    rows = Questionnaire.objects.values("organization_id", "status").annotate(n=Count("id"))
    return {(row["organization_id"], row["status"]): row["n"] for row in rows.order_by()}


def tallied() -> dict[tuple[int, str], int]:
    rows = QuestionnaireTally.objects.exclude(count=0)
    return {(row.organization_id, row.status): row.count for row in rows}


def test_the_tally_follows_creation_status_changes_renames_moves_and_deletion(
    team, admin_membership, small_catalog, membership_of
):
    made = [
        questionnaire_create(
            membership=admin_membership, version=small_catalog, name=f"Q{n}", service_name="S"
        )
        for n in range(5)
    ]
    assert tallied() == counted() == {(team.org.pk, "draft"): 5}

    Questionnaire.objects.filter(pk__in=[made[0].pk, made[1].pk]).update(status="in_review")
    made[2].status = "approved"
    made[2].save()
    made[3].name = "Renamed"  # no change of status: the tally is left alone
    made[3].save()
    Questionnaire.objects.filter(pk=made[4].pk).update(organization=team.other_org)
    made[1].delete()

    assert (
        tallied()
        == counted()
        == {
            (team.org.pk, "draft"): 1,
            (team.org.pk, "in_review"): 1,
            (team.org.pk, "approved"): 1,
            (team.other_org.pk, "draft"): 1,
        }
    )


def test_a_count_never_goes_below_zero(team, admin_membership, small_catalog):
    questionnaire = questionnaire_create(
        membership=admin_membership, version=small_catalog, name="Only", service_name="S"
    )
    questionnaire.delete()

    assert QuestionnaireTally.objects.get(organization=team.org, status="draft").count == 0


def test_deleting_an_organisation_takes_its_tally_with_it(team, admin_membership, small_catalog):
    questionnaire_create(
        membership=admin_membership, version=small_catalog, name="Only", service_name="S"
    )

    team.org.delete()

    assert not QuestionnaireTally.objects.filter(organization_id=team.org.pk).exists()
