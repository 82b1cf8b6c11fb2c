"""API tokens in the admin: read-only, tenant-scoped, with a bulk "Revoke".

Tokens are created on the token pages (the secret is shown once there); the admin never shows
the hash. Staff who are not superusers see their organisations' tokens only; tokens owned by a
person are visible to superusers alone (they belong to no organisation).
"""

from django.contrib import admin, messages

from .admin_mixins import ReadOnlyAdminMixin, TenantScopedAdminMixin
from .models import ApiToken, Role
from .selectors import memberships_for
from .tokens import api_token_revoke


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdminMixin, TenantScopedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "owner", "scope", "prefix", "last_used_at", "revoked_at")
    list_filter = ("scope",)
    list_select_related = ("organization", "user")
    search_fields = ("name", "prefix", "organization__name", "user__email")
    fields = (
        "name",
        "organization",
        "user",
        "service_user",
        "scope",
        "prefix",
        "created_by",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    )
    readonly_fields = fields
    actions = ["revoke"]

    @admin.display(description="Owner")
    def owner(self, token: ApiToken) -> str:
        return str(token.organization or token.user)

    # Read-only, and never deleted: revoke instead, so a revoked row keeps the record of who
    # had access and until when.

    @admin.action(description="Revoke the selected tokens", permissions=["view"])
    def revoke(self, request, queryset):
        # Staff revoke only where they are admins of the token's organisation.
        admin_of = set(
            memberships_for(request.user)
            .filter(role=Role.ADMIN)
            .values_list("organization_id", flat=True)
        )
        revoked = skipped = 0
        for token in queryset.filter(revoked_at__isnull=True):
            if request.user.is_superuser or token.organization_id in admin_of:
                api_token_revoke(token=token, revoked_by=request.user)
                revoked += 1
            else:
                skipped += 1
        self.message_user(request, f"{revoked} token(s) revoked.", messages.SUCCESS)
        if skipped:
            self.message_user(
                request,
                f"{skipped} token(s) left alone: only the organisation's admins may revoke them.",
                messages.WARNING,
            )
