"""Evidence leaves only as a download: attachment, allow-listed type, nosniff, sandboxing CSP."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Membership
from evidence.models import Evidence, EvidenceKind, EvidenceVersion, StoredFile
from evidence.services import evidence_add_version, evidence_create
from evidence.storage import evidence_storage, new_storage_name
from evidence.validation import ALLOWED_TYPES
from tests.evidence.conftest import upload

from .test_upload_matrix import PDF, SAMPLES

ALLOWED_MIMES = {t.mime for t in ALLOWED_TYPES}


def download_url(evidence: Evidence, number: int = 1) -> str:
    return reverse("evidence:download", args=[evidence.pk, number])


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def assert_served_as_download(response) -> None:
    assert response.status_code == 200
    # filename="..." for ASCII names, filename*=utf-8''... (RFC 6266) for the others.
    assert response["Content-Disposition"].startswith("attachment; filename")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize(("name", "data", "mime"), SAMPLES, ids=[s[0] for s in SAMPLES])
def test_every_allowed_type_downloads_as_an_attachment_with_its_own_type(
    client, store, team, contributor, name, data, mime
):
    evidence = upload(contributor, name, data)
    client.force_login(team.viewer)

    response = client.get(download_url(evidence))

    assert_served_as_download(response)
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    assert response["Content-Type"] == mime
    assert response["Content-Type"] in ALLOWED_MIMES
    assert response["Content-Length"] == str(len(data))
    assert body(response) == data


def test_a_stored_file_claiming_to_be_html_is_served_as_an_opaque_attachment(client, store, team):
    """HTML cannot pass the upload checks; a row forged past them still never renders."""
    markup = b"<!doctype html><script>alert(document.cookie)</script>"
    name = evidence_storage().save(new_storage_name(team.org.pk), ContentFile(markup))
    stored = StoredFile.objects.create(
        organization=team.org,
        sha256="0" * 64,
        size=len(markup),
        content_type="text/html",
        storage_name=name,
    )
    evidence = Evidence.objects.create(organization=team.org, kind=EvidenceKind.FILE, title="x")
    EvidenceVersion.objects.create(
        evidence=evidence, number=1, stored_file=stored, original_filename="page.html"
    )
    client.force_login(team.viewer)

    response = client.get(download_url(evidence))

    assert_served_as_download(response)
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == 'attachment; filename="page.html"'


@pytest.mark.parametrize("forged", ["image/svg+xml", "text/html; charset=utf-8", "", "text/xml"])
def test_any_type_off_the_allow_list_falls_back_to_octet_stream(
    client, store, team, contributor, forged
):
    evidence = upload(contributor, "report.pdf", PDF)
    StoredFile.objects.update(content_type=forged)
    client.force_login(team.viewer)

    response = client.get(download_url(evidence))

    assert_served_as_download(response)
    assert response["Content-Type"] == "application/octet-stream"


def test_a_name_outside_ascii_is_sent_in_the_encoded_filename_form(
    client, store, team, contributor
):
    evidence = upload(contributor, "Prüfbericht 2026.pdf", PDF)
    client.force_login(team.viewer)

    response = client.get(download_url(evidence))

    assert_served_as_download(response)
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''Pr%C3%BCfbericht%202026.pdf"
    )


def test_earlier_versions_stay_downloadable(client, store, team, contributor):
    evidence = upload(contributor, "policy.pdf", PDF)
    evidence_add_version(
        evidence=evidence,
        membership=contributor,
        user=team.contributor,
        upload=SimpleUploadedFile("policy-v2.pdf", PDF + b"% v2\n"),
    )
    client.force_login(team.viewer)

    first = client.get(download_url(evidence, 1))
    second = client.get(download_url(evidence, 2))

    assert body(first) == PDF
    assert body(second) == PDF + b"% v2\n"
    assert second["Content-Disposition"] == 'attachment; filename="policy-v2.pdf"'


def test_an_outsider_gets_404_as_if_the_file_did_not_exist(client, store, team, contributor):
    evidence = upload(contributor, "report.pdf", PDF)
    client.force_login(team.outsider)

    response = client.get(download_url(evidence))

    assert response.status_code == 404
    assert PDF not in response.content


def test_a_version_that_does_not_exist_answers_404(client, store, team, contributor):
    evidence = upload(contributor, "report.pdf", PDF)
    client.force_login(team.viewer)

    assert client.get(download_url(evidence, 2)).status_code == 404


def test_an_anonymous_visitor_is_sent_to_log_in(client, store, team, contributor):
    evidence = upload(contributor, "report.pdf", PDF)

    response = client.get(download_url(evidence))

    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_downloads_answer_only_get(client, store, team, contributor):
    evidence = upload(contributor, "report.pdf", PDF)
    client.force_login(team.viewer)

    assert client.post(download_url(evidence)).status_code == 405


def test_a_file_missing_from_storage_answers_404_not_a_server_error(client, team, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from evidence.storage import evidence_storage

    membership = Membership.objects.get(user=team.contributor, organization=team.org)
    item = evidence_create(
        membership=membership,
        user=team.contributor,
        title="Gone",
        upload=SimpleUploadedFile("gone.pdf", b"%PDF-1.4\nmissing\n"),
    )
    evidence_storage().delete(item.versions.get().stored_file.storage_name)
    client.force_login(team.contributor)

    response = client.get(f"/evidence/{item.pk}/versions/1/download/")

    assert response.status_code == 404
