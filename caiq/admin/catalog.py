from django.contrib import admin
from import_export.admin import ExportMixin

from ..models import CatalogVersion, Control, Domain, Question
from ..resources import ControlResource, DomainResource, QuestionResource


class CatalogReadOnlyMixin:
    """Catalog rows come from CSA's workbook only (import page or command), never hand edits,
    and serve every organisation: only the platform's operators (superusers) see them here."""

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CatalogVersion)
class CatalogVersionAdmin(CatalogReadOnlyMixin, admin.ModelAdmin):
    list_display = ("caiq_version", "ccm_version", "is_sample", "source_filename", "imported_at")
    list_filter = ("is_sample",)
    search_fields = ("caiq_version", "source_filename", "source_sha256")
    readonly_fields = ("imported_at",)


@admin.register(Domain)
class DomainAdmin(CatalogReadOnlyMixin, ExportMixin, admin.ModelAdmin):
    resource_classes = [DomainResource]
    list_display = ("code", "title", "version", "position")
    list_filter = ("version",)
    search_fields = ("code", "title")
    list_select_related = ("version",)


@admin.register(Control)
class ControlAdmin(CatalogReadOnlyMixin, ExportMixin, admin.ModelAdmin):
    resource_classes = [ControlResource]
    list_display = ("code", "title", "domain", "version")
    list_filter = ("version", "domain__code")
    search_fields = ("code", "title", "specification")
    list_select_related = ("version", "domain")


@admin.register(Question)
class QuestionAdmin(CatalogReadOnlyMixin, ExportMixin, admin.ModelAdmin):
    resource_classes = [QuestionResource]
    list_display = ("code", "control", "version", "row")
    list_filter = ("version", "control__domain__code")
    search_fields = ("code", "text")
    list_select_related = ("version", "control")
