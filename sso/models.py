from django.db import models
from django.db.models.functions import Lower

from accounts.models import Organization, Role


class OrganizationSSO(models.Model):
    """An organisation's OpenID Connect identity provider, for single sign-on.

    django-allauth speaks the protocol: ``sso.adapter`` turns each enabled row into an
    ``openid_connect`` app whose provider id is ``org-<slug>``. Whoever the provider vouches for,
    with a verified address in one of ``domains``, joins the organisation with ``default_role``
    on first sign-in. ``enforced`` refuses the password form to the organisation's members
    (superusers excepted); it needs ``enabled``, or nobody could sign in at all.

    The client secret is stored as given (the provider needs it back in clear text, as
    allauth's own SocialApp stores it) and never shown again after saving.
    """

    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="sso")
    issuer = models.URLField("issuer URL", max_length=500)
    client_id = models.CharField("client ID", max_length=255)
    client_secret = models.CharField(max_length=500)
    default_role = models.CharField(max_length=20, choices=Role.choices, default=Role.VIEWER)
    enabled = models.BooleanField(default=True)
    enforced = models.BooleanField("mandatory", default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "single sign-on configuration"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(default_role__in=Role.values),
                name="organization_sso_default_role_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(enforced=False) | models.Q(enabled=True),
                name="organization_sso_enforced_needs_enabled",
            ),
        ]

    def __str__(self) -> str:
        return f"Single sign-on of {self.organization}"

    @property
    def provider_id(self) -> str:
        """allauth's name for this provider: in its URLs and on each linked account."""
        return f"org-{self.organization.slug}"


class SSODomain(models.Model):
    """An e-mail domain whose people may sign in through one organisation's provider.

    A domain belongs to at most one organisation: "Sign in with SSO" finds the organisation
    from the address typed, and two organisations' providers must never vouch for one person.
    """

    config = models.ForeignKey(OrganizationSSO, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(max_length=253)

    class Meta:
        ordering = ["domain"]
        constraints = [
            models.UniqueConstraint(Lower("domain"), name="sso_domain_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.domain
