"""The move to v4.1 between CSA's v4.0.3 file and the v4.1 layout approximation (prose replaced):
the copy-forward preview's counts are the two catalogs' own, nothing is written before the
confirmation, and each carried answer gets one history record."""

import pytest
from django.urls import reverse

from accounts.models import Membership
from caiq.models import AnswerChange, CarryOver, CatalogVersion, Questionnaire
from caiq.selectors import copy_forward_plan
from caiq.services import catalog_import, questionnaire_copy_forward, questionnaire_create
from caiq.xlsx.layout import comparable

from .shared import CAIQ_FAITHFUL, CAIQ_V41_APPROXIMATION

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogs():
    old = catalog_import(data=CAIQ_FAITHFUL.read_bytes(), filename=CAIQ_FAITHFUL.name).version
    new = catalog_import(
        data=CAIQ_V41_APPROXIMATION.read_bytes(), filename=CAIQ_V41_APPROXIMATION.name
    ).version
    return old, new


@pytest.fixture
def filled(catalogs, team):
    admin = Membership.objects.get(user=team.admin, organization=team.org)
    questionnaire = questionnaire_create(
        membership=admin, version=catalogs[0], name="Storage", service_name="Storage"
    )
    questionnaire.answers.update(answer="Yes", ssrm="CSP-owned", implementation="Done.")
    return questionnaire


def expected_counts(old: CatalogVersion, new: CatalogVersion) -> dict[str, int]:
    """Worked out from the two catalogs directly, not through caiq.carry_over."""
    before = dict(old.questions.values_list("code", "text"))
    after = dict(new.questions.values_list("code", "text"))
    shared = before.keys() & after.keys()
    changed = {c for c in shared if comparable(before[c]) != comparable(after[c])}
    return {
        "unchanged": len(shared) - len(changed),
        "changed": len(changed),
        "new": len(after.keys() - before.keys()),
        "gone": len(before.keys() - after.keys()),
    }


def test_the_preview_counts_match_the_two_catalogs_and_write_nothing(
    client, team, catalogs, filled
):
    old, new = catalogs
    expected = expected_counts(old, new)
    client.force_login(team.admin)
    before = (Questionnaire.objects.count(), AnswerChange.objects.count())

    response = client.post(
        reverse("caiq:copy", args=[filled.pk]),
        {"name": "Storage v4.1", "version": "4.1.0", "step": "preview"},
    )

    assert response.status_code == 200
    assert response.context["plan"].counts == expected
    assert expected["new"] > 0
    assert expected["gone"] > 0
    assert sum(expected.values()) - expected["gone"] == 283
    assert (Questionnaire.objects.count(), AnswerChange.objects.count()) == before


def test_the_move_carries_each_shared_answer_once_and_flags_what_to_reconfirm(
    team, catalogs, filled
):
    _old, new = catalogs
    plan = copy_forward_plan(filled, new)

    target = questionnaire_copy_forward(
        source=filled,
        membership=Membership.objects.get(user=team.admin, organization=team.org),
        user=team.admin,
        version=new,
        name="Storage v4.1",
    )

    carried = len(plan.unchanged) + len(plan.changed)
    assert target.answers.exclude(answer="").count() == carried
    assert AnswerChange.objects.filter(answer__questionnaire=target).count() == carried
    assert target.answers.filter(carry_over=CarryOver.TEXT_CHANGED).count() == len(plan.changed)
    assert target.answers.filter(carry_over=CarryOver.NEW_QUESTION).count() == len(plan.new)
    assert filled.answers.count() == 261  # the gone questions' answers stay in the source
