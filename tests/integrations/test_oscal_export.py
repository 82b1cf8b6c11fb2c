"""The OSCAL export of a whole questionnaire, through the page and the API: a 261-answer
questionnaire on the sample catalog (CSA's IDs, placeholder text) validates against NIST's
OSCAL schema with every question ID exactly once; another organisation's is a 404; the export
costs a fixed number of queries; each download is in the audit log; the export page links it."""

import json
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEvent, EventKind
from caiq.models import Answer, CspAnswer, SsrmOwnership
from tests.caiq.conftest import questionnaire, sample_catalog  # noqa: F401  (fixtures)
from tests.integrations import oscal_schema

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(questionnaire):  # noqa: F811
    """Every one of the 261 answers filled in, cycling through CAIQ's answers and SSRM owners."""
    answers = list(questionnaire.answers.select_related("question").order_by("question__position"))
    for i, answer in enumerate(answers):
        answer.answer = CspAnswer.values[i % len(CspAnswer.values)]
        answer.ssrm = SsrmOwnership.values[i % len(SsrmOwnership.values)]
        answer.implementation = f"Provider part {answer.question.code}"
        answer.csc_responsibilities = f"Customer task {answer.question.code}"
    Answer.objects.bulk_update(
        answers, ["answer", "ssrm", "implementation", "csc_responsibilities"]
    )
    return questionnaire


def page_url(target) -> str:
    return reverse("integrations:oscal", args=[target.pk])


def api_url(target) -> str:
    return reverse("integrations-api:oscal", args=[target.pk])


def statements(doc: dict) -> list[dict]:
    (component,) = doc["component-definition"]["components"]
    (implementation,) = component["control-implementations"]
    return [s for r in implementation["implemented-requirements"] for s in r["statements"]]


def props(statement: dict) -> dict[str, str]:
    return {p["name"]: p["value"] for p in statement.get("props", [])}


def test_the_261_answer_export_validates_against_nists_oscal_schema(answered, client, team):
    client.force_login(team.viewer)

    response = client.get(page_url(answered))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == (
        'attachment; filename="acme-storage-2026-oscal-component-definition.json"'
    )
    doc = json.loads(response.content)
    assert oscal_schema.problem(doc) is None


def test_every_answer_appears_once_with_its_question_id(answered, client, team):
    client.force_login(team.viewer)
    codes = list(
        answered.answers.order_by("question__position").values_list("question__code", flat=True)
    )

    doc = json.loads(client.get(page_url(answered)).content)

    found = [props(s) for s in statements(doc)]
    assert len(codes) == 261
    assert [p["caiq-question-id"] for p in found] == codes  # each once, in the catalog's order
    assert sum(1 for p in found if "caiq-answer" in p) == 261
    assert Counter(p["caiq-answer"] for p in found) == Counter(
        answered.answers.values_list("answer", flat=True)
    )
    first = statements(doc)[0]
    assert first["description"].endswith(f"Provider part {codes[0]}")
    assert first["remarks"] == f"Customer task {codes[0]}"


def test_the_api_serves_the_same_document_to_a_read_token(answered, api_as, client, team):
    client.force_login(team.viewer)
    page = client.get(page_url(answered))

    response = api_as(team.org, "read").get(api_url(answered))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == json.loads(page.content)
    assert oscal_schema.problem(json.loads(response.content)) is None


def test_a_re_export_keeps_its_uuids(answered, client, team):
    client.force_login(team.viewer)

    first = client.get(page_url(answered)).content
    again = client.get(page_url(answered)).content

    assert first == again


def test_another_organisations_questionnaire_is_a_404_on_the_page_and_in_the_api(
    answered, api_as, client, team
):
    client.force_login(team.outsider)

    page = client.get(page_url(answered))
    api = api_as(team.outsider).get(api_url(answered))
    api_for_org = api_as(team.other_org, "read").get(api_url(answered))

    assert (page.status_code, api.status_code, api_for_org.status_code) == (404, 404, 404)
    assert b"Provider part" not in page.content + api.content + api_for_org.content
    assert not AuditEvent.objects.filter(kind=EventKind.EXPORT_DOWNLOADED).exists()


def test_each_download_is_in_the_organisations_audit_log(answered, api_as, client, team):
    client.force_login(team.viewer)

    client.get(page_url(answered))
    api_as(team.viewer, "read").get(api_url(answered))

    events = AuditEvent.objects.filter(kind=EventKind.EXPORT_DOWNLOADED).order_by("pk")
    assert [(e.organization_id, e.actor_id, e.target_id) for e in events] == [
        (team.org.pk, team.viewer.pk, str(answered.pk)),
        (team.org.pk, team.viewer.pk, str(answered.pk)),
    ]
    assert events[0].details == {
        "kind": "oscal_json",
        "filename": "acme-storage-2026-oscal-component-definition.json",
    }


def test_the_export_costs_a_fixed_number_of_queries(
    answered, small_questionnaire, client, team, django_assert_max_num_queries
):
    client.force_login(team.viewer)
    client.get(page_url(small_questionnaire))  # warm the session
    # The session, the user, their memberships, the questionnaire, its answers, the audit row.

    with CaptureQueriesContext(connection) as small:
        client.get(page_url(small_questionnaire))
    with django_assert_max_num_queries(6):
        response = client.get(page_url(answered))

    assert response.status_code == 200
    with CaptureQueriesContext(connection) as big:
        client.get(page_url(answered))
    assert len(big) == len(small), [q["sql"][:120] for q in big.captured_queries]


def test_the_export_page_links_the_oscal_download(questionnaire, client, team):  # noqa: F811
    client.force_login(team.viewer)

    page = client.get(reverse("caiq:transfer", args=[questionnaire.pk]))

    assert f'href="{page_url(questionnaire)}"' in page.text
