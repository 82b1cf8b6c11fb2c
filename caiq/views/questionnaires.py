"""Questionnaire pages: the list with progress, creation, workflow actions, copy-forward."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import Role
from evidence.selectors import stale_evidence_counts

from .. import selectors, services
from ..carry_over import word_diff
from ..forms import CopyForwardForm, QuestionnaireForm, SubmissionForm
from ..models import CatalogVersion, QuestionnaireStatus
from ..services.questionnaires import version_key

QUESTIONNAIRES_PER_PAGE = 25
PAGE_SIZES = (10, 25, 50, 100)


class _TalliedPaginator(Paginator):
    """A paginator told how many rows there are (the status tally) instead of counting them:
    counting thousands of questionnaires cost more than the rest of the page."""

    def __init__(self, object_list, per_page, count: int):
        super().__init__(object_list, per_page)
        self.known_count = count

    @cached_property
    def count(self) -> int:
        return self.known_count


def _member(request):
    membership = request.membership
    if not membership:
        raise PermissionDenied("You are not a member of any organisation.")
    return membership


@login_required
def questionnaire_list(request):
    """One page of the organisation's questionnaires: its cost does not grow with their number."""
    membership = _member(request)
    search = request.GET.get("q", "")[:100].strip()
    status = request.GET.get("status", "")
    if status not in QuestionnaireStatus.values:
        status = ""
    per_page = request.GET.get("per_page", "")
    per_page = int(per_page) if per_page in map(str, PAGE_SIZES) else QUESTIONNAIRES_PER_PAGE
    status_counts = selectors.questionnaire_status_counts(membership)
    rows = selectors.questionnaire_list(membership, search=search, status=status)
    if search:  # matches are counted (a trigram index finds them on PostgreSQL)
        paginator = Paginator(rows, per_page)
    else:
        tallied = sum(n for value, _label, n in status_counts if value == status or not status)
        paginator = _TalliedPaginator(rows, per_page, tallied)
    page = paginator.get_page(request.GET.get("page"))
    questionnaires = list(page.object_list)
    selectors.attach_progress(questionnaires)
    stale = stale_evidence_counts([q.pk for q in questionnaires], timezone.localdate())
    for questionnaire in questionnaires:
        questionnaire.stale = stale.get(questionnaire.pk, {})
    return render(
        request,
        "caiq/questionnaire_list.html",
        {
            "questionnaires": questionnaires,
            "page": page,
            "page_range": paginator.get_elided_page_range(page.number, on_each_side=2),
            # The filters again, for page links: "?q=…&status=…&page=N".
            "filter_query": urlencode(
                {
                    key: value
                    for key, value in (
                        ("q", search),
                        ("status", status),
                        ("per_page", per_page if per_page != QUESTIONNAIRES_PER_PAGE else ""),
                    )
                    if value
                }
            ),
            "search": search,
            "status": status,
            "per_page": per_page,
            "page_sizes": PAGE_SIZES,
            "status_counts": status_counts,
            "can_create": membership.has_role(Role.ADMIN),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def questionnaire_create(request):
    membership = _member(request)
    if not membership.has_role(Role.ADMIN):
        raise PermissionDenied("Only an admin can create questionnaires.")
    form = QuestionnaireForm(
        request.POST or None,
        versions=CatalogVersion.objects.all(),
        people=selectors.organization_people(membership),
    )
    if request.method == "POST" and form.is_valid():
        try:
            questionnaire = services.questionnaire_create(
                membership=membership, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Created {questionnaire.name}.")
            return redirect("caiq:fill", pk=questionnaire.pk)
    return render(request, "caiq/questionnaire_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def questionnaire_copy(request, pk):
    """Copy forward in two steps: a preview of what carries, changes, is new and is gone (nothing
    written), then "Create" writes the new questionnaire."""
    source, membership = selectors.questionnaire_for_member(request.user, pk)
    if not membership.has_role(Role.ADMIN):
        raise PermissionDenied("Only an admin can create questionnaires.")
    versions = CatalogVersion.objects.all()
    newest = max(versions, key=lambda v: version_key(v.caiq_version), default=source.version)
    form = CopyForwardForm(
        request.POST or None,
        versions=versions,
        initial={"version": newest, "name": f"{source.name} (v{newest.caiq_version})"},
    )
    context = {"form": form, "source": source}
    if request.method == "POST" and form.is_valid():
        if request.POST.get("step") != "create":
            plan = selectors.copy_forward_plan(source, form.cleaned_data["version"])
            context.update(
                plan=plan, diffs=[(c, *word_diff(c.old_text, c.new_text)) for c in plan.changed]
            )
            return render(request, "caiq/questionnaire_copy.html", context)
        try:
            target = services.questionnaire_copy_forward(
                source=source, membership=membership, user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"Copied {source.name} into {target.name}: answers carried over and back "
                "in review; those to re-confirm are flagged (filter: Flagged on copy).",
            )
            return redirect("caiq:fill", pk=target.pk)
    return render(request, "caiq/questionnaire_copy.html", context)


@login_required
@require_POST
def questionnaire_transition(request, pk, action):
    questionnaire, membership = selectors.questionnaire_for_member(request.user, pk)
    try:
        if action == "request-review":
            services.questionnaire_request_review(
                questionnaire=questionnaire, membership=membership
            )
        elif action == "approve":
            services.questionnaire_approve(questionnaire=questionnaire, membership=membership)
        elif action == "submitted":
            form = SubmissionForm(request.POST)
            if not form.is_valid():
                raise ValidationError(
                    "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())
                )
            services.questionnaire_mark_submitted(
                questionnaire=questionnaire, membership=membership, **form.cleaned_data
            )
        else:
            raise ValidationError("Unknown action.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, f"{questionnaire.name} is now {questionnaire.get_status_display().lower()}."
        )
    return redirect("caiq:fill", pk=pk)
