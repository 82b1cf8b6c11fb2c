"""Integrity of the evidence store: every stored file's bytes re-hashed against its SHA-256.

A file is read from the evidence storage in chunks (never whole into memory), so the check
works the same on local disk and on S3-compatible object storage.
"""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from django.core.files.storage import Storage

from .models import EvidenceVersion, StoredFile
from .storage import evidence_storage

CHUNK = 64 * 1024


class ProblemKind(StrEnum):
    MISMATCH = "mismatch"
    MISSING = "missing"


@dataclass(frozen=True)
class Problem:
    """One stored file whose bytes are gone or no longer match the recorded SHA-256."""

    kind: ProblemKind
    stored_file_id: int
    organization: str
    storage_name: str
    expected_sha256: str
    actual_sha256: str | None
    used_by: tuple[str, ...]

    def describe(self) -> str:
        actual = self.actual_sha256 or "(file missing)"
        used_by = "; ".join(self.used_by) or "no evidence item"
        return (
            f"{self.kind.upper()}: stored file #{self.stored_file_id} of {self.organization}, "
            f"storage name {self.storage_name}\n"
            f"  expected sha256 {self.expected_sha256}\n"
            f"  actual   sha256 {actual}\n"
            f"  used by {used_by}"
        )


@dataclass
class IntegrityReport:
    checked: int = 0
    problems: list[Problem] = field(default_factory=list)

    def count(self, kind: ProblemKind) -> int:
        return sum(1 for problem in self.problems if problem.kind == kind)

    def summary(self) -> str:
        return (
            f"Checked {self.checked} files: {self.count(ProblemKind.MISMATCH)} mismatches, "
            f"{self.count(ProblemKind.MISSING)} missing"
        )


def sha256_of(chunks: Iterable[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
    return digest.hexdigest()


def _used_by(stored: StoredFile) -> tuple[str, ...]:
    versions = (
        EvidenceVersion.objects.filter(stored_file=stored)
        .select_related("evidence")
        .order_by("evidence_id", "number")
    )
    return tuple(
        f"evidence #{v.evidence_id} {v.evidence.title!r} v{v.number} ({v.original_filename})"
        for v in versions
    )


def evidence_verify(*, storage: Storage | None = None) -> IntegrityReport:
    """Re-hash every StoredFile; report each one that is missing or whose bytes changed."""
    storage = storage or evidence_storage()
    report = IntegrityReport()
    stored_files = StoredFile.objects.select_related("organization").order_by("pk")
    for stored in stored_files.iterator(chunk_size=500):
        report.checked += 1
        try:
            with storage.open(stored.storage_name, "rb") as handle:
                actual = sha256_of(handle.chunks(CHUNK))
        except FileNotFoundError:
            kind, actual = ProblemKind.MISSING, None
        else:
            if actual == stored.sha256:
                continue
            kind = ProblemKind.MISMATCH
        report.problems.append(
            Problem(
                kind=kind,
                stored_file_id=stored.pk,
                organization=f"{stored.organization.name} ({stored.organization.slug})",
                storage_name=stored.storage_name,
                expected_sha256=stored.sha256,
                actual_sha256=actual,
                used_by=_used_by(stored),
            )
        )
    return report
