"""The matrix's files: the XLSX, written during the request (tens of milliseconds), and the
PDF, written by a background job (caiq's jobs; seconds for a questionnaire with long
descriptions)."""

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from caiq.downloads import Download
from caiq.models import Questionnaire

from . import pdf, selectors, xlsx
from .matrix import EMPTY_MESSAGE, Domain


def _subtitle(questionnaire: Questionnaire, today) -> str:
    return (
        f"{questionnaire.service_name} · CAIQ v{questionnaire.version.caiq_version} · "
        f"{questionnaire.get_status_display()} · {today:%Y-%m-%d}"
    )


def download(questionnaire: Questionnaire, domains: list[Domain], kind: str) -> Download:
    """``kind`` is "xlsx" or "pdf"; ``questionnaire`` comes with its version."""
    today = timezone.localdate()
    title = f"Customer responsibility matrix: {questionnaire.name}"
    subtitle = _subtitle(questionnaire, today)
    name = f"customer-responsibilities-{slugify(questionnaire.name) or questionnaire.pk}.{kind}"
    if kind == "xlsx":
        body = xlsx.as_xlsx(domains, title=title, subtitle=subtitle)
    else:
        html = render_to_string(
            "responsibility/matrix_pdf.html",
            {
                "title": title,
                "subtitle": subtitle,
                "domains": domains,
                "count": sum(len(d.rows) for d in domains),
                "empty_message": EMPTY_MESSAGE,
            },
        )
        body = pdf.html_to_pdf(html)
    return Download(name, body)


def pdf_export(questionnaire: Questionnaire) -> tuple[str, bytes]:
    """The background job's export (registered in caiq.services.jobs.OTHER_EXPORTS)."""
    made = download(questionnaire, selectors.customer_matrix(questionnaire), "pdf")
    return made.name, made.body
