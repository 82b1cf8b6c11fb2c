from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError

from . import services
from .admin_mixins import TenantScopedAdminMixin
from .forms import AdminLoginForm, UserAdminChangeForm, UserAdminCreationForm
from .models import Invitation, Membership, Organization, Role, User
from .selectors import users_visible_to

admin.site.login_form = AdminLoginForm


def _is_last_admin(membership: Membership) -> bool:
    return (
        membership.role == Role.ADMIN
        and not Membership.objects.filter(
            organization_id=membership.organization_id, role=Role.ADMIN
        )
        .exclude(pk=membership.pk)
        .exists()
    )


@admin.register(User)
class UserAdmin(TenantScopedAdminMixin, BaseUserAdmin):
    form = UserAdminChangeForm
    add_form = UserAdminCreationForm
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Personal info", {"fields": ("name",)}),
        (
            "Permissions",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "name", "usable_password", "password1", "password2"),
            },
        ),
    )
    list_display = ("email", "name", "is_staff", "is_active", "last_login")
    list_filter = ("is_staff", "is_active")
    search_fields = ("email", "name")
    ordering = ("email",)
    # Fields that grant power: only a superuser may hand them out, even to themselves.
    privilege_fields = ("is_staff", "is_superuser", "groups", "user_permissions")

    def scope_queryset(self, queryset, user):
        return queryset.filter(pk__in=users_visible_to(user).values("pk"))

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if request.user.is_superuser:
            return readonly
        return (*readonly, *self.privilege_fields)

    def has_add_permission(self, request):
        # People join organisations through invitations; an account created here would belong
        # to no organisation, so other staff could not even see it again.
        return request.user.is_superuser

    # An account may belong to other organisations too: changing its e-mail or password, or
    # deleting it, would reach into tenants this staff member cannot see. Only superusers may,
    # and other staff may edit their own account.
    def has_change_permission(self, request, obj=None):
        if obj is not None and not request.user.is_superuser and obj.pk != request.user.pk:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


class MembershipInline(TenantScopedAdminMixin, admin.TabularInline):
    """Who belongs to the organisation; roles change on the Membership admin or members page."""

    model = Membership
    fields = ("user", "role", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


@admin.register(Organization)
class OrganizationAdmin(TenantScopedAdminMixin, admin.ModelAdmin):
    tenant_path = ""
    list_display = ("name", "slug", "created_at")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [MembershipInline]

    # Creating or deleting a tenant is a platform operator's job: an organisation created by
    # other staff would have no member (so be invisible to them), and deleting one cascades
    # to every questionnaire and piece of evidence it owns.
    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


class MembershipAdminForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ("user", "organization", "role")

    def clean_role(self):
        role = self.cleaned_data["role"]
        if self.instance.pk and role != Role.ADMIN and _is_last_admin(self.instance):
            raise ValidationError("This is the organisation's only admin: promote someone first.")
        return role


@admin.register(Membership)
class MembershipAdmin(TenantScopedAdminMixin, admin.ModelAdmin):
    form = MembershipAdminForm
    list_display = ("user", "organization", "role", "created_at")
    list_filter = ("role",)
    list_select_related = ("user", "organization")
    search_fields = ("user__email", "user__name", "organization__name", "organization__slug")
    autocomplete_fields = ("user", "organization")

    def get_readonly_fields(self, request, obj=None):
        # A membership belongs to one person in one organisation; only its role ever changes.
        return ("user", "organization", "created_at") if obj else ("created_at",)

    def save_model(self, request, obj, form, change):
        if change:
            services.membership_change_role(membership=obj, role=obj.role, changed_by=request.user)
        else:
            super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and _is_last_admin(obj):
            return False
        return super().has_delete_permission(request, obj)

    def delete_model(self, request, obj):
        services.membership_remove(membership=obj, removed_by=request.user)

    def get_actions(self, request):
        # Bulk deletion would skip the "never leave an organisation without an admin" rule.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


@admin.register(Invitation)
class InvitationAdmin(TenantScopedAdminMixin, admin.ModelAdmin):
    """Read-only: invitations are sent from the members page, which e-mails the only copy of
    the token. The token's hash is never shown."""

    list_display = ("email", "organization", "role", "invited_by", "expires_at", "accepted_at")
    list_filter = ("role",)
    list_select_related = ("organization", "invited_by")
    search_fields = ("email", "organization__name", "organization__slug")
    exclude = ("token_hash",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# The ApiToken admin has its own module; importing it registers it.
from . import admin_audit, admin_tokens  # noqa: E402, F401
