"""Export and import pages: STAR readiness, background jobs with progress, result downloads."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Role

from .. import selectors
from ..downloads import job_result_response
from ..models import JobKind, JobStatus
from ..readiness import domain_titles, group_findings, readiness, readiness_warnings
from ..services.jobs import job_start


def _jobs_context(questionnaire) -> dict:
    jobs = selectors.questionnaire_jobs(questionnaire)
    return {"jobs": jobs, "polling": any(not job.finished for job in jobs)}


@login_required
@require_GET
def transfer(request, pk):
    questionnaire, membership = selectors.questionnaire_for_member(request.user, pk)
    findings = readiness(questionnaire, today=timezone.localdate())
    context = {
        "questionnaire": questionnaire,
        "findings": findings,
        "can_import": membership.has_role(Role.CONTRIBUTOR) and questionnaire.status != "submitted",
        **_jobs_context(questionnaire),
    }
    return render(request, "caiq/transfer.html", context)


@login_required
@require_GET
def jobs(request, pk):
    """The job list alone, polled by the page while a job runs."""
    questionnaire, _membership = selectors.questionnaire_for_member(request.user, pk)
    context = {"questionnaire": questionnaire, **_jobs_context(questionnaire)}
    return render(request, "caiq/_jobs.html", context)


@login_required
@require_POST
def start(request, pk, kind):
    questionnaire, membership = selectors.questionnaire_for_member(request.user, pk)
    if kind not in JobKind.values:
        raise Http404("No such job kind.")
    try:
        job = job_start(
            questionnaire=questionnaire,
            membership=membership,
            user=request.user,
            kind=kind,
            upload=request.FILES.get("workbook"),
            clear_blank=request.POST.get("clear_blank") == "on",
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionDenied as denied:
        messages.error(request, str(denied))
    else:
        job.refresh_from_db()
        if job.status == JobStatus.FAILED and not job.errors:
            messages.error(request, job.message)
        else:
            messages.success(request, f"{job.get_kind_display()} started.")
    return redirect("caiq:transfer", pk=pk)


@login_required
@require_GET
def job_download(request, pk, job_pk):
    return job_result_response(selectors.job_for_member(request.user, pk, job_pk), request.user)


@login_required
@require_GET
def readiness_page(request, pk):
    questionnaire, _membership = selectors.questionnaire_for_member(request.user, pk)
    rows = selectors.answer_rows(questionnaire)  # read once, for the findings and warnings
    findings = readiness(questionnaire, today=timezone.localdate(), rows=rows)
    grouped = group_findings(findings, domain_titles(questionnaire))
    context = {"questionnaire": questionnaire, "findings": findings, "grouped": grouped}
    context["warnings"] = readiness_warnings(questionnaire, rows)
    return render(request, "caiq/readiness.html", context)
