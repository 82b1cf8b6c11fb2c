from django.apps import AppConfig


class FrameworksConfig(AppConfig):
    """CSA's CCM mappings to other frameworks (ISO 27001, SOC 2, NIST...) and gap analysis."""

    name = "frameworks"
    verbose_name = "Framework mappings"
