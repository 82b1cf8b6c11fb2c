# ruff: noqa: F401, F811  (fixtures shared with the caiq suite)
import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone

from caiq.models import QuestionnaireStatus
from sharing.services import share_link_create
from tests.caiq.conftest import admin_membership, small_catalog, small_questionnaire


@pytest.fixture
def shared_questionnaire(small_questionnaire):
    """Acme's ten-question questionnaire, approved, with two answers the customer has a part
    in and one that is the provider's alone; markers that must never reach a refused visitor."""
    q = small_questionnaire
    answers = list(q.answers.order_by("question__position"))
    answers[0].answer, answers[0].ssrm = "Yes", "CSC-owned"
    answers[0].csc_responsibilities = "Acme-Share-Customer-Duty"
    answers[0].implementation = "Acme-Share-Implementation"
    answers[1].answer, answers[1].ssrm = "No", "Shared CSP and CSC"
    answers[2].answer, answers[2].ssrm = "Yes", "CSP-owned"
    answers[2].implementation = "Acme-Share-Provider-Only"
    answers[2].internal_notes = "Acme-Internal-Note"
    for answer in answers[:3]:
        answer.save()
    q.status = QuestionnaireStatus.APPROVED
    q.save(update_fields=["status"])
    return q


@dataclass
class Made:
    link: object
    token: str

    @property
    def url(self) -> str:
        return f"/share/{self.token}/"


@pytest.fixture
def make_link(team, admin_membership, shared_questionnaire):
    def make(**options) -> Made:
        fields = {
            "questionnaire": shared_questionnaire,
            "membership": admin_membership,
            "user": team.admin,
            "recipient": "Initech procurement",
            "expires_at": timezone.now() + datetime.timedelta(days=30),
            **options,
        }
        link, token = share_link_create(**fields)
        return Made(link, token)

    return make
