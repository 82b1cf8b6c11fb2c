"""Tenancy for the Django admin: staff who are not superusers see their organisations only."""

from django.contrib.auth import get_user_model
from django.http import Http404

from .models import Organization
from .selectors import organizations_for, scope_to_user, users_visible_to


class TenantScopedAdminMixin:
    """Narrows a ModelAdmin (or inline) to the organisations the staff user belongs to.

    Set ``tenant_path`` to the lookup from the model to its Organization, as for
    ``scope_to_user``: ``"organization"`` (the default), ``"questionnaire__organization"``, or
    ``""`` on the Organization admin itself. Superusers see everything.
    """

    tenant_path = "organization"

    def scope_queryset(self, queryset, user):
        """The rows ``user`` may see; override when the path to Organization is not a lookup."""
        return scope_to_user(queryset, user, via=self.tenant_path)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return self.scope_queryset(queryset, request.user)

    def get_object(self, request, object_id, from_field=None):
        # The admin would redirect to the changelist with "perhaps it was deleted"; another
        # organisation's object must look exactly like one that does not exist: 404.
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404("No such object.")
        return obj

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Choices are also what the form accepts, so a forged id of another tenant is refused.
        if not request.user.is_superuser:
            if db_field.related_model is Organization:
                kwargs["queryset"] = organizations_for(request.user)
            elif db_field.related_model is get_user_model():
                kwargs["queryset"] = users_visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ReadOnlyAdminMixin:
    """Records the admin shows but never adds, edits or deletes by hand (history, the audit
    log, tokens): each is written by the service that acts, or not at all."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
