from django.apps import AppConfig


class ConsistencyConfig(AppConfig):
    """Checks of a questionnaire's answers against each other (consistency.rules)."""

    name = "consistency"
    verbose_name = "Consistency checks"

    def ready(self):
        from caiq.presentation import ANSWER_NOTE_SOURCES
        from caiq.readiness import WARNING_SOURCES

        from .selectors import fill_page_notes, readiness_warnings

        # The readiness report and the fill page (caiq, a lower app) show these as warnings that
        # never block an export; caiq cannot import this app, so this app hands them over.
        for sources, function in (
            (WARNING_SOURCES, readiness_warnings),
            (ANSWER_NOTE_SOURCES, fill_page_notes),
        ):
            if function not in sources:
                sources.append(function)
