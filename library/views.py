"""The answer library's pages: suggestions beside an answer (an htmx fragment, or a page without
script), reuse, bulk fill from an earlier questionnaire, and the variants per control."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Organization, Role
from accounts.selectors import membership_or_404
from caiq import selectors as caiq_selectors
from caiq.models import QuestionnaireStatus
from caiq.services import StaleAnswer
from caiq.views.fill import answer_card, back_to_answer
from config.fragments import fragment_html, render_fragment
from config.ids import parse_id

from . import selectors, services


def _can_write(membership, questionnaire) -> bool:
    return (
        membership.has_role(Role.CONTRIBUTOR)
        and questionnaire.status != QuestionnaireStatus.SUBMITTED
    )


@login_required
@require_GET
def answer_library(request, pk, answer_pk):
    answer, membership = caiq_selectors.answer_for_member(request.user, pk, answer_pk)
    slug = Organization.objects.values_list("slug", flat=True).get(
        pk=answer.questionnaire.organization_id
    )
    context = {
        "a": answer,
        "suggestions": selectors.suggestions(answer),
        "can_reuse": _can_write(membership, answer.questionnaire),
        "reuse_url": reverse("library:reuse", args=[pk, answer_pk]),
        "control_url": reverse("library:control", args=[slug, answer.question.code.split(".")[0]]),
    }
    if request.htmx:
        return render_fragment(request, "library/_suggestions.html", context)
    context["panel"] = fragment_html(request, "library/_suggestions.html", context)
    return render(request, "library/answer_library.html", context)


@login_required
@require_POST
def answer_reuse(request, pk, answer_pk):
    answer, membership = caiq_selectors.answer_for_member(request.user, pk, answer_pk)
    source_pk = parse_id(request.POST.get("source", ""))
    revision = parse_id(request.POST.get("revision", ""))
    error = None
    if source_pk is None or revision is None:
        error = "Choose an answer from the library."
    else:
        source = selectors.library_answer(answer, source_pk)
        try:
            answer = services.answer_reuse(
                answer=answer,
                source=source,
                membership=membership,
                user=request.user,
                base_revision=revision,
            )
        except StaleAnswer as stale:
            answer = stale.current
            error = (
                f"{answer.question.code} was changed by someone else since you loaded it: "
                "nothing was reused; look at it again."
            )
        except (ValidationError, PermissionDenied) as exc:
            error = " ".join(getattr(exc, "messages", [str(exc)]))
    if not request.htmx:
        if error:
            messages.error(request, error)
        else:
            messages.success(request, f"Reused an earlier answer for {answer.question.code}.")
        return back_to_answer(answer)
    # The card comes back with the focus on its answer, where the keyboard user was.
    return answer_card(
        request, answer, membership, review_error=error, status=400 if error else 200, refocus=True
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def bulk_fill(request, pk):
    target, membership = caiq_selectors.questionnaire_for_member(request.user, pk)
    if not _can_write(membership, target):
        raise PermissionDenied("Filling answers needs a contributor of an open questionnaire.")
    data = request.POST if request.method == "POST" else request.GET
    source_pk = parse_id(data.get("source", ""))
    source = selectors.source_questionnaire(target, source_pk) if source_pk else None
    if request.method == "POST" and source is not None:
        try:
            written = services.bulk_fill(
                target=target,
                source=source,
                membership=membership,
                user=request.user,
                previewed=request.POST.get("plan", ""),
            )
        except (ValidationError, StaleAnswer) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
            return redirect(f"{reverse('library:bulk_fill', args=[pk])}?source={source.pk}")
        messages.success(request, f"Filled {written} answers from {source.name}.")
        return redirect("caiq:fill", pk=pk)
    plan = selectors.bulk_fill_plan(target, source) if source else None
    context = {
        "questionnaire": target,
        "sources": selectors.source_questionnaires(target),
        "source": source,
        "plan": plan,
        "plan_key": services.plan_key(plan) if plan else "",
        "text_changed": sum(f.text_changed for f in plan or ()),
        "empty": selectors.empty_answers(target).count(),
    }
    return render(request, "library/bulk_fill.html", context)


@login_required
@require_GET
def overview(request, slug):
    membership = membership_or_404(request.user, slug)
    controls = selectors.library_overview(membership)
    return render(
        request,
        "library/overview.html",
        {
            "organization": membership.organization,
            "controls": controls,
            "disagreeing": sum(c["disagree"] for c in controls),
        },
    )


@login_required
@require_GET
def control(request, slug, code):
    membership = membership_or_404(request.user, slug)
    questions = selectors.control_variants(membership, code)
    return render(
        request,
        "library/control.html",
        {"organization": membership.organization, "code": code, "questions": questions},
    )
