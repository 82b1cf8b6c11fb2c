"""The evidence library pages, and the attach/detach endpoints of the fill page.

Every object is looked up through the tenancy-scoped selectors (evidence.selectors and
caiq.selectors), so another organisation's evidence, answer or link answers 404. The attach and
detach endpoints return the answer's evidence fragment (``#evidence-<answer pk>``) to htmx and
redirect back to the fill page without JavaScript.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Role
from caiq import selectors as caiq_selectors
from config.fragments import render_fragment

from . import selectors, services
from .downloads import download_response
from .forms import AttachForm, EvidenceEditForm, EvidenceForm, LibraryFilterForm, VersionForm
from .presentation import evidence_urls, mark_answer_evidence, mark_freshness
from .validation import UploadRejected


def _reason(error: Exception) -> str:
    return " ".join(getattr(error, "messages", None) or [str(error)])


def _member(request):
    membership = request.membership
    if not membership:
        raise PermissionDenied("You are not a member of any organisation.")
    return membership


# --- Library and detail pages ---------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def evidence_list(request):
    membership = _member(request)
    people = caiq_selectors.organization_people(membership)
    can_edit = membership.has_role(Role.CONTRIBUTOR)
    posted = request.method == "POST"
    form = EvidenceForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        people=people,
        initial={"owner": request.user},
    )
    status = 200
    if posted:
        if form.is_valid():
            data = form.cleaned_data
            try:
                evidence = services.evidence_create(
                    membership=membership,
                    user=request.user,
                    title=data["title"],
                    description=data["description"],
                    upload=data["file"],
                    url=data["url"],
                    owner=data["owner"],
                    valid_from=data["valid_from"],
                    valid_until=data["valid_until"],
                )
            except UploadRejected as rejected:
                form.add_error("file", str(rejected))
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, f"Added {evidence.title} to the library.")
                return redirect("evidence:detail", pk=evidence.pk)
        status = 400
    filters = LibraryFilterForm(request.GET)
    filters.is_valid()
    today = timezone.localdate()
    items = list(
        selectors.evidence_list(
            membership,
            today=today,
            freshness=filters.cleaned_data.get("freshness", ""),
            search=filters.cleaned_data.get("q", ""),
        )
    )
    mark_freshness(items, today)
    context = {
        "items": items,
        "filters": filters,
        "form": form,
        "can_edit": can_edit,
        "membership": membership,
    }
    return render(request, "evidence/evidence_list.html", context, status=status)


def _detail(request, evidence, membership, *, edit_form=None, version_form=None, status=200):
    people = caiq_selectors.organization_people(membership)
    mark_freshness([evidence], timezone.localdate())
    context = {
        "evidence": evidence,
        "versions": evidence.versions.select_related("stored_file", "uploaded_by"),
        "links": evidence.links.select_related(
            "answer__question", "answer__questionnaire"
        ).order_by("answer__questionnaire__name", "answer__question__position"),
        "can_edit": membership.has_role(Role.CONTRIBUTOR),
        "edit_form": edit_form or EvidenceEditForm(evidence=evidence, people=people),
        "version_form": version_form or VersionForm(),
    }
    return render(request, "evidence/evidence_detail.html", context, status=status)


@login_required
@require_GET
def evidence_detail(request, pk):
    evidence, membership = selectors.evidence_or_404(request.user, pk)
    return _detail(request, evidence, membership)


@login_required
@require_POST
def evidence_edit(request, pk):
    evidence, membership = selectors.evidence_or_404(request.user, pk)
    people = caiq_selectors.organization_people(membership)
    form = EvidenceEditForm(request.POST, evidence=evidence, people=people)
    if form.is_valid():
        try:
            services.evidence_update(evidence=evidence, membership=membership, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Saved {evidence.title}.")
            return redirect("evidence:detail", pk=pk)
    evidence.refresh_from_db()  # show what is stored beside the refused input
    return _detail(request, evidence, membership, edit_form=form, status=400)


@login_required
@require_POST
def version_add(request, pk):
    evidence, membership = selectors.evidence_or_404(request.user, pk)
    form = VersionForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            version = services.evidence_add_version(
                evidence=evidence,
                membership=membership,
                user=request.user,
                upload=form.cleaned_data["file"],
            )
        except UploadRejected as rejected:
            form.add_error("file", str(rejected))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Uploaded version {version.number}.")
            return redirect("evidence:detail", pk=pk)
    return _detail(request, evidence, membership, version_form=form, status=400)


@login_required
@require_GET
def download(request, pk, number):
    """Another organisation's file answers 404, like one that does not exist."""
    return download_response(selectors.version_or_404(request.user, pk, number))


@login_required
@require_GET
def download_latest(request, pk):
    """The newest version: what the fill page's chips link to without loading versions."""
    evidence, _membership = selectors.evidence_or_404(request.user, pk)
    latest = evidence.versions.select_related("stored_file", "evidence").first()
    if latest is None:
        raise Http404("This evidence has no file.")
    return download_response(latest)


# --- Attach and detach on the fill page -----------------------------------------------------


def evidence_fragment(request, answer, membership, *, error: str = "", status: int = 200):
    """The answer's evidence chips and attach forms (``#evidence-<answer pk>``)."""
    mark_answer_evidence([answer], timezone.localdate())
    context = {
        "a": answer,
        "questionnaire": answer.questionnaire,
        **evidence_urls(answer.questionnaire_id),
        "can_attach": membership.has_role(Role.CONTRIBUTOR)
        and answer.questionnaire.status != "submitted",
        "evidence_error": error,
    }
    return render_fragment(request, "evidence/_answer_evidence.html", context, status=status)


def _back_to_answer(request, answer, *, error: str = "", success: str = ""):
    if error:
        messages.error(request, error)
    elif success:
        messages.success(request, success)
    url = reverse("caiq:fill", args=[answer.questionnaire_id])
    return redirect(f"{url}#answer-{answer.pk}")


def _attach(request, answer, membership, form: AttachForm) -> str:
    """Link the picked item, or add the uploaded file to the library and link it."""
    if form.cleaned_data["evidence"] is not None:
        evidence, _ = selectors.evidence_or_404(request.user, form.cleaned_data["evidence"])
        if evidence.organization_id != answer.questionnaire.organization_id:
            raise Http404("No such evidence.")  # the user's other organisation: not here
        services.evidence_link(
            evidence=evidence, answer=answer, membership=membership, user=request.user
        )
        return f"Attached {evidence.title}."
    evidence = services.evidence_attach_upload(
        answer=answer, membership=membership, user=request.user, upload=form.cleaned_data["file"]
    )
    return f"Added {evidence.title} to the library and attached it."


@login_required
@require_POST
def attach(request, questionnaire_pk, answer_pk):
    answer, membership = caiq_selectors.answer_for_member(request.user, questionnaire_pk, answer_pk)
    form = AttachForm(request.POST, request.FILES)
    error, status, success = "", 200, ""
    if not form.is_valid():
        error, status = " ".join(" ".join(e) for e in form.errors.values()), 400
    else:
        try:
            success = _attach(request, answer, membership, form)
        except PermissionDenied as denied:
            error, status = _reason(denied), 403
        except (UploadRejected, ValidationError) as refused:
            error, status = _reason(refused), 400
    if not request.htmx:
        if status == 403:
            raise PermissionDenied(error)
        return _back_to_answer(request, answer, error=error, success=success)
    return evidence_fragment(request, answer, membership, error=error, status=status)


@login_required
@require_GET
def library_options(request, questionnaire_pk):
    """The library as <option>s for the fill page's pickers, fetched when a picker is first
    focused: a library of hundreds of items is not sent with every page."""
    questionnaire, _membership = caiq_selectors.questionnaire_for_member(
        request.user, questionnaire_pk
    )
    library = list(
        selectors.evidence_for(request.user)
        .filter(organization_id=questionnaire.organization_id)
        .only("pk", "title", "valid_until")
    )
    mark_freshness(library, timezone.localdate())
    return render_fragment(request, "evidence/_library_options.html", {"library": library})


@login_required
@require_POST
def unlink(request, pk):
    link = selectors.link_or_404(request.user, pk)
    answer, membership = caiq_selectors.answer_for_member(
        request.user, link.answer.questionnaire_id, link.answer_id
    )
    error, status = "", 200
    try:
        services.evidence_unlink(link=link, membership=membership)
    except PermissionDenied as denied:
        error, status = _reason(denied), 403
    except ValidationError as refused:
        error, status = _reason(refused), 400
    if not request.htmx:
        if status == 403:
            raise PermissionDenied(error)
        return _back_to_answer(
            request, answer, error=error, success=f"Detached {link.evidence.title}."
        )
    return evidence_fragment(request, answer, membership, error=error, status=status)
