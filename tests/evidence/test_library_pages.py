"""The evidence library page and an item's detail page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from evidence.models import Evidence, EvidenceKind, Freshness
from evidence.services import evidence_add_version, evidence_link

from .conftest import PDF, days_from_today, pdf_file

pytestmark = pytest.mark.django_db

LIST = reverse("evidence:list")


def listed(response) -> dict[str, Freshness]:
    assert response.status_code == 200
    return {item.title: item.fresh for item in response.context["items"]}


def count_queries(client, url) -> int:
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.fixture
def four_ages(make_evidence) -> dict[str, Evidence]:
    return {
        "expired": make_evidence("Pen test 2024", valid_until=days_from_today(-1)),
        "expiring": make_evidence("ISO certificate", valid_until=days_from_today(10)),
        "current": make_evidence("SOC 2 report", valid_until=days_from_today(200)),
        "undated": make_evidence("Status page", url="https://status.example.test/"),
    }


def test_the_library_lists_every_item_with_its_freshness(client, team, four_ages):
    client.force_login(team.viewer)

    response = client.get(LIST)

    assert listed(response) == {
        "ISO certificate": Freshness.EXPIRING,
        "Pen test 2024": Freshness.EXPIRED,
        "SOC 2 report": Freshness.CURRENT,
        "Status page": Freshness.UNDATED,
    }
    for badge in ("Expired", "Expires soon", "Current", "No expiry date"):
        assert f">{badge}</span>" in response.text


@pytest.mark.parametrize(
    ("freshness", "expected"),
    [
        ("expired", {"Pen test 2024"}),
        ("expiring", {"ISO certificate"}),
        ("current", {"SOC 2 report", "Status page"}),
        ("", {"Pen test 2024", "ISO certificate", "SOC 2 report", "Status page"}),
    ],
)
def test_the_freshness_filter_picks_the_right_items(client, team, four_ages, freshness, expected):
    client.force_login(team.viewer)

    response = client.get(LIST, {"freshness": freshness})

    assert set(listed(response)) == expected


def test_search_finds_items_by_title_or_description(client, team, make_evidence):
    make_evidence("SOC 2 report")
    make_evidence("Encryption standard")
    client.force_login(team.viewer)

    response = client.get(LIST, {"q": "soc 2"})

    assert set(listed(response)) == {"SOC 2 report"}


def test_the_library_shows_the_latest_file_its_size_and_the_answers_it_backs(
    client, team, contributor_membership, make_evidence, small_questionnaire
):
    item = make_evidence("Security policy")
    evidence_add_version(
        evidence=item,
        membership=contributor_membership,
        user=team.contributor,
        upload=pdf_file("policy-2026.pdf", PDF + b"second edition"),
    )
    for answer in small_questionnaire.answers.all()[:3]:
        evidence_link(
            evidence=item, answer=answer, membership=contributor_membership, user=team.contributor
        )
    client.force_login(team.viewer)

    response = client.get(LIST)

    (row,) = response.context["items"]
    assert row.link_count == 3
    assert reverse("evidence:download", args=[item.pk, 2]) in response.text
    assert ">policy-2026.pdf</a>" in response.text
    assert "Security policy.pdf" not in response.text  # version 1 is not the latest


def test_the_library_costs_the_same_queries_for_one_or_five_items(
    client, team, contributor_membership, make_evidence, small_questionnaire
):
    client.force_login(team.contributor)
    make_evidence("First")
    one = count_queries(client, LIST)
    answer = small_questionnaire.answers.first()
    for n in range(4):
        item = make_evidence(f"Item {n}", valid_until=days_from_today(n * 20 - 5))
        evidence_add_version(
            evidence=item,
            membership=contributor_membership,
            user=team.contributor,
            upload=pdf_file(content=PDF + f"v2 of {n}".encode()),
        )
        evidence_link(
            evidence=item, answer=answer, membership=contributor_membership, user=team.contributor
        )

    assert count_queries(client, LIST) == one
    assert one <= 8


def test_a_contributor_adds_a_file_through_the_page(client, team):
    client.force_login(team.contributor)

    response = client.post(
        LIST,
        {
            "title": "Backup policy",
            "file": pdf_file("backup.pdf"),
            "owner": team.reviewer.pk,
            "valid_from": "2026-01-01",
            "valid_until": "2099-12-31",
        },
    )

    item = Evidence.objects.get(title="Backup policy")
    assert response.status_code == 302
    assert response.url == reverse("evidence:detail", args=[item.pk])
    assert (item.kind, item.owner, item.organization) == (
        EvidenceKind.FILE,
        team.reviewer,
        team.org,
    )
    assert str(item.valid_until) == "2099-12-31"
    assert item.versions.get().original_filename == "backup.pdf"
    download = client.get(reverse("evidence:download", args=[item.pk, 1]))
    assert b"".join(download.streaming_content) == PDF


def test_a_contributor_adds_a_link_through_the_page(client, team):
    client.force_login(team.contributor)

    client.post(LIST, {"title": "Trust center", "url": "https://trust.example.test/"})

    item = Evidence.objects.get(title="Trust center")
    assert (item.kind, item.url, item.owner) == (
        EvidenceKind.LINK,
        "https://trust.example.test/",
        team.contributor,  # whoever adds it, unless an owner is chosen
    )
    assert not item.versions.exists()


def test_giving_both_a_file_and_a_link_is_refused_with_a_reason(client, team):
    client.force_login(team.contributor)

    response = client.post(LIST, {"file": pdf_file(), "url": "https://example.test/"})

    assert response.status_code == 400
    assert "Give either a file or a link." in response.text
    assert not Evidence.objects.exists()


def test_a_refused_upload_shows_its_reason_and_stores_nothing(client, team):
    client.force_login(team.contributor)
    page = b"<html><script>alert(1)</script></html>"

    response = client.post(LIST, {"file": pdf_file("report.html", page)})

    assert response.status_code == 400
    assert response.context["form"].errors["file"]
    assert not Evidence.objects.exists()


def test_a_viewer_sees_the_library_but_cannot_add(client, team, make_evidence):
    make_evidence("SOC 2 report")
    client.force_login(team.viewer)

    page = client.get(LIST)
    refused = client.post(LIST, {"title": "Mine", "url": "https://example.test/"})

    assert "SOC 2 report" in page.text
    assert "Add evidence" not in page.text
    assert refused.status_code == 403
    assert not Evidence.objects.filter(title="Mine").exists()


def test_the_detail_page_lists_versions_and_the_answers_it_backs(
    client, team, contributor_membership, make_evidence, small_questionnaire
):
    item = make_evidence("Security policy")
    answer = small_questionnaire.answers.select_related("question").first()
    evidence_link(
        evidence=item, answer=answer, membership=contributor_membership, user=team.contributor
    )
    client.force_login(team.viewer)

    response = client.get(reverse("evidence:detail", args=[item.pk]))

    version = item.versions.select_related("stored_file").get()
    fill = reverse("caiq:fill", args=[small_questionnaire.pk])
    assert response.status_code == 200
    assert f'href="{fill}#answer-{answer.pk}"' in response.text
    assert f"Small · {escape(answer.question.code)}" in response.text
    assert version.stored_file.sha256[:12] in response.text
    assert reverse("evidence:download", args=[item.pk, 1]) in response.text
    assert "Upload a new version" not in response.text  # a viewer


def test_the_detail_page_costs_the_same_queries_for_one_or_three_versions(
    client, team, contributor_membership, make_evidence
):
    item = make_evidence("Security policy")
    url = reverse("evidence:detail", args=[item.pk])
    client.force_login(team.contributor)
    one = count_queries(client, url)
    for n in range(2):
        evidence_add_version(
            evidence=item,
            membership=contributor_membership,
            user=team.contributor,
            upload=pdf_file(content=PDF + bytes([n])),
        )

    assert count_queries(client, url) == one


def test_a_new_version_keeps_the_old_one_downloadable(client, team, make_evidence):
    item = make_evidence("Security policy", content=PDF + b"first")
    client.force_login(team.contributor)

    response = client.post(
        reverse("evidence:version_add", args=[item.pk]),
        {"file": pdf_file("policy-v2.pdf", PDF + b"second")},
    )

    assert response.status_code == 302
    assert list(item.versions.values_list("number", "original_filename")) == [
        (2, "policy-v2.pdf"),
        (1, "Security policy.pdf"),
    ]
    old = client.get(reverse("evidence:download", args=[item.pk, 1]))
    latest = client.get(reverse("evidence:download_latest", args=[item.pk]))
    assert b"".join(old.streaming_content) == PDF + b"first"
    assert b"".join(latest.streaming_content) == PDF + b"second"


def test_a_viewer_cannot_upload_a_version(client, team, make_evidence):
    item = make_evidence("Security policy")
    client.force_login(team.viewer)

    response = client.post(
        reverse("evidence:version_add", args=[item.pk]), {"file": pdf_file(content=PDF + b"2")}
    )

    assert response.status_code == 403
    assert item.versions.count() == 1


def test_editing_the_dates_changes_the_freshness(client, team, make_evidence):
    item = make_evidence("Pen test", valid_until=days_from_today(100))
    client.force_login(team.contributor)

    response = client.post(
        reverse("evidence:edit", args=[item.pk]),
        {
            "title": "Pen test 2025",
            "owner": team.contributor.pk,
            "valid_from": "2025-01-01",
            "valid_until": str(days_from_today(-3)),
        },
    )
    page = client.get(reverse("evidence:detail", args=[item.pk]))

    item.refresh_from_db()
    assert response.status_code == 302
    assert (item.title, item.valid_until) == ("Pen test 2025", days_from_today(-3))
    assert page.context["evidence"].fresh == Freshness.EXPIRED
    assert 'class="fresh expired"' in page.text


def test_dates_in_the_wrong_order_are_refused_and_nothing_changes(client, team, make_evidence):
    item = make_evidence("Pen test", valid_until=days_from_today(100))
    client.force_login(team.contributor)

    response = client.post(
        reverse("evidence:edit", args=[item.pk]),
        {"title": "Pen test", "valid_from": "2026-06-01", "valid_until": "2026-01-01"},
    )

    item.refresh_from_db()
    assert response.status_code == 400
    assert "Valid until must not be before valid from." in response.text
    assert item.valid_until == days_from_today(100)


def test_a_link_cannot_lose_its_address(client, team, make_evidence):
    item = make_evidence("Trust center", url="https://trust.example.test/")
    client.force_login(team.contributor)

    response = client.post(reverse("evidence:edit", args=[item.pk]), {"title": "Trust", "url": ""})

    item.refresh_from_db()
    assert response.status_code == 400
    assert item.url == "https://trust.example.test/"


def test_the_navigation_links_to_the_library(client, team):
    client.force_login(team.viewer)

    response = client.get(reverse("caiq:questionnaire_list"))

    assert f'<a href="{LIST}">Evidence</a>' in response.text
