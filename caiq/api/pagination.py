"""Pagination for the API: keyset cursors for answers, page numbers for short lists.

Answers are pulled by GRC systems in ``updated_at`` order to sync what changed. DRF's
CursorPagination keys its cursor on the first ordering field only and skips ties by an offset;
when a row in a run of equal timestamps is updated mid-walk, that offset then skips a row the
client never saw. ``KeysetCursorPagination`` keys on the whole (updated_at, id) pair instead:
the next page is ``updated_at > t OR (updated_at = t AND id > i)``, which no update can shift.

What a walk guarantees (forward only, which is all a sync needs):

- every answer that exists when the walk starts is returned at least once;
- an answer not changed during the walk is returned exactly once;
- an answer changed after it was returned moves behind the cursor's end and is returned
  again, later in the same walk, with its newer revision (so the last copy seen is current);
- an answer changed before the cursor reached it is returned once, at its new place.
"""

import datetime
from base64 import b64decode, b64encode
from urllib import parse

from django.db.models import Q
from django.utils.dateparse import parse_datetime
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.utils.urls import replace_query_param


class KeysetCursorPagination(CursorPagination):
    """Forward-only cursor on (updated_at, id); ``page_size`` up to 1000, 100 by default."""

    ordering = ("updated_at", "id")
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
    invalid_cursor_message = "Invalid cursor."

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.base_url = request.build_absolute_uri()
        self.page_size = self.get_page_size(request)
        after = self._decode(request.query_params.get(self.cursor_query_param))
        queryset = queryset.order_by(*self.ordering)
        if after is not None:
            moment, pk = after
            # The redundant ``updated_at >= moment`` lets the database start its index range at
            # the cursor; from the OR alone PostgreSQL scans from the walk's start and filters,
            # so each page of an org-wide pull cost more than the one before.
            queryset = queryset.filter(
                Q(updated_at__gte=moment),
                Q(updated_at__gt=moment) | Q(updated_at=moment, id__gt=pk),
            )
        rows = list(queryset[: self.page_size + 1])
        self.has_next = len(rows) > self.page_size
        self.page = rows[: self.page_size]
        # Attributes CursorPagination's own helpers (and drf-spectacular) look at.
        self.has_previous, self.cursor = False, None
        return self.page

    def get_next_link(self):
        if not self.has_next:
            return None
        last = self.page[-1]  # a model instance, or a row from .values()
        moment, pk = (
            (last["updated_at"], last["id"])
            if isinstance(last, dict)
            else (last.updated_at, last.pk)
        )
        token = f"{moment.isoformat()}|{pk}"
        encoded = b64encode(parse.urlencode({"k": token}).encode()).decode()
        return replace_query_param(self.base_url, self.cursor_query_param, encoded)

    def get_previous_link(self):
        return None

    def get_html_context(self):
        return {"previous_url": None, "next_url": self.get_next_link()}

    def _decode(self, encoded: str | None) -> tuple[datetime.datetime, int] | None:
        if not encoded:
            return None
        try:
            query = parse.parse_qs(b64decode(encoded.encode()).decode(), keep_blank_values=True)
            moment_text, _sep, pk_text = query["k"][0].rpartition("|")
            moment = parse_datetime(moment_text)
            pk = int(pk_text)
        except (KeyError, ValueError, TypeError, UnicodeDecodeError) as exc:
            raise NotFound(self.invalid_cursor_message) from exc
        if moment is None or moment.tzinfo is None or not 0 < pk < 2**63:
            raise NotFound(self.invalid_cursor_message)
        return moment, pk

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.cursor_query_param:
                parameter["description"] = (
                    "Opaque cursor from the previous page's `next` link. Pages are ordered by "
                    "(updated_at, id); an answer changed after you received it comes again "
                    "later in the same walk."
                )
        return parameters


class PagePagination(PageNumberPagination):
    """Numbered pages for lists that are short or not synced (catalog, questionnaires, jobs)."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
