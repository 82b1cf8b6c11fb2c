from django.apps import AppConfig


class DashboardConfig(AppConfig):
    """The home page, above the apps whose figures it shows (accounts, caiq, evidence)."""

    name = "dashboard"
    verbose_name = "Dashboard"
