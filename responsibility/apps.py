from django.apps import AppConfig


class ResponsibilityConfig(AppConfig):
    """The customer responsibility matrix: what a questionnaire leaves to the customer."""

    name = "responsibility"
    verbose_name = "Customer responsibility matrix"

    def ready(self):
        from caiq.models import JobKind
        from caiq.services.jobs import OTHER_EXPORTS

        from .exports import pdf_export

        # The PDF is written by caiq's background jobs (a lower app, which cannot import this
        # one): this app hands its writer over.
        OTHER_EXPORTS[JobKind.EXPORT_RESPONSIBILITY_PDF] = pdf_export
