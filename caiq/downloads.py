"""A finished job's result file as a download (pages and API alike)."""

from django.http import FileResponse, Http404

from .models import Job, JobStatus

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
    "json": "application/json",
}


def job_result_response(job: Job) -> FileResponse:
    """Always an attachment with a known type, never sniffed, never cached."""
    if job.status != JobStatus.SUCCEEDED or not job.result:
        raise Http404("This job has no result to download.")
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
