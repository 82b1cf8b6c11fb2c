"""Catalog templates and job files on S3-compatible object storage (FILE_STORAGE=s3).

The object store is moto's server on loopback (tests/conftest.py); the files go through
django-storages' S3Storage as in production, and nothing lands on the local disk.
"""

import ast
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from caiq.models import JobStatus
from caiq.services import catalog_import, questionnaire_create
from caiq.services.jobs import job_start
from caiq.services.transfer import export_xlsx
from caiq.xlsx.builder import build_caiq_xlsx
from evidence.services import evidence_create
from tests.conftest import S3_KEY, s3_config
from tests.evidence.test_upload_matrix import PDF
from tests.test_settings import probe

from .conftest import ten_question_structure

pytestmark = pytest.mark.django_db


def test_file_storage_s3_puts_files_and_evidence_in_the_bucket():
    result = probe(
        "config.settings.dev",
        "(s.STORAGES['default'], s.STORAGES['evidence'])",
        FILE_STORAGE="s3",
        S3_BUCKET="caiq-files",
        S3_ENDPOINT_URL="http://127.0.0.1:9000",
        S3_ACCESS_KEY=S3_KEY,
        S3_SECRET_KEY=S3_KEY,
    )

    assert result.returncode == 0, result.stderr
    files, evidence = ast.literal_eval(result.stdout.strip())
    assert files == s3_config("http://127.0.0.1:9000", "caiq-files", location="files")
    # Evidence keeps the bucket's root, where EVIDENCE_STORAGE=s3 always put it.
    assert evidence == s3_config("http://127.0.0.1:9000", "caiq-files", location="")


def test_without_file_storage_files_stay_on_the_local_disk(tmp_path):
    result = probe(
        "config.settings.dev",
        "s.STORAGES['default']['BACKEND'], s.STORAGES['evidence']['BACKEND']",
        DATA_DIR=str(tmp_path),
    )

    assert result.stdout.split() == ["django.core.files.storage.FileSystemStorage"] * 2


def exported(membership, capture_on_commit):
    """A catalog, a questionnaire on it and a finished export job, through the services."""
    version = catalog_import(
        data=build_caiq_xlsx(ten_question_structure()), filename="small.xlsx"
    ).version
    questionnaire = questionnaire_create(
        membership=membership, version=version, name="Stored", service_name="Files"
    )
    with capture_on_commit(execute=True):
        job = job_start(
            questionnaire=questionnaire,
            membership=membership,
            user=membership.user,
            kind="export_xlsx",
        )
    job.refresh_from_db()
    return version, questionnaire, job


@pytest.fixture
def files_on_s3(settings, s3_endpoint, s3_bucket, tmp_path):
    bucket, client = s3_bucket
    settings.STORAGES = {
        **settings.STORAGES,
        "default": s3_config(s3_endpoint, bucket, location="files"),
    }
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "never-used"

    def keys() -> list[str]:
        return sorted(o["Key"] for o in client.list_objects_v2(Bucket=bucket).get("Contents", []))

    return keys


def test_a_catalog_template_and_an_export_job_live_in_the_bucket_and_download_from_it(
    client, team, admin_membership, files_on_s3, django_capture_on_commit_callbacks, tmp_path
):
    version, questionnaire, job = exported(admin_membership, django_capture_on_commit_callbacks)
    client.force_login(team.admin)

    download = client.get(
        reverse("caiq:job_download", args=[questionnaire.pk, job.pk]), follow=False
    )

    assert job.status == JobStatus.SUCCEEDED
    keys = files_on_s3()
    assert f"files/{version.template.name}" in keys
    assert f"files/{job.result.name}" in keys
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == export_xlsx(questionnaire)
    assert not (tmp_path / "never-used").exists()


def test_move_files_to_storage_copies_every_local_file_to_the_bucket_once(
    settings, team, admin_membership, s3_endpoint, s3_bucket, django_capture_on_commit_callbacks
):
    # On the local disk first, as a deployment that started with FILE_STORAGE=local.
    version, questionnaire, job = exported(admin_membership, django_capture_on_commit_callbacks)
    item = evidence_create(
        membership=admin_membership,
        user=team.admin,
        title="Policy",
        upload=SimpleUploadedFile("policy.pdf", PDF),
    )
    local = str(settings.PRIVATE_STORAGE_ROOT)
    bucket, s3 = s3_bucket
    settings.STORAGES = {
        **settings.STORAGES,
        "default": s3_config(s3_endpoint, bucket, location="files"),
        "evidence": s3_config(s3_endpoint, bucket),
    }

    def run(*args) -> str:
        out = StringIO()
        call_command("move_files_to_storage", "--source", local, *args, stdout=out)
        return out.getvalue()

    dry = run("--dry-run")
    assert "Templates and job files (dry run): 2 copied" in dry
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)  # nothing written

    first, again = run(), run()

    objects = {o["Key"]: o["Size"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]}
    assert set(objects) == {
        f"files/{version.template.name}",
        f"files/{job.result.name}",
        item.versions.get().stored_file.storage_name,
    }
    assert objects[f"files/{job.result.name}"] == len(export_xlsx(questionnaire))
    assert "Templates and job files: 2 copied, 0 already there" in first
    assert "Evidence files: 1 copied" in first
    assert "Templates and job files: 0 copied, 2 already there" in again
    with job.result.open("rb") as handle:  # now read from the bucket
        assert handle.read() == export_xlsx(questionnaire)

    (settings.PRIVATE_STORAGE_ROOT / version.template.name).unlink()
    s3.delete_object(Bucket=bucket, Key=f"files/{version.template.name}")
    with pytest.raises(CommandError, match="1 file"):
        run()


def test_an_unknown_storage_kind_or_a_missing_bucket_stops_start_up():
    typo = probe("config.settings.dev", "s.DEBUG", FILE_STORAGE="S3 ")
    no_bucket = probe("config.settings.dev", "s.DEBUG", FILE_STORAGE="s3")

    assert "FILE_STORAGE must be local or s3, not 'S3 '." in typo.stderr
    assert "FILE_STORAGE=s3 needs S3_BUCKET" in no_bucket.stderr


def test_evidence_keeps_its_own_s3_settings_whole_when_it_has_them():
    result = probe(
        "config.settings.dev",
        "(s.STORAGES['evidence']['OPTIONS']['bucket_name'], "
        "s.STORAGES['evidence']['OPTIONS']['endpoint_url'])",
        FILE_STORAGE="s3",
        S3_BUCKET="files",
        S3_ENDPOINT_URL="http://minio:9000",
        EVIDENCE_S3_BUCKET="evidence-on-aws",
    )

    # Not AWS's bucket on the MinIO endpoint meant for the other files.
    assert ast.literal_eval(result.stdout.strip()) == ("evidence-on-aws", None)


def test_create_buckets_makes_each_missing_bucket_once_and_leaves_existing_ones(
    settings, s3_endpoint, s3_bucket
):
    existing, client = s3_bucket
    fresh = f"{existing}-new"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": s3_config(s3_endpoint, fresh, location="files"),
        "evidence": s3_config(s3_endpoint, existing),
    }
    first, again = StringIO(), StringIO()

    call_command("create_buckets", stdout=first)
    call_command("create_buckets", stdout=again)

    assert first.getvalue().splitlines() == [
        f"default: bucket {fresh} created",
        f"evidence: bucket {existing} exists",
    ]
    assert again.getvalue().splitlines()[0] == f"default: bucket {fresh} exists"
    client.head_bucket(Bucket=fresh)  # raises when missing


def test_create_buckets_does_nothing_on_local_storage():
    out = StringIO()

    call_command("create_buckets", stdout=out)

    assert out.getvalue() == ""
