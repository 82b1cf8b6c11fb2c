import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from caiq.models import Job, JobStatus
from caiq.services import answer_update
from caiq.services.transfer import export_xlsx
from tests.hostile import HOSTILE_WORKBOOKS

pytestmark = pytest.mark.django_db


def start_url(questionnaire, kind):
    return reverse("caiq:job_start", args=[questionnaire.pk, kind])


def test_an_export_from_the_page_can_be_downloaded(
    client, team, questionnaire, django_capture_on_commit_callbacks
):
    client.force_login(team.viewer)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(start_url(questionnaire, "export_xlsx"))
    job = Job.objects.get()
    page = client.get(reverse("caiq:transfer", args=[questionnaire.pk]))
    download = client.get(reverse("caiq:job_download", args=[questionnaire.pk, job.pk]))

    assert job.status == JobStatus.SUCCEEDED
    assert "Download CAIQv4.0.3-Acme-Storage-2026.xlsx" in page.text
    assert "not ready" in page.text
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content)[:2] == b"PK"


def test_an_import_from_the_page_reports_its_summary(
    client, team, questionnaire, django_capture_on_commit_callbacks
):
    client.force_login(team.contributor)
    upload = SimpleUploadedFile("caiq.xlsx", export_xlsx(questionnaire))

    with django_capture_on_commit_callbacks(execute=True):
        client.post(start_url(questionnaire, "import_xlsx"), {"workbook": upload})
    jobs = client.get(reverse("caiq:jobs", args=[questionnaire.pk]))

    assert "Nothing changed: the file&#x27;s 261 answers are the ones stored." in jobs.text


@pytest.mark.parametrize("case", sorted(set(HOSTILE_WORKBOOKS) - {"oversized_file"}))
def test_a_hostile_upload_never_errors_and_lists_its_reason(
    client, team, questionnaire, django_capture_on_commit_callbacks, case
):
    client.force_login(team.contributor)
    upload = SimpleUploadedFile("evil.xlsx", HOSTILE_WORKBOOKS[case]())

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(start_url(questionnaire, "import_xlsx"), {"workbook": upload})
    page = client.get(reverse("caiq:transfer", args=[questionnaire.pk]))

    assert response.status_code == 302
    assert page.status_code == 200
    job = Job.objects.get()
    assert job.status == JobStatus.FAILED
    assert job.errors[0] in page.text.replace("&#x27;", "'").replace("&quot;", '"').replace(
        "&amp;", "&"
    )
    assert not questionnaire.answers.exclude(revision=1).exists()


def test_the_readiness_page_links_findings_to_their_questions(client, team, questionnaire):
    client.force_login(team.viewer)
    first = questionnaire.answers.order_by("question__position").first()

    response = client.get(reverse("caiq:readiness", args=[questionnaire.pk]))

    assert "261 findings" in response.text
    assert f"#answer-{first.pk}" in response.text


def test_the_readiness_page_counts_findings_by_kind_and_domain_linked_into_the_fill_page(
    client, team, small_questionnaire, admin_membership
):
    answer = small_questionnaire.answers.select_related("questionnaire").get(
        question__code="AIS-02.1"
    )
    answer_update(
        answer=answer,
        membership=admin_membership,
        user=team.admin,
        values={"answer": "Yes"},
        base_revision=answer.revision,
    )
    fill = reverse("caiq:fill", args=[small_questionnaire.pk])
    client.force_login(team.viewer)

    page = client.get(reverse("caiq:readiness", args=[small_questionnaire.pk])).text

    assert "10 findings" in page
    assert f'<a href="{fill}?show=unanswered">Show 9 on the fill page</a>' in page
    assert f'<a href="{fill}?domain=A%26A">A&amp;A</a> <span class="muted">Audit' in page
    assert f'<a href="{fill}?domain=AIS&amp;show=unanswered">Not answered: 2</a>' in page
    # No filter shows a Yes without its ownership: the link narrows to the domain only.
    assert f'<a href="{fill}?domain=AIS">Yes or No without an SSRM control ownership: 1</a>' in page
    assert f'<a href="{fill}?q=AIS-02.1#answer-{answer.pk}">AIS-02.1</a>' in page


def test_a_domains_kind_link_opens_the_fill_page_on_exactly_those_answers(
    client, team, small_questionnaire, admin_membership
):
    answer = small_questionnaire.answers.select_related("questionnaire").get(
        question__code="AIS-01.1"
    )
    answer_update(
        answer=answer,
        membership=admin_membership,
        user=team.admin,
        values={"answer": "No", "ssrm": "CSP-owned"},
        base_revision=answer.revision,
    )
    client.force_login(team.viewer)
    page = client.get(reverse("caiq:readiness", args=[small_questionnaire.pk])).text
    link = re.search(r'href="([^"]+)">Not answered: 2</a>', page).group(1).replace("&amp;", "&")

    shown = client.get(link).text

    unanswered_in_ais = small_questionnaire.answers.filter(
        question__control__domain__code="AIS", answer=""
    )
    assert sorted(map(int, re.findall(r'<article [^>]*id="answer-(\d+)"', shown))) == sorted(
        unanswered_in_ais.values_list("pk", flat=True)
    )


def test_the_readiness_page_names_a_missing_template_apart_from_the_questions(
    client, team, small_questionnaire
):
    small_questionnaire.version.template = ""
    small_questionnaire.version.save(update_fields=["template"])
    client.force_login(team.viewer)

    page = client.get(reverse("caiq:readiness", args=[small_questionnaire.pk])).text

    assert "11 findings" in page
    assert '<p class="notice">The export template is missing' in page
    assert "Show 10 on the fill page" in page


def test_a_ready_questionnaire_has_nothing_to_fix(
    client, team, small_questionnaire, admin_membership
):
    for answer in small_questionnaire.answers.select_related("questionnaire"):
        answer_update(
            answer=answer,
            membership=admin_membership,
            user=team.admin,
            values={"answer": "Yes", "ssrm": "CSP-owned"},
            base_revision=answer.revision,
        )
    client.force_login(team.viewer)

    page = client.get(reverse("caiq:readiness", args=[small_questionnaire.pk])).text

    assert "STAR-ready" in page
    assert "By domain" not in page


def test_a_viewer_cannot_import(client, team, questionnaire):
    client.force_login(team.viewer)

    page = client.get(reverse("caiq:transfer", args=[questionnaire.pk]))
    client.post(
        start_url(questionnaire, "import_xlsx"),
        {"workbook": SimpleUploadedFile("a.xlsx", export_xlsx(questionnaire))},
    )

    assert "Import a completed CAIQ workbook" not in page.text
    assert not Job.objects.exists()


@pytest.mark.parametrize("name", ["transfer", "readiness", "jobs"])
def test_another_organisation_gets_404(client, team, questionnaire, name):
    client.force_login(team.outsider)

    assert client.get(reverse(f"caiq:{name}", args=[questionnaire.pk])).status_code == 404


def test_another_organisations_job_result_is_404(
    client, team, questionnaire, django_capture_on_commit_callbacks
):
    client.force_login(team.viewer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(start_url(questionnaire, "export_json"))
    job = Job.objects.get()
    client.force_login(team.outsider)

    response = client.get(reverse("caiq:job_download", args=[questionnaire.pk, job.pk]))
    started = client.post(start_url(questionnaire, "export_json"))

    assert response.status_code == 404
    assert started.status_code == 404
    assert Job.objects.count() == 1


def test_an_oversized_upload_is_refused_before_a_job_exists(client, team, questionnaire):
    client.force_login(team.contributor)
    upload = SimpleUploadedFile("big.xlsx", HOSTILE_WORKBOOKS["oversized_file"]())

    response = client.post(
        start_url(questionnaire, "import_xlsx"), {"workbook": upload}, follow=True
    )

    assert "larger than the 10 MB limit" in response.text
    assert not Job.objects.exists()
