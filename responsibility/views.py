"""The customer responsibility matrix page and its XLSX download; the PDF is a background job
started from the page (caiq's jobs, listed on the questionnaire's export page)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.middleware import request_memberships
from caiq.downloads import attachment
from caiq.models import JobKind
from caiq.selectors import questionnaire_for_member

from . import exports, selectors
from .matrix import EMPTY_MESSAGE


@login_required
@require_GET
def matrix_page(request, pk):
    questionnaire, _membership = questionnaire_for_member(
        request.user, pk, memberships=request_memberships(request)
    )
    domains = selectors.customer_matrix(questionnaire)
    if request.GET.get("format") == "xlsx":
        made = exports.download(questionnaire, domains, "xlsx")
        return attachment(made.body, made.name)
    return render(
        request,
        "responsibility/matrix.html",
        {
            "questionnaire": questionnaire,
            "domains": domains,
            "count": sum(len(d.rows) for d in domains),
            "empty_message": EMPTY_MESSAGE,
            "pdf_kind": JobKind.EXPORT_RESPONSIBILITY_PDF,
        },
    )
