"""Evidence on the fill page: chips per answer, attach by upload or from the library, detach,
and the expired/expiring flags on the fill page and the questionnaire list."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from caiq.models import Answer, Questionnaire
from evidence.models import Evidence, EvidenceLink
from evidence.services import evidence_link

from .conftest import days_from_today, pdf_file

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def attach_url(answer: Answer) -> str:
    return reverse("evidence:attach", args=[answer.questionnaire_id, answer.pk])


def unlink_url(link: EvidenceLink) -> str:
    return reverse("evidence:unlink", args=[link.pk])


def fill_url(questionnaire, **params) -> str:
    url = reverse("caiq:fill", args=[questionnaire.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def article(page_text: str, answer: Answer) -> str:
    """The HTML of one answer on the fill page."""
    match = re.search(rf'<article[^>]*id="answer-{answer.pk}".*?</article>', page_text, re.S)
    assert match, f"answer {answer.pk} is not on the page"
    return match.group(0)


@pytest.fixture
def answer(small_questionnaire) -> Answer:
    return small_questionnaire.answers.select_related("question").order_by("pk").first()


@pytest.fixture
def link_to(team, contributor_membership):
    def link(evidence: Evidence, answer: Answer) -> EvidenceLink:
        return evidence_link(
            evidence=evidence,
            answer=answer,
            membership=contributor_membership,
            user=team.contributor,
        )

    return link


def test_a_file_dropped_on_an_answer_is_added_to_the_library_and_attached(client, team, answer):
    client.force_login(team.contributor)

    response = client.post(attach_url(answer), {"file": pdf_file("soc2-report.pdf")}, headers=HTMX)

    item = Evidence.objects.get()
    assert response.status_code == 200
    assert (item.title, item.organization, item.owner) == (
        "soc2-report.pdf",
        team.org,
        team.contributor,
    )
    assert list(item.links.values_list("answer", flat=True)) == [answer.pk]
    assert response.text.lstrip().startswith(f'<div class="evidence" id="evidence-{answer.pk}">')
    assert ">soc2-report.pdf</a>" in response.text
    assert f'href="/evidence/{item.pk}/download/"' in response.text


def test_picking_a_library_item_attaches_it(client, team, answer, make_evidence):
    item = make_evidence("ISO 27001 certificate", valid_until=days_from_today(300))
    client.force_login(team.contributor)

    response = client.post(
        attach_url(answer), {"evidence": f"ISO 27001 certificate (#{item.pk})"}, headers=HTMX
    )

    assert response.status_code == 200
    assert EvidenceLink.objects.filter(evidence=item, answer=answer).exists()
    assert ">ISO 27001 certificate</a>" in response.text
    assert '<span class="fresh current">Current</span>' in response.text


def test_attaching_the_same_item_twice_keeps_one_link(client, team, answer, make_evidence):
    item = make_evidence("ISO 27001 certificate")
    client.force_login(team.contributor)

    for _ in range(2):
        client.post(attach_url(answer), {"evidence": str(item.pk)}, headers=HTMX)

    assert EvidenceLink.objects.filter(evidence=item, answer=answer).count() == 1


def test_a_picked_text_that_names_no_item_is_refused(client, team, answer, make_evidence):
    make_evidence("ISO 27001 certificate")
    client.force_login(team.contributor)

    response = client.post(attach_url(answer), {"evidence": "ISO 27001"}, headers=HTMX)

    assert response.status_code == 400
    assert "Pick an item from the library list." in response.text
    assert not EvidenceLink.objects.exists()


def test_a_refused_file_shows_its_reason_and_adds_nothing(client, team, answer):
    client.force_login(team.contributor)

    response = client.post(
        attach_url(answer), {"file": pdf_file("notes.pdf", b"not a pdf at all")}, headers=HTMX
    )

    assert response.status_code == 400
    assert 'class="field-error" role="alert"' in response.text
    assert f'id="evidence-{answer.pk}"' in response.text
    assert not Evidence.objects.exists()


def test_without_javascript_attaching_returns_to_the_answer(client, team, answer, make_evidence):
    item = make_evidence("ISO 27001 certificate")
    client.force_login(team.contributor)

    response = client.post(attach_url(answer), {"evidence": str(item.pk)})

    assert response.status_code == 302
    assert response.url == fill_url(answer.questionnaire) + f"#answer-{answer.pk}"
    assert EvidenceLink.objects.filter(evidence=item, answer=answer).exists()


def test_detaching_removes_the_link_and_keeps_the_item(
    client, team, answer, make_evidence, link_to
):
    item = make_evidence("ISO 27001 certificate")
    link = link_to(item, answer)
    client.force_login(team.contributor)

    response = client.post(unlink_url(link), headers=HTMX)

    assert response.status_code == 200
    assert not EvidenceLink.objects.filter(pk=link.pk).exists()
    assert Evidence.objects.filter(pk=item.pk).exists()
    assert "ISO 27001 certificate" not in response.text


def test_the_fill_page_shows_each_answers_evidence_and_offers_the_library(
    client, team, small_questionnaire, answer, make_evidence, link_to
):
    link_to(make_evidence("Trust center", url="https://trust.example.test/"), answer)
    make_evidence("Unlinked policy")
    client.force_login(team.contributor)

    page = client.get(fill_url(small_questionnaire, domain="all")).text

    mine = article(page, answer)
    assert ">Trust center</a>" in mine
    assert 'href="https://trust.example.test/"' in mine
    assert "Unlinked policy" not in mine
    assert 'list="evidence-library"' in mine
    assert '<datalist id="evidence-library"></datalist>' in page  # filled on first focus
    assert page.count('type="file" name="file"') == small_questionnaire.answers.count()


def library_url(questionnaire) -> str:
    return reverse("evidence:library_options", args=[questionnaire.pk])


def test_a_picker_fetches_the_library_when_first_focused(
    client, team, small_questionnaire, answer, make_evidence, globex_evidence
):
    item = make_evidence("Unlinked policy")
    client.force_login(team.contributor)

    mine = article(client.get(fill_url(small_questionnaire, domain="all")).text, answer)
    options = client.get(library_url(small_questionnaire), headers=HTMX)

    assert f'hx-get="{library_url(small_questionnaire)}" hx-trigger="focus once"' in mine
    assert options.status_code == 200
    assert f'<option value="Unlinked policy (#{item.pk})">No expiry date</option>' in options.text
    assert "Globex" not in options.text  # another organisation's library stays invisible


def test_another_organisations_library_answers_404(client, team, small_questionnaire):
    client.force_login(team.outsider)

    assert client.get(library_url(small_questionnaire), headers=HTMX).status_code == 404


def test_expired_evidence_is_flagged_on_the_answer_and_on_the_questionnaire_list(
    client, team, small_questionnaire, answer, make_evidence, link_to
):
    link_to(make_evidence("Pen test 2024", valid_until=days_from_today(-1)), answer)
    other = small_questionnaire.answers.exclude(pk=answer.pk).first()
    link_to(make_evidence("ISO certificate", valid_until=days_from_today(5)), other)
    client.force_login(team.viewer)

    page = client.get(fill_url(small_questionnaire)).text
    listing = client.get(reverse("caiq:questionnaire_list")).text

    assert '<li class="chip expired">' in article(page, answer)
    assert '<span class="fresh expired">Expired</span>' in article(page, answer)
    assert '<span class="fresh expiring">Expires soon</span>' in article(page, other)
    assert ">1 expired</a>" in page
    assert "1 expires within 30 days" in page
    assert ">1 expired</a>" in listing
    assert ">1 expiring</span>" in listing


def test_backed_by_expired_evidence_shows_only_those_answers(
    client, team, small_questionnaire, answer, make_evidence, link_to
):
    link_to(make_evidence("Pen test 2024", valid_until=days_from_today(-1)), answer)
    current = make_evidence("SOC 2", valid_until=days_from_today(100))
    link_to(current, small_questionnaire.answers.exclude(pk=answer.pk).first())
    client.force_login(team.viewer)

    page = client.get(fill_url(small_questionnaire, show="expired_evidence")).text

    assert page.count('<article class="answer') == 1
    assert f'id="answer-{answer.pk}"' in page


def test_a_viewer_sees_the_evidence_but_cannot_attach_or_detach(
    client, team, small_questionnaire, answer, make_evidence, link_to
):
    item = make_evidence("ISO 27001 certificate")
    link = link_to(item, answer)
    client.force_login(team.viewer)

    page = client.get(fill_url(small_questionnaire)).text
    attach = client.post(attach_url(answer), {"evidence": str(item.pk)}, headers=HTMX)
    upload = client.post(attach_url(answer), {"file": pdf_file()}, headers=HTMX)
    detach = client.post(unlink_url(link), headers=HTMX)

    assert ">ISO 27001 certificate</a>" in article(page, answer)
    assert 'type="file"' not in page
    assert "evidence-library" not in page
    assert "Detach" not in page
    assert (attach.status_code, upload.status_code, detach.status_code) == (403, 403, 403)
    assert "Only a contributor or above can" in attach.text
    assert list(Evidence.objects.values_list("title", flat=True)) == ["ISO 27001 certificate"]
    assert EvidenceLink.objects.filter(pk=link.pk).exists()


def test_a_submitted_questionnaire_offers_no_attaching_and_refuses_it(
    client, team, small_questionnaire, answer, make_evidence, link_to
):
    item = make_evidence("ISO 27001 certificate")
    link = link_to(item, answer)
    Questionnaire.objects.filter(pk=small_questionnaire.pk).update(
        status="submitted", submitted_at=days_from_today(-1)
    )
    client.force_login(team.contributor)

    page = client.get(fill_url(small_questionnaire)).text
    attach = client.post(attach_url(answer), {"file": pdf_file()}, headers=HTMX)
    detach = client.post(unlink_url(link), headers=HTMX)

    assert ">ISO 27001 certificate</a>" in article(page, answer)
    assert 'type="file"' not in page
    assert (attach.status_code, detach.status_code) == (400, 400)
    assert "submitted and is read-only" in attach.text
    assert list(Evidence.objects.values_list("title", flat=True)) == ["ISO 27001 certificate"]
    assert EvidenceLink.objects.filter(pk=link.pk).exists()


def count_queries(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_linked_evidence_and_the_library_do_not_add_queries_per_answer(
    client, team, small_questionnaire, make_evidence, link_to
):
    client.force_login(team.contributor)
    url = fill_url(small_questionnaire)
    bare = count_queries(client, url)
    for n, answer in enumerate(small_questionnaire.answers.all()[:5]):
        link_to(make_evidence(f"File {n}", valid_until=days_from_today(n * 20 - 10)), answer)
        link_to(make_evidence(f"Link {n}", url=f"https://example.test/{n}"), answer)
    make_evidence("Not linked")

    assert count_queries(client, url) == bare
    assert bare <= 12
