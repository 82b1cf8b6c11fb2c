from django.apps import AppConfig


class ConsistencyConfig(AppConfig):
    """Checks of a questionnaire's answers against each other (consistency.rules)."""

    name = "consistency"
    verbose_name = "Consistency checks"

    def ready(self):
        from caiq.readiness import WARNING_SOURCES

        from .selectors import readiness_warnings

        # The readiness report (caiq, a lower app) lists these as warnings that never block an
        # export; caiq cannot import this app, so this app hands it the function.
        if readiness_warnings not in WARNING_SOURCES:
            WARNING_SOURCES.append(readiness_warnings)
