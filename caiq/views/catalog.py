from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from .. import selectors
from ..forms import CatalogUploadForm
from ..models import CatalogVersion
from ..services import CatalogImportError, catalog_import


@login_required
def version_list(request):
    return render(request, "caiq/version_list.html", {"versions": selectors.catalog_versions()})


@login_required
def version_detail(request, version):
    catalog = get_object_or_404(CatalogVersion, caiq_version=version)
    domain_code = request.GET.get("domain") or None
    all_domains = list(catalog.domains.all())
    if domain_code and domain_code not in {d.code for d in all_domains}:
        domain_code = None
    domains = selectors.domains_with_questions(catalog, domain_code=domain_code)
    context = {
        "catalog": catalog,
        "domains": domains,
        "all_domains": all_domains,
        "domain_code": domain_code,
    }
    return render(request, "caiq/version_detail.html", context)


def platform_operator_required(view):
    """Catalog versions and their templates serve every organisation, so only the platform's
    operators (superusers) may load them; staff of one organisation get 403, not a login page."""

    @wraps(view)
    def guarded(request, *args, **kwargs):
        if not request.user.is_superuser:
            raise PermissionDenied("Only the platform's operators load CSA's workbook.")
        return view(request, *args, **kwargs)

    return login_required(guarded)


@platform_operator_required
@require_http_methods(["GET", "POST"])
def catalog_upload(request):
    form = CatalogUploadForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["workbook"]
        try:
            result = catalog_import(
                data=upload.read(), filename=upload.name, imported_by=request.user
            )
        except CatalogImportError as exc:
            form.add_error("workbook", str(exc))
            problems = exc.problems
        else:
            messages.success(request, result.message)
            return redirect("caiq:version_detail", version=result.version.caiq_version)
    return render(request, "caiq/upload.html", {"form": form, "problems": problems})
