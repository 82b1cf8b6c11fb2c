"""Serving evidence: only through an authorised view, always as a download.

Every response is an attachment with an allow-listed content type, ``nosniff`` and a sandboxing
Content-Security-Policy, so nothing uploaded can ever render as a page on this site.
"""

import logging

from django.http import FileResponse, Http404

from .models import EvidenceVersion
from .storage import evidence_storage
from .validation import BY_MIME

FALLBACK_TYPE = "application/octet-stream"
logger = logging.getLogger(__name__)


def download_response(version: EvidenceVersion) -> FileResponse:
    stored = version.stored_file
    content_type = stored.content_type if stored.content_type in BY_MIME else FALLBACK_TYPE
    try:
        handle = evidence_storage().open(stored.storage_name, "rb")
    except (FileNotFoundError, OSError) as exc:
        # verify_evidence reports such files; the user gets a plain "not found", not a 500.
        logger.error("Evidence file %s is missing from storage: %s", stored.storage_name, exc)
        raise Http404("This file is missing from storage.") from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=version.original_filename,
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    response["Content-Length"] = str(stored.size)
    return response
