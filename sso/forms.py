from urllib.parse import urlsplit

from django import forms

from accounts.domains import parse_domains
from accounts.models import Role

from .models import OrganizationSSO
from .selectors import config_for_email, config_for_slug

LOOPBACK = {"localhost", "127.0.0.1", "::1"}


class SSOStartForm(forms.Form):
    """The "Sign in with SSO" box: the organisation, from an address's domain or the
    organisation's short name."""

    identifier = forms.CharField(label="Work e-mail or organisation", max_length=254)

    def clean_identifier(self):
        value = self.cleaned_data["identifier"].strip()
        config = config_for_email(value) if "@" in value else config_for_slug(value.lower())
        if config is None:
            raise forms.ValidationError(
                "No organisation signs in with single sign-on for that address or name."
            )
        self.config = config
        return value


class SSOConfigForm(forms.Form):
    issuer = forms.URLField(
        label="Issuer URL",
        max_length=500,
        assume_scheme="https",
        help_text="Its /.well-known/openid-configuration is read from here.",
    )
    client_id = forms.CharField(label="Client ID", max_length=255)
    client_secret = forms.CharField(
        label="Client secret",
        max_length=500,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    domains = forms.CharField(
        label="Allowed e-mail domains",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One per line. Only verified addresses in these domains may sign in.",
    )
    default_role = forms.ChoiceField(
        label="Role of new members", choices=Role.choices, initial=Role.VIEWER
    )
    enabled = forms.BooleanField(label="Single sign-on is on", required=False, initial=True)
    enforced = forms.BooleanField(
        label="Mandatory: members may not use a password (superusers still may)", required=False
    )

    def clean_issuer(self):
        issuer = self.cleaned_data["issuer"]
        parts = urlsplit(issuer)
        # Plain HTTP only for a provider on this machine (development, the tests).
        if parts.scheme != "https" and parts.hostname not in LOOPBACK:
            raise forms.ValidationError("The issuer URL must start with https://.")
        return issuer

    def clean_domains(self):
        return parse_domains(self.cleaned_data["domains"])

    @classmethod
    def initial_for(cls, config: OrganizationSSO | None) -> dict:
        if config is None:
            return {}
        return {
            "issuer": config.issuer,
            "client_id": config.client_id,
            "domains": "\n".join(config.domains.values_list("domain", flat=True)),
            "default_role": config.default_role,
            "enabled": config.enabled,
            "enforced": config.enforced,
        }
