"""Three questionnaires of one organisation over two catalog versions, and one of another
organisation, all answering A&A-01.1: the library's world."""

from dataclasses import dataclass

import pytest

from accounts.models import Membership
from caiq.models import Answer, Questionnaire
from caiq.services import (
    answer_approve,
    answer_mark_ready,
    answer_update,
    catalog_import,
    questionnaire_create,
)
from caiq.xlsx.builder import build_caiq_xlsx, placeholder_question
from tests.caiq.conftest import ten_question_structure

QUESTION = "A&A-01.1"


@dataclass
class World:
    old: Questionnaire  # v9.0.0, its A&A-01.1 approved
    mid: Questionnaire  # v9.0.0, edited later, not approved
    new: Questionnaire  # v9.1.0, where A&A-01.1 reads differently; nothing answered
    foreign: Questionnaire  # another organisation's

    def answer(self, questionnaire: Questionnaire, code: str = QUESTION) -> Answer:
        return questionnaire.answers.select_related("questionnaire", "question").get(
            question__code=code
        )


def fill(questionnaire, membership, user, code, **values):
    answer = questionnaire.answers.select_related("questionnaire", "question").get(
        question__code=code
    )
    return answer_update(
        answer=answer,
        membership=membership,
        user=user,
        values=values,
        base_revision=answer.revision,
    )


@pytest.fixture
def library_world(team, small_catalog, membership_of) -> World:
    def reworded(code):
        return f"Reworded {code}" if code == QUESTION else placeholder_question(code)

    newer = catalog_import(
        data=build_caiq_xlsx(ten_question_structure("9.1.0"), question_text=reworded),
        filename="newer.xlsx",
    ).version
    admin = membership_of(team.admin, team.org)
    contributor = membership_of(team.contributor, team.org)
    reviewer = membership_of(team.reviewer, team.org)
    old = questionnaire_create(
        membership=admin, version=small_catalog, name="Compute 2025", service_name="Compute"
    )
    mid = questionnaire_create(
        membership=admin, version=small_catalog, name="Storage 2026", service_name="Storage"
    )
    new = questionnaire_create(
        membership=admin, version=newer, name="Compute 2026", service_name="Compute"
    )
    outsider = Membership.objects.get(user=team.outsider)
    foreign = questionnaire_create(
        membership=outsider, version=small_catalog, name="Globex", service_name="Secret"
    )
    for code in ("A&A-01.1", "A&A-01.2", "AIS-01.1", "BCR-01.1"):
        fill(
            old, contributor, team.contributor, code,
            answer="Yes", ssrm="CSP-owned", implementation=f"Old way for {code}",
            csc_responsibilities=f"Customers do {code}",
        )  # fmt: skip
    approved = answer_mark_ready(
        answer=World(old, mid, new, foreign).answer(old),
        membership=contributor,
        user=team.contributor,
    )
    answer_approve(answer=approved, membership=reviewer, user=team.reviewer)
    fill(
        mid, contributor, team.contributor, QUESTION,
        answer="No", ssrm="CSC-owned", implementation="Storage does not",
    )  # fmt: skip
    fill(
        foreign, outsider, team.outsider, QUESTION,
        answer="Yes", ssrm="CSP-owned", implementation="GLOBEX SECRET",
    )  # fmt: skip
    return World(old, mid, new, foreign)
