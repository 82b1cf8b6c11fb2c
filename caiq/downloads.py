"""Downloads: a finished job's result file, or bytes written during the request (pages and
API alike), always as an attachment of a known type, never sniffed."""

from dataclasses import dataclass

from django.http import FileResponse, Http404, HttpResponse
from django.utils.http import content_disposition_header

from audit.models import EventKind
from audit.services import audit_record

from .models import Job, JobKind, JobStatus


@dataclass(frozen=True)
class Download:
    """A file written during the request: its name (the extension gives its type) and bytes."""

    name: str
    body: bytes


CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
    "json": "application/json",
    "pdf": "application/pdf",
}


def job_result_response(job: Job, user) -> FileResponse:
    """Always an attachment with a known type, never sniffed, never cached; every download of
    an export is in the organisation's audit log (who took the answers out, and from where)."""
    if job.status != JobStatus.SUCCEEDED or not job.result:
        raise Http404("This job has no result to download.")
    if job.kind != JobKind.IMPORT_XLSX:
        audit_record(
            EventKind.EXPORT_DOWNLOADED,
            organization=job.organization,
            actor=user,
            target=job.questionnaire,
            details={"job": job.pk, "kind": job.kind, "filename": job.result_name},
        )
    extension = job.result_name.rpartition(".")[2]
    response = FileResponse(
        job.result.open("rb"),
        as_attachment=True,
        filename=job.result_name,
        content_type=CONTENT_TYPES.get(extension, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def attachment(body: bytes, filename: str) -> HttpResponse:
    """Bytes written during the request (a gap analysis, a responsibility matrix) as a file,
    its type from its extension, as a job's result is served."""
    extension = filename.rpartition(".")[2]
    response = HttpResponse(
        body, content_type=CONTENT_TYPES.get(extension, "application/octet-stream")
    )
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response
