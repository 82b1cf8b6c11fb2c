"""The gap analysis page of a questionnaire against one framework, and its exports."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods

from accounts.middleware import request_memberships
from caiq.downloads import attachment
from caiq.models import SsrmOwnership
from caiq.selectors import questionnaire_for_member
from caiq.views.catalog import platform_operator_required
from config.charts import Bar, Part, stacked_bars

from . import exports, selectors
from .forms import CcmUploadForm
from .gaps import COVERED, UNCOVERED
from .models import CcmVersion
from .services import CcmImportError, ccm_import

COVERAGE_PARTS = (Part("Covered", "covered"), Part("Uncovered", "uncovered"))


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
    # The chosen framework and its siblings of the same CCM version (the per-framework chart).
    siblings = [f for f in choices if f.ccm_version_id == framework.ccm_version_id]
    analyses = selectors.gap_analyses(questionnaire, siblings)
    analysis = analyses[framework.pk]
    domain = request.GET.get("domain", "")
    domain = domain if domain in analysis.by_domain else ""
    owner = request.GET.get("owner", "")
    owner = owner if owner in SsrmOwnership.values else ""
    status = request.GET.get("status", "")
    status = status if status in (COVERED, UNCOVERED) else ""
    shown = analysis.filtered(domain=domain, owner=owner, status=status)
    export = request.GET.get("format")
    if export in ("csv", "xlsx"):
        name = f"gap-analysis-{slugify(questionnaire.name)}-{slugify(framework.name)}.{export}"
        body = (
            exports.as_csv(shown)
            if export == "csv"
            else exports.as_xlsx(shown, f"{questionnaire.name}: {framework.name}")
        )
        return attachment(body, name)
    context.update(
        analysis=analysis,
        shown=shown,
        domain=domain,
        owner=owner,
        status=status,
        owners=SsrmOwnership.values,
        domain_chart=stacked_bars(
            f"{framework.name}: requirements by CCM domain",
            COVERAGE_PARTS,
            [
                Bar(code, (counts["covered"], counts["uncovered"]))
                for code, counts in analysis.by_domain.items()
            ],
            chart_id="coverage-by-domain",
        ),
        framework_chart=stacked_bars(
            f"Coverage per framework (CCM v{framework.ccm_version.version})",
            COVERAGE_PARTS,
            [
                Bar(each.name, (analyses[each.pk].covered, len(analyses[each.pk].uncovered)))
                for each in siblings
            ],
            chart_id="coverage-by-framework",
        ),
    )
    return render(request, "frameworks/gap_analysis.html", context)


@login_required
def framework_list(request):
    """The imported CCM versions and the frameworks each maps to."""
    versions = CcmVersion.objects.prefetch_related("frameworks").annotate(
        framework_count=Count("frameworks")
    )
    return render(request, "frameworks/framework_list.html", {"versions": versions})


@platform_operator_required
@require_http_methods(["GET", "POST"])
def ccm_upload(request):
    form = CcmUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["workbook"]
        try:
            result = ccm_import(data=upload.read(), filename=upload.name, imported_by=request.user)
        except CcmImportError as exc:
            form.add_error("workbook", str(exc))
        else:
            messages.success(request, result.message)
            return redirect("frameworks:framework_list")
    return render(request, "frameworks/upload.html", {"form": form})
