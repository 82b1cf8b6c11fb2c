from django.apps import AppConfig


class LibraryConfig(AppConfig):
    """The answer library: an organisation's earlier answers to the same question, to reuse."""

    name = "library"
    verbose_name = "Answer library"

    def ready(self):
        from caiq.presentation import ANSWER_PANELS

        # Every answer card (caiq, a lower app) offers the library's suggestions; caiq cannot
        # import this app, so this app hands its panel over.
        if PANEL not in ANSWER_PANELS:
            ANSWER_PANELS.append(PANEL)


PANEL = "library/_panel.html"
