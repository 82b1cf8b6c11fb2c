"""Evidence in the admin: tenant-scoped, metadata edits through evidence.services, no file upload.

Files only ever arrive through evidence.services (type checks from the bytes, virus scan,
content-addressed storage), so nothing here has a file field: stored files, versions and links
are read-only, and items are created on the library page.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.admin_mixins import TenantScopedAdminMixin
from accounts.selectors import memberships_for

from . import services
from .models import Evidence, EvidenceKind, EvidenceLink, EvidenceVersion, StoredFile

EDITABLE_FIELDS = ("title", "description", "url", "owner", "valid_from", "valid_until")


class ReadOnlyAdminMixin:
    """Visible to staff with the view permission; never added, changed or deleted here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class VersionInline(ReadOnlyAdminMixin, TenantScopedAdminMixin, admin.TabularInline):
    model = EvidenceVersion
    tenant_path = "evidence__organization"
    fields = ("number", "original_filename", "stored_file", "uploaded_by", "uploaded_at")
    readonly_fields = fields
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("stored_file", "uploaded_by")


class EvidenceAdminForm(forms.ModelForm):
    url = forms.URLField(label="Link", max_length=2000, required=False, assume_scheme="https")

    class Meta:
        model = Evidence
        fields = EDITABLE_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.kind == EvidenceKind.FILE and "url" in self.fields:
            # A file changes by uploading a version on its page, never here.
            self.fields["url"].disabled = True

    def clean(self):
        cleaned = super().clean()
        if self.instance.kind == EvidenceKind.LINK and not cleaned.get("url"):
            self.add_error("url", "A link needs its address.")
        return cleaned


@admin.register(Evidence)
class EvidenceAdmin(TenantScopedAdminMixin, admin.ModelAdmin):
    form = EvidenceAdminForm
    list_display = ("title", "organization", "kind", "owner", "valid_until")
    list_filter = ("kind", "valid_until")
    search_fields = ("title",)
    list_select_related = ("organization", "owner")
    fields = ("organization", "kind", *EDITABLE_FIELDS, "last_reminded_on", "updated_at")
    readonly_fields = ("organization", "kind", "last_reminded_on", "updated_at")
    inlines = [VersionInline]

    def has_add_permission(self, request):
        # A file must go through the upload checks: add evidence on the library page.
        return False

    def has_delete_permission(self, request, obj=None):
        # Deleting drops its links from answers and orphans stored bytes: superusers only.
        return request.user.is_superuser

    def save_model(self, request, obj, form, change):
        membership = memberships_for(request.user).filter(organization_id=obj.organization_id)
        membership = membership.first()
        if membership is None:
            self.message_user(
                request, "Not saved: only members of its organisation can edit it.", messages.ERROR
            )
            return
        current = Evidence.objects.get(pk=obj.pk)
        values = {f: form.cleaned_data[f] for f in form.changed_data if f in EDITABLE_FIELDS}
        try:
            services.evidence_update(evidence=current, membership=membership, **values)
        except (ValidationError, PermissionDenied) as error:
            text = " ".join(getattr(error, "messages", [str(error)]))
            self.message_user(request, f"Not saved: {text}", messages.ERROR)


@admin.register(EvidenceVersion)
class EvidenceVersionAdmin(ReadOnlyAdminMixin, TenantScopedAdminMixin, admin.ModelAdmin):
    tenant_path = "evidence__organization"
    list_display = ("evidence", "number", "original_filename", "uploaded_by", "uploaded_at")
    search_fields = ("evidence__title", "original_filename")
    list_select_related = ("evidence", "uploaded_by")


@admin.register(StoredFile)
class StoredFileAdmin(ReadOnlyAdminMixin, TenantScopedAdminMixin, admin.ModelAdmin):
    list_display = ("sha256", "organization", "size", "content_type", "created_at")
    list_filter = ("content_type",)
    search_fields = ("sha256",)
    list_select_related = ("organization",)


@admin.register(EvidenceLink)
class EvidenceLinkAdmin(ReadOnlyAdminMixin, TenantScopedAdminMixin, admin.ModelAdmin):
    """Links are attached and detached on the fill page, by contributors."""

    tenant_path = "evidence__organization"
    list_display = ("evidence", "answer", "linked_by", "linked_at")
    search_fields = ("evidence__title", "answer__question__code")
    list_select_related = ("evidence", "answer__question", "linked_by")
