"""The gap analysis page of a questionnaire against one framework, and its exports."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.text import slugify

from accounts.middleware import request_memberships
from caiq.models import SsrmOwnership
from caiq.selectors import questionnaire_for_member

from . import exports, selectors

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def gap_analysis(request, pk):
    questionnaire, _membership = questionnaire_for_member(
        request.user, pk, memberships=request_memberships(request)
    )
    choices = list(selectors.framework_choices())
    chosen = request.GET.get("framework")
    framework = selectors.framework_or_404(chosen) if chosen else (choices[0] if choices else None)
    context = {"questionnaire": questionnaire, "choices": choices, "framework": framework}
    if framework is None:
        return render(request, "frameworks/gap_analysis.html", context)
    analysis = selectors.gap_analysis(questionnaire, framework)
    domain = request.GET.get("domain", "")
    domain = domain if domain in analysis.by_domain else ""
    owner = request.GET.get("owner", "")
    owner = owner if owner in SsrmOwnership.values else ""
    shown = analysis.filtered(domain=domain, owner=owner)
    export = request.GET.get("format")
    if export in ("csv", "xlsx"):
        name = f"gap-analysis-{slugify(questionnaire.name)}-{slugify(framework.name)}.{export}"
        body = (
            exports.as_csv(shown)
            if export == "csv"
            else exports.as_xlsx(shown, f"{questionnaire.name}: {framework.name}")
        )
        response = HttpResponse(body, content_type="text/csv" if export == "csv" else XLSX)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    context.update(
        analysis=analysis,
        shown=shown,
        domain=domain,
        owner=owner,
        owners=SsrmOwnership.values,
    )
    return render(request, "frameworks/gap_analysis.html", context)
