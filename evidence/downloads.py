"""Serving evidence: only through an authorised view, always as a download.

Every response is an attachment with an allow-listed content type, ``nosniff`` and a sandboxing
Content-Security-Policy, so nothing uploaded can ever render as a page on this site.
"""

from django.http import FileResponse

from .models import EvidenceVersion
from .storage import evidence_storage
from .validation import BY_MIME

FALLBACK_TYPE = "application/octet-stream"


def download_response(version: EvidenceVersion) -> FileResponse:
    stored = version.stored_file
    content_type = stored.content_type if stored.content_type in BY_MIME else FALLBACK_TYPE
    response = FileResponse(
        evidence_storage().open(stored.storage_name, "rb"),
        as_attachment=True,
        filename=version.original_filename,
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    response["Content-Length"] = str(stored.size)
    return response
