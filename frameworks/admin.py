"""The imported mappings, read-only for staff: they change only by importing CSA's workbook."""

from django.contrib import admin

from .models import CcmVersion, ControlMapping, Framework


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CcmVersion)
class CcmVersionAdmin(ReadOnly):
    list_display = ("version", "source_filename", "imported_at", "imported_by")


@admin.register(Framework)
class FrameworkAdmin(ReadOnly):
    list_display = ("name", "ccm_version", "position")
    list_filter = ("ccm_version",)


@admin.register(ControlMapping)
class ControlMappingAdmin(ReadOnly):
    list_display = ("control_id", "framework", "gap_level")
    list_filter = ("framework__ccm_version", "framework", "gap_level")
    search_fields = ("control_id", "requirements__code")
    list_select_related = ("framework",)
