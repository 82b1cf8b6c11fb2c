# ruff: noqa: F811  (fixtures imported from tests/evidence/conftest.py)
"""The evidence library over the API: reads, uploads, versions, downloads and answer links.

Clients come from tests/api/conftest.py (``api_as``); evidence items from the evidence suite's
fixtures, made through evidence.services.
"""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Membership, Role
from caiq.services import questionnaire_create
from evidence.models import Evidence, EvidenceLink
from tests.evidence.conftest import (  # noqa: F401
    PDF,
    contributor_membership,
    days_from_today,
    make_evidence,
    outsider_membership,
    pdf_file,
    store,
)
from tests.factories import MembershipFactory

pytestmark = pytest.mark.usefixtures("store")


def test_the_list_shows_only_the_callers_organisations_evidence(
    team, api_as, make_evidence, outsider_membership
):
    ours = make_evidence("Acme policy")
    make_evidence("Globex audit", membership=outsider_membership)

    response = api_as(team.viewer).get("/api/v1/evidence/")

    assert response.status_code == 200
    assert [item["id"] for item in response.json()["results"]] == [ours.pk]
    assert response.json()["count"] == 1


def test_a_detail_shows_metadata_versions_and_linked_answers(
    team, api_as, make_evidence, small_questionnaire, contributor_membership
):
    item = make_evidence("SOC 2 report", valid_from=days_from_today(-10), valid_until=None)
    answer = small_questionnaire.answers.first()
    EvidenceLink.objects.create(evidence=item, answer=answer)

    body = api_as(team.viewer).get(f"/api/v1/evidence/{item.pk}/").json()

    version = item.versions.get()
    assert body["title"] == "SOC 2 report"
    assert body["kind"] == "file"
    assert body["organization"] == "acme"
    assert body["owner"] == team.contributor.email
    assert body["valid_from"] == days_from_today(-10).isoformat()
    assert body["freshness"] == "undated"
    assert body["url"] is None
    assert body["answers"] == [answer.pk]
    assert body["versions"] == [
        {
            "number": 1,
            "filename": "SOC 2 report.pdf",
            "size": version.stored_file.size,
            "sha256": version.stored_file.sha256,
            "content_type": "application/pdf",
            "uploaded_at": body["versions"][0]["uploaded_at"],
        }
    ]
    assert "storage_name" not in str(body)


@pytest.mark.parametrize(
    ("freshness", "expected"),
    [
        ("expired", ["Old"]),
        ("expiring", ["Soon"]),
        ("current", ["Fresh", "Undated"]),
        ("stale", ["Old", "Soon"]),
    ],
)
def test_the_list_filters_by_freshness(team, api_as, make_evidence, freshness, expected):
    make_evidence("Old", valid_until=days_from_today(-1))
    make_evidence("Soon", valid_until=days_from_today(10))
    make_evidence("Fresh", valid_until=days_from_today(200))
    make_evidence("Undated")

    response = api_as(team.viewer).get("/api/v1/evidence/", {"freshness": freshness})

    assert [item["title"] for item in response.json()["results"]] == expected


def test_the_list_filters_by_owner_and_updated_since(team, api_as, make_evidence):
    old = make_evidence("Old")
    Evidence.objects.filter(pk=old.pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=3), owner=team.admin
    )
    make_evidence("New")
    client = api_as(team.viewer)
    since = (timezone.now() - datetime.timedelta(days=1)).isoformat()

    by_owner = client.get("/api/v1/evidence/", {"owner": team.admin.email.upper()}).json()
    recent = client.get("/api/v1/evidence/", {"updated_since": since}).json()

    assert [item["title"] for item in by_owner["results"]] == ["Old"]
    assert [item["title"] for item in recent["results"]] == ["New"]


def test_a_bad_filter_value_answers_400_in_the_error_format(team, api_as):
    response = api_as(team.viewer).get("/api/v1/evidence/", {"updated_since": "yesterday"})

    assert response.status_code == 400
    assert response.json()["error"]["status"] == 400
    assert "updated_since" in response.json()["error"]["message"]


def test_the_list_costs_the_same_queries_for_one_item_or_many(
    team, api_as, make_evidence, django_assert_max_num_queries, small_questionnaire
):
    answers = list(small_questionnaire.answers.all()[:3])
    for n in range(6):
        item = make_evidence(f"Item {n}")
        for answer in answers:
            EvidenceLink.objects.create(evidence=item, answer=answer)
    client = api_as(team.viewer)

    # Token lookup, count, page, owners/orgs joined, versions, links (+ last_used_at update).
    with django_assert_max_num_queries(7):
        response = client.get("/api/v1/evidence/")

    assert len(response.json()["results"]) == 6


def test_a_multipart_upload_creates_a_file_item_with_version_one(team, api_as):
    response = api_as(team.contributor).post(
        "/api/v1/evidence/",
        {
            "file": pdf_file("iso-cert.pdf"),
            "title": "ISO 27001 certificate",
            "description": "Issued by the registrar",
            "valid_from": "2026-01-01",
            "valid_until": "2029-01-01",
        },
        format="multipart",
    )

    assert response.status_code == 201, response.content
    item = Evidence.objects.get(pk=response.json()["id"])
    assert item.organization == team.org
    assert item.owner == team.contributor
    assert item.valid_until == datetime.date(2029, 1, 1)
    assert response.json()["versions"][0]["filename"] == "iso-cert.pdf"
    assert response.json()["versions"][0]["size"] == len(PDF)


def test_an_organisation_token_upload_can_name_a_person_as_owner(team, api_as):
    response = api_as(team.org).post(
        "/api/v1/evidence/",
        {"file": pdf_file(), "owner": team.reviewer.email},
        format="multipart",
    )

    assert response.status_code == 201, response.content
    assert response.json()["owner"] == team.reviewer.email
    assert response.json()["title"] == "policy.pdf"


def test_a_json_link_creates_a_link_item(team, api_as):
    response = api_as(team.contributor).post(
        "/api/v1/evidence/",
        {"url": "https://trust.example.com/soc2", "title": "Trust portal"},
        format="json",
    )

    assert response.status_code == 201, response.content
    assert response.json()["kind"] == "link"
    assert response.json()["url"] == "https://trust.example.com/soc2"
    assert response.json()["versions"] == []


def test_a_rejected_upload_answers_400_with_its_reason(team, api_as):
    page = SimpleUploadedFile("page.html", b"<html><script>alert(1)</script></html>")

    response = api_as(team.contributor).post(
        "/api/v1/evidence/", {"file": page}, format="multipart"
    )

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert "HTML files are not accepted" in error["message"]
    assert not Evidence.objects.exists()


def test_dates_in_the_wrong_order_are_refused(team, api_as):
    response = api_as(team.contributor).post(
        "/api/v1/evidence/",
        {"url": "https://example.com", "valid_from": "2026-05-01", "valid_until": "2026-04-01"},
        format="json",
    )

    assert response.status_code == 400
    assert "valid_until" in response.json()["error"]["details"]


def test_a_viewer_cannot_add_evidence(team, api_as):
    response = api_as(team.viewer).post(
        "/api/v1/evidence/", {"url": "https://example.com"}, format="json"
    )

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_a_member_of_several_organisations_must_name_one(team, api_as):
    MembershipFactory(user=team.contributor, organization=team.other_org, role=Role.CONTRIBUTOR)
    client = api_as(team.contributor)

    unnamed = client.post("/api/v1/evidence/", {"url": "https://example.com"}, format="json")
    named = client.post(
        "/api/v1/evidence/",
        {"url": "https://example.com", "organization": team.other_org.slug},
        format="json",
    )

    assert unnamed.status_code == 400
    assert "organization" in unnamed.json()["error"]["details"]
    assert named.status_code == 201
    assert named.json()["organization"] == team.other_org.slug


def test_naming_an_organisation_the_caller_is_not_in_answers_404(team, api_as):
    response = api_as(team.contributor).post(
        "/api/v1/evidence/",
        {"url": "https://example.com", "organization": team.other_org.slug},
        format="json",
    )

    assert response.status_code == 404
    assert not Evidence.objects.exists()


def test_a_new_version_is_numbered_after_the_last(team, api_as, make_evidence):
    item = make_evidence("Policy")

    response = api_as(team.contributor).post(
        f"/api/v1/evidence/{item.pk}/versions/",
        {"file": pdf_file("policy-v2.pdf", PDF + b"v2")},
        format="multipart",
    )

    assert response.status_code == 201, response.content
    assert response.json()["number"] == 2
    assert response.json()["filename"] == "policy-v2.pdf"
    assert list(item.versions.values_list("number", flat=True)) == [2, 1]


def test_a_link_item_has_no_versions_to_add(team, api_as, make_evidence):
    item = make_evidence("Portal", url="https://example.com")

    response = api_as(team.contributor).post(
        f"/api/v1/evidence/{item.pk}/versions/", {"file": pdf_file()}, format="multipart"
    )

    assert response.status_code == 400
    assert "A link has no file versions." in response.json()["error"]["message"]


def test_a_download_is_an_attachment_with_the_stored_bytes(team, api_as, make_evidence):
    item = make_evidence("Policy", content=PDF)

    response = api_as(team.viewer, "read").get(
        f"/api/v1/evidence/{item.pk}/versions/1/download/", HTTP_ACCEPT="application/pdf"
    )

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


def test_an_unknown_version_answers_404_as_json(team, api_as, make_evidence):
    item = make_evidence("Policy")

    response = api_as(team.viewer).get(f"/api/v1/evidence/{item.pk}/versions/9/download/")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_linking_and_unlinking_an_answer(team, api_as, make_evidence, small_questionnaire):
    item = make_evidence("Policy")
    answer = small_questionnaire.answers.first()
    client = api_as(team.contributor)

    linked = client.post(f"/api/v1/evidence/{item.pk}/links/", {"answer": answer.pk})
    again = client.post(f"/api/v1/evidence/{item.pk}/links/", {"answer": answer.pk})
    detail = client.get(f"/api/v1/evidence/{item.pk}/").json()
    unlinked = client.delete(f"/api/v1/evidence/{item.pk}/links/{answer.pk}/")
    gone = client.delete(f"/api/v1/evidence/{item.pk}/links/{answer.pk}/")

    assert linked.status_code == 201
    assert linked.json() == {
        "evidence": item.pk,
        "answer": answer.pk,
        "linked_at": linked.json()["linked_at"],
    }
    assert again.status_code == 201
    assert detail["answers"] == [answer.pk]
    assert unlinked.status_code == 204
    assert gone.status_code == 404
    assert not EvidenceLink.objects.exists()


def test_a_viewer_cannot_link_evidence(team, api_as, make_evidence, small_questionnaire):
    item = make_evidence("Policy")
    answer = small_questionnaire.answers.first()

    response = api_as(team.viewer).post(f"/api/v1/evidence/{item.pk}/links/", {"answer": answer.pk})

    assert response.status_code == 403
    assert not EvidenceLink.objects.exists()


@pytest.fixture
def globex_answer(team, small_catalog):
    membership = Membership.objects.get(user=team.outsider, organization=team.other_org)
    questionnaire = questionnaire_create(
        membership=membership, version=small_catalog, name="Globex", service_name="G"
    )
    return questionnaire.answers.first()


def test_an_answer_of_another_organisation_cannot_be_linked(
    team, api_as, make_evidence, globex_answer
):
    item = make_evidence("Policy")

    response = api_as(team.contributor).post(
        f"/api/v1/evidence/{item.pk}/links/", {"answer": globex_answer.pk}
    )

    assert response.status_code == 404
    assert not EvidenceLink.objects.exists()


def test_another_organisations_evidence_answers_404_on_every_route(
    team, api_as, make_evidence, outsider_membership, small_questionnaire
):
    theirs = make_evidence("Globex audit", membership=outsider_membership)
    answer = small_questionnaire.answers.first()
    client = api_as(team.admin)
    base = f"/api/v1/evidence/{theirs.pk}"

    responses = [
        client.get(f"{base}/"),
        client.get(f"{base}/versions/1/download/"),
        client.post(f"{base}/versions/", {"file": pdf_file()}, format="multipart"),
        client.post(f"{base}/links/", {"answer": answer.pk}),
        client.delete(f"{base}/links/{answer.pk}/"),
    ]

    assert [r.status_code for r in responses] == [404] * 5
    assert all("Globex" not in r.content.decode(errors="replace") for r in responses[:1])
    assert theirs.versions.count() == 1
    assert not EvidenceLink.objects.exists()


def test_a_submitted_questionnaires_answers_cannot_be_linked(
    team, api_as, make_evidence, small_questionnaire
):
    small_questionnaire.status = "submitted"
    small_questionnaire.submitted_at = days_from_today(-1)
    small_questionnaire.save(update_fields=["status", "submitted_at"])
    item = make_evidence("Policy")

    response = api_as(team.contributor).post(
        f"/api/v1/evidence/{item.pk}/links/", {"answer": small_questionnaire.answers.first().pk}
    )

    assert response.status_code == 400
    assert "read-only" in response.json()["error"]["message"]


def test_an_id_beyond_the_database_range_answers_404(team, api_as):
    response = api_as(team.viewer).get(f"/api/v1/evidence/{2**70}/versions/{2**70}/download/")

    assert response.status_code == 404
    assert response.json()["error"]["status"] == 404
