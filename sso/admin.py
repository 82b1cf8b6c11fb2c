from allauth.socialaccount.models import SocialApp, SocialToken
from django import forms
from django.contrib import admin

from .models import OrganizationSSO, SSODomain


class SSODomainInline(admin.TabularInline):
    model = SSODomain
    extra = 1


class OrganizationSSOForm(forms.ModelForm):
    """The secret is written, never shown: empty keeps the saved one."""

    issuer = forms.URLField(label="Issuer URL", max_length=500, assume_scheme="https")
    client_secret = forms.CharField(
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Not shown once saved: leave empty to keep the saved secret.",
    )

    class Meta:
        model = OrganizationSSO
        fields = (
            "organization",
            "issuer",
            "client_id",
            "client_secret",
            "default_role",
            "enabled",
            "enforced",
        )

    def clean_client_secret(self):
        secret = self.cleaned_data["client_secret"]
        if not secret and not (self.instance.pk and self.instance.client_secret):
            raise forms.ValidationError("Enter the client secret.")
        return secret or self.instance.client_secret


@admin.register(OrganizationSSO)
class OrganizationSSOAdmin(admin.ModelAdmin):
    """Platform operators only: a provider vouches for people, so an organisation's own admins
    change theirs on /orgs/<slug>/sso/, where the service's checks apply."""

    form = OrganizationSSOForm
    list_display = ("organization", "issuer", "default_role", "enabled", "enforced")
    list_filter = ("enabled", "enforced")
    search_fields = ("organization__name", "organization__slug", "issuer")
    list_select_related = ("organization",)
    inlines = [SSODomainInline]

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None):
        return self.has_module_permission(request)


# Providers come from OrganizationSSO (sso.adapter), never from allauth's own app table, and no
# provider token is stored: their admin pages would only mislead.
for model in (SocialApp, SocialToken):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
