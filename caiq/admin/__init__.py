"""Django admin for the catalog (read-only, exportable) and for questionnaires (tenant-scoped)."""

from . import catalog, questionnaires  # noqa: F401 - registers the ModelAdmins
