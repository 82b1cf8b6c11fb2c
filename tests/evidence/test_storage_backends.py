"""The same evidence behaviour on local disk and on an S3-compatible object store.

The object store is moto's server, started once per session on loopback: a real HTTP S3 API,
spoken to by django-storages' S3Storage through boto3 exactly as in production.
"""

import ast
import io
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage, storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from storages.backends.s3 import S3Storage

from accounts.models import Membership
from caiq.services import catalog_import, questionnaire_create
from caiq.xlsx.builder import build_caiq_xlsx
from evidence.models import Evidence, StoredFile
from evidence.services import evidence_create, evidence_link
from evidence.storage import evidence_storage
from tests.caiq.conftest import ten_question_structure
from tests.conftest import S3_KEY, s3_config
from tests.test_settings import probe

from .test_upload_matrix import PDF, SAMPLES


@dataclass
class Backend:
    """The evidence storage under test, with direct access to its raw objects."""

    kind: str
    root: Path | None = None
    bucket: str = ""
    client: object = None

    def names(self) -> list[str]:
        if self.kind == "local":
            return sorted(
                str(p.relative_to(self.root)) for p in self.root.rglob("*") if p.is_file()
            )
        listing = self.client.list_objects_v2(Bucket=self.bucket)
        return sorted(item["Key"] for item in listing.get("Contents", []))

    def overwrite(self, name: str, data: bytes) -> None:
        if self.kind == "local":
            (self.root / name).write_bytes(data)
        else:
            self.client.put_object(Bucket=self.bucket, Key=name, Body=data)

    def remove(self, name: str) -> None:
        if self.kind == "local":
            (self.root / name).unlink()
        else:
            self.client.delete_object(Bucket=self.bucket, Key=name)


@pytest.fixture(params=["local", "s3"])
def evidence_backend(request, settings, tmp_path) -> Backend:
    if request.param == "local":
        backend = Backend("local", root=tmp_path)
        config = {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path, "base_url": None},
        }
    else:
        endpoint = request.getfixturevalue("s3_endpoint")
        bucket, client = request.getfixturevalue("s3_bucket")
        backend = Backend("s3", bucket=bucket, client=client)
        config = s3_config(endpoint, bucket)
    settings.STORAGES = {**settings.STORAGES, "evidence": config}
    return backend


def upload(membership: Membership, name: str, data: bytes, title: str = "") -> Evidence:
    return evidence_create(
        membership=membership,
        user=membership.user,
        title=title or name,
        upload=SimpleUploadedFile(name, data),
    )


def test_the_s3_settings_under_test_are_those_evidence_storage_s3_configures():
    result = probe(
        "config.settings.dev",
        "s.STORAGES['evidence']",
        EVIDENCE_STORAGE="s3",
        EVIDENCE_S3_BUCKET="caiq-evidence",
        EVIDENCE_S3_ENDPOINT_URL="http://127.0.0.1:9000",
        EVIDENCE_S3_ACCESS_KEY=S3_KEY,
        EVIDENCE_S3_SECRET_KEY=S3_KEY,
    )

    assert result.returncode == 0, result.stderr
    configured = ast.literal_eval(result.stdout.strip())
    assert configured == s3_config("http://127.0.0.1:9000", "caiq-evidence")


def test_switching_the_setting_switches_the_evidence_storage(evidence_backend):
    expected = FileSystemStorage if evidence_backend.kind == "local" else S3Storage

    assert isinstance(evidence_storage(), expected)
    assert evidence_storage() is storages["evidence"]


@pytest.mark.parametrize(("name", "data", "mime"), SAMPLES[:3] + SAMPLES[5:8])
def test_an_upload_downloads_byte_for_byte(
    client, evidence_backend, team, contributor, name, data, mime
):
    evidence = upload(contributor, name, data)
    stored = evidence.versions.get().stored_file
    client.force_login(team.viewer)

    response = client.get(reverse("evidence:download", args=[evidence.pk, 1]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == data
    assert response["Content-Type"] == mime
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    assert evidence_backend.names() == [stored.storage_name]


def test_a_file_larger_than_one_read_chunk_round_trips(client, evidence_backend, team, contributor):
    data = ("line of evidence text\n" * 20_000).encode()  # ~440 KB, several 64 KB chunks
    evidence = upload(contributor, "large.log", data)
    client.force_login(team.viewer)

    response = client.get(reverse("evidence:download", args=[evidence.pk, 1]))

    assert b"".join(response.streaming_content) == data


def test_the_same_bytes_uploaded_twice_are_stored_once(evidence_backend, contributor):
    first = upload(contributor, "policy.pdf", PDF, title="Policy")
    second = upload(contributor, "policy-copy.pdf", PDF, title="Policy (copy)")

    assert first.pk != second.pk
    assert StoredFile.objects.count() == 1
    assert first.versions.get().stored_file == second.versions.get().stored_file
    assert second.versions.get().original_filename == "policy-copy.pdf"
    assert len(evidence_backend.names()) == 1


def test_one_file_backing_answers_in_two_questionnaires_is_stored_once(
    evidence_backend, team, contributor
):
    admin = Membership.objects.get(user=team.admin, organization=team.org)
    catalog = catalog_import(
        data=build_caiq_xlsx(ten_question_structure()), filename="small.xlsx"
    ).version
    questionnaires = [
        questionnaire_create(membership=admin, version=catalog, name=name, service_name="Svc")
        for name in ("Storage 2026", "Compute 2026")
    ]
    evidence = upload(contributor, "soc2.pdf", PDF)

    for questionnaire in questionnaires:
        answer = questionnaire.answers.order_by("pk").first()
        evidence_link(
            evidence=evidence, answer=answer, membership=contributor, user=team.contributor
        )
    upload(contributor, "soc2-again.pdf", PDF)

    assert evidence.links.count() == 2
    assert StoredFile.objects.count() == 1
    assert len(evidence_backend.names()) == 1


def test_another_organisation_uploading_the_same_bytes_gets_its_own_copy(
    evidence_backend, team, contributor
):
    outsider = Membership.objects.get(user=team.outsider, organization=team.other_org)

    ours = upload(contributor, "soc2.pdf", PDF).versions.get().stored_file
    theirs = upload(outsider, "soc2.pdf", PDF).versions.get().stored_file

    assert ours.pk != theirs.pk
    assert ours.sha256 == theirs.sha256
    assert {ours.organization_id, theirs.organization_id} == {team.org.pk, team.other_org.pk}
    assert ours.storage_name.startswith(f"evidence/{team.org.pk}/")
    assert theirs.storage_name.startswith(f"evidence/{team.other_org.pk}/")
    assert evidence_backend.names() == sorted([ours.storage_name, theirs.storage_name])


def verify() -> tuple[str, CommandError | None]:
    out = io.StringIO()
    try:
        call_command("verify_evidence", stdout=out)
    except CommandError as error:
        return out.getvalue(), error
    return out.getvalue(), None


def test_verify_evidence_passes_a_clean_store(evidence_backend, contributor):
    upload(contributor, "soc2.pdf", PDF)
    upload(contributor, "notes.txt", b"restores tested\n")

    output, error = verify()

    assert error is None
    assert "Checked 2 files: 0 mismatches, 0 missing" in output


def test_verify_evidence_detects_an_overwritten_object(evidence_backend, contributor):
    stored = upload(contributor, "soc2.pdf", PDF).versions.get().stored_file
    upload(contributor, "notes.txt", b"restores tested\n")
    evidence_backend.overwrite(stored.storage_name, PDF + b"% tampered\n")

    output, error = verify()

    assert isinstance(error, CommandError)
    assert f"MISMATCH: stored file #{stored.pk}" in output
    assert stored.storage_name in output
    assert "Checked 2 files: 1 mismatches, 0 missing" in output


def test_verify_evidence_detects_a_deleted_object(evidence_backend, contributor):
    stored = upload(contributor, "soc2.pdf", PDF).versions.get().stored_file
    evidence_backend.remove(stored.storage_name)

    output, error = verify()

    assert isinstance(error, CommandError)
    assert f"MISSING: stored file #{stored.pk}" in output
    assert "Checked 1 files: 0 mismatches, 1 missing" in output
