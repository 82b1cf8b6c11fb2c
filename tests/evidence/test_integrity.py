"""`manage.py verify_evidence`: every stored file re-hashed; tampering and loss are reported."""

import hashlib
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import Membership
from evidence.integrity import ProblemKind, evidence_verify, sha256_of
from evidence.models import Evidence, StoredFile
from evidence.services import evidence_create
from evidence.storage import evidence_storage

from .test_upload_matrix import PDF


def upload(membership: Membership, title: str, name: str, data: bytes) -> Evidence:
    return evidence_create(
        membership=membership,
        user=membership.user,
        title=title,
        upload=SimpleUploadedFile(name, data),
    )


def stored_file_of(evidence: Evidence) -> StoredFile:
    return evidence.versions.get().stored_file


def verify() -> tuple[str, CommandError | None]:
    out = io.StringIO()
    try:
        call_command("verify_evidence", stdout=out)
    except CommandError as error:
        return out.getvalue(), error
    return out.getvalue(), None


def test_hashing_a_stream_equals_hashing_the_whole():
    chunks = [b"a" * 70_000, b"b" * 3, b""]

    assert sha256_of(chunks) == hashlib.sha256(b"".join(chunks)).hexdigest()


def test_a_clean_store_reports_no_problem(store, contributor):
    upload(contributor, "SOC 2", "soc2.pdf", PDF)
    upload(contributor, "Backups", "backups.txt", b"nightly\n")

    output, error = verify()

    assert error is None
    assert "Checked 2 files: 0 mismatches, 0 missing" in output


def test_an_empty_store_reports_no_problem(store, db):
    output, error = verify()

    assert error is None
    assert "Checked 0 files: 0 mismatches, 0 missing" in output


def test_a_tampered_file_is_reported_with_both_hashes_and_who_uses_it(store, team, contributor):
    evidence = upload(contributor, "SOC 2 report", "soc2.pdf", PDF)
    upload(contributor, "Backups", "backups.txt", b"nightly\n")
    stored = stored_file_of(evidence)
    forged = PDF.replace(b"Catalog", b"Catalox")
    (store / stored.storage_name).write_bytes(forged)

    output, error = verify()

    assert isinstance(error, CommandError)
    assert error.returncode == 1  # the exit status of manage.py
    assert "1 problem(s)" in str(error)
    assert "MISMATCH" in output
    assert f"expected sha256 {stored.sha256}" in output
    assert f"actual   sha256 {hashlib.sha256(forged).hexdigest()}" in output
    assert stored.storage_name in output
    assert "Acme Cloud (acme)" in output
    assert f"evidence #{evidence.pk} 'SOC 2 report' v1 (soc2.pdf)" in output
    assert "Checked 2 files: 1 mismatches, 0 missing" in output


def test_a_deleted_file_is_reported_as_missing(store, contributor):
    evidence = upload(contributor, "SOC 2 report", "soc2.pdf", PDF)
    stored = stored_file_of(evidence)
    evidence_storage().delete(stored.storage_name)

    output, error = verify()

    assert isinstance(error, CommandError)
    assert "MISSING" in output
    assert stored.storage_name in output
    assert "(file missing)" in output
    assert "Checked 1 files: 0 mismatches, 1 missing" in output


def test_problems_in_several_organisations_are_all_reported(store, team, contributor):
    ours = stored_file_of(upload(contributor, "Ours", "ours.txt", b"ours\n"))
    outsider = Membership.objects.get(user=team.outsider, organization=team.other_org)
    theirs = stored_file_of(upload(outsider, "Theirs", "theirs.txt", b"theirs\n"))
    upload(contributor, "Untouched", "fine.txt", b"fine\n")
    (store / ours.storage_name).write_bytes(b"changed\n")
    evidence_storage().delete(theirs.storage_name)

    report = evidence_verify()

    assert report.checked == 3
    assert [(p.kind, p.stored_file_id) for p in report.problems] == [
        (ProblemKind.MISMATCH, ours.pk),
        (ProblemKind.MISSING, theirs.pk),
    ]
    assert report.problems[1].organization == "Globex (globex)"
    assert report.summary() == "Checked 3 files: 1 mismatches, 1 missing"


def test_a_file_shared_by_several_items_lists_every_one(store, contributor):
    first = upload(contributor, "Policy", "policy.pdf", PDF)
    second = upload(contributor, "Policy copy", "copy.pdf", PDF)
    evidence_storage().delete(stored_file_of(first).storage_name)

    (problem,) = evidence_verify().problems

    assert problem.used_by == (
        f"evidence #{first.pk} 'Policy' v1 (policy.pdf)",
        f"evidence #{second.pk} 'Policy copy' v1 (copy.pdf)",
    )
