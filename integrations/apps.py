from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    """Webhooks to an organisation's own systems (and, next, single sign-on, OSCAL and share
    links): what the app tells the outside world."""

    name = "integrations"
    verbose_name = "Integrations"

    def ready(self):
        from config.events import occurred

        from .services import record_event

        occurred.connect(record_event, dispatch_uid="integrations.record_event")
