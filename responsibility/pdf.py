"""HTML to a print-ready PDF with WeasyPrint (Pango lays out the text, Debian's DejaVu fonts
draw it; bin/_pdf.sh installs both). Chosen over a pure-Python renderer for its CSS paged
media: page size and margins, running headers and "page N of M", table headers repeated on
every page. The HTML is ours and self-contained: nothing is ever fetched while rendering."""

from django.core.exceptions import ImproperlyConfigured


def _refuse(url: str, *args, **kwargs):
    # User text is escaped into the template, but a stray URL must never become a request.
    raise ValueError(f"PDF rendering fetches nothing ({url[:40]}).")


def html_to_pdf(html: str) -> bytes:
    try:
        from weasyprint import HTML
    except OSError as error:  # the Python package is installed; Debian's Pango is not
        raise ImproperlyConfigured(
            "PDF export needs Pango and the DejaVu fonts: run bin/_pdf.sh "
            "(apt-get install libpango-1.0-0 libpangoft2-1.0-0 fontconfig fonts-dejavu-core)."
        ) from error
    return HTML(string=html, url_fetcher=_refuse).write_pdf()
