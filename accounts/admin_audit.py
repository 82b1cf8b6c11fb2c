"""The audit log in the Django admin: read-only, scoped to the staff user's organisations.

Platform events (catalog imports, no organisation) are seen by superusers only: the tenancy
scope reaches events through their organisation.
"""

from django.contrib import admin

from audit.models import AuditEvent

from .admin_mixins import ReadOnlyAdminMixin, TenantScopedAdminMixin


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, TenantScopedAdminMixin, admin.ModelAdmin):
    list_display = (
        "occurred_at",
        "organization",
        "actor_label",
        "kind",
        "target_label",
        "address",
    )
    # RelatedOnly: the choices come from the scoped rows, never every organisation's name.
    list_filter = ("kind", ("organization", admin.RelatedOnlyFieldListFilter))
    search_fields = ("actor_label", "target_label")
    date_hierarchy = "occurred_at"
    list_select_related = ("organization",)
    fields = (
        "occurred_at",
        "organization",
        "actor_label",
        "kind",
        "target_type",
        "target_id",
        "target_label",
        "details",
        "address",
    )
    readonly_fields = fields
