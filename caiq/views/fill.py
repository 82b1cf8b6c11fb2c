"""The fill page and the answer endpoints it posts to (htmx, or plain forms without script).

htmx requests get HTML fragments back; without JavaScript the same endpoints redirect to the
fill page at the answer's anchor, so every action works both ways.
"""

from urllib.parse import quote, urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import reswap, retarget

from accounts.middleware import request_memberships
from accounts.models import Role
from config.fragments import fragment_html, render_fragment
from evidence import selectors as evidence_selectors
from evidence.presentation import attach_chips, evidence_urls, mark_answer_evidence

from .. import selectors, services, star
from ..answer_rules import FIELD_LABELS
from ..forms import AnswerForm
from ..models import ChangeSource, ReviewStatus, SsrmOwnership, StarLevel
from ..presentation import answer_split_chart, attach_notes
from ..services.answers import CONTENT_FIELDS, EDITABLE_FIELDS
from ..services.questionnaires import version_key


def _abilities(membership) -> dict:
    return {
        "can_edit": membership.has_role(Role.CONTRIBUTOR),
        "can_review": membership.has_role(Role.REVIEWER),
        "can_manage": membership.has_role(Role.ADMIN),
    }


ALL_DOMAINS = "all"
GRID = "grid"
# Across domains (all questions, a filter, a search) the page shows this many answers at a time:
# about 100 KB of HTML, where all 261 answers were one 1 MB response.
PAGE_SIZE = 30


def _first_domain(domains: list[dict]) -> str | None:
    """Where the page opens: the first domain with an unanswered question, else the first."""
    for d in domains:
        if d["answered"] < d["total"]:
            return d["code"]
    return domains[0]["code"] if domains else None


def _live(domains: list[dict]) -> dict:
    """What every save and review refreshes: the progress line and the domain counts."""
    for d in domains:
        d["slug"] = slugify(d["code"])
        d["query"] = quote(d["code"])  # "A&A" -> "A%26A", once here rather than in templates
    totals = {key: sum(d[key] for d in domains) for key in ("total", "answered", "approved")}
    return {"domains": domains, "totals": totals}


def _query(domain, show, search, page=None, view=None) -> str:
    params = {"domain": domain, "show": show, "q": search, "page": page, "view": view}
    return urlencode({k: v for k, v in params.items() if v})


@login_required
@require_GET
def fill(request, pk):
    questionnaire, membership = selectors.questionnaire_for_member(
        request.user, pk, memberships=request_memberships(request)
    )
    live = _live(selectors.domain_progress(questionnaire))
    codes = [d["code"] for d in live["domains"]]
    show = request.GET.get("show") or None
    search = request.GET.get("q", "")[:100]
    domain = request.GET.get("domain") or None
    if domain not in (*codes, ALL_DOMAINS):
        domain = None if (show or search) else _first_domain(live["domains"])
    one_domain = domain not in (None, ALL_DOMAINS)
    # Grid mode: one row per question; the same answers, fields and saves as the cards.
    view = GRID if request.GET.get("view") == GRID else None
    answers = selectors.answers_for_fill_page(
        questionnaire, request.user, domain=domain if one_domain else None, show=show, search=search
    )
    page = None
    if one_domain:
        answers = list(answers)
    else:
        page = Paginator(answers, PAGE_SIZE).get_page(request.GET.get("page"))
        answers = list(page.object_list)
    today = timezone.localdate()
    chips, stale = evidence_selectors.fill_page_evidence(
        questionnaire.pk, [a.pk for a in answers], today
    )
    attach_chips(answers, chips)
    # A domain's page holds its controls whole, which the consistency notes compare within.
    attach_notes(questionnaire, answers if one_domain else [])
    abilities = _abilities(membership)
    if abilities["can_review"]:
        # Approve is offered only where it can succeed: not on content the reviewer wrote.
        _mark_own_content(answers, request.user)
    editable = questionnaire.status != "submitted"
    following = codes[codes.index(domain) + 1] if one_domain and domain != codes[-1] else None
    context = {
        "questionnaire": questionnaire,
        "base": reverse("caiq:fill", args=[questionnaire.pk]),
        "membership": membership,
        **live,
        "answers": answers,
        "page": page,
        "next_page": _query(domain, show, search, page.next_page_number(), view)
        if page and page.has_next()
        else None,
        "previous_page": _query(domain, show, search, page.previous_page_number(), view)
        if page and page.has_previous()
        else None,
        "next_domain": following,
        "grid": view == GRID,
        "view_suffix": f"&view={GRID}" if view else "",
        "grid_query": _query(request.GET.get("domain"), show, search, view=GRID),
        "card_query": _query(request.GET.get("domain"), show, search),
        "domain": domain,
        "domain_in_url": bool(request.GET.get("domain")),
        "all_domains": ALL_DOMAINS,
        "show": show,
        "search": search,
        "filters": [(key, label) for key, (label, _q) in selectors.ANSWER_FILTERS.items()],
        # Only reviewers assign: nobody else pays for the query (_answer.html tests it first).
        "people": selectors.organization_people(membership) if abilities["can_review"] else None,
        "editable": editable,
        **evidence_urls(questionnaire.pk),
        "can_attach": abilities["can_edit"] and editable,
        "stale": stale,
        "star_entry": star.entry(questionnaire.submitted_at, today),
        # Before v4.1: say until when CSA still takes it for a new STAR entry.
        "v41_deadline": star.V41_DEADLINE
        if version_key(questionnaire.version.caiq_version)[:2] < star.V41
        else None,
        "star_levels": StarLevel.choices,
        "ssrm_choices": SsrmOwnership.choices,
        **abilities,
    }
    if request.htmx and request.htmx.target == "questions":
        # Moving between domains or pages: the questions and the sidebar's current place only.
        return render_fragment(request, "caiq/_questions_swap.html", context)
    context["csrf_token"] = get_token(request)
    context["next_url"] = request.get_full_path()
    context["body"] = fragment_html(request, "caiq/_fill_body.html", context)
    return render(request, "caiq/fill.html", context)


@login_required
@require_GET
def answers_chart(request, pk):
    """Yes / No / NA / unanswered per domain, as of now: fetched when the fill page's overview
    is opened (about 12 KB of SVG and table that every view of the page carried before), or a
    page of its own without script."""
    questionnaire, _membership = selectors.questionnaire_for_member(
        request.user, pk, memberships=request_memberships(request)
    )
    chart = answer_split_chart(
        "Answers by domain",
        selectors.domain_progress(questionnaire),
        label="code",
        chart_id="answers-by-domain",
    )
    if request.htmx:
        return HttpResponse(chart)
    return render(
        request, "caiq/answers_chart.html", {"questionnaire": questionnaire, "chart": chart}
    )


def _mark_own_content(answers, user) -> None:
    own = selectors.answers_with_own_content(answers, user)
    for answer in answers:
        answer.own_content = answer.pk in own


def _fragment(request, answer, membership, *, status=200, **extra):
    # The card as the page renders it, read by the page's own query: saves and reviews start
    # from a lean answer_for_member, and the rare card they return pays for what it shows.
    questionnaire = answer.questionnaire
    answer = selectors.answers_for_fill_page(questionnaire, request.user).get(pk=answer.pk)
    answer.questionnaire = questionnaire
    if membership.has_role(Role.REVIEWER):
        _mark_own_content([answer], request.user)
    mark_answer_evidence([answer], timezone.localdate())
    context = {
        "a": answer,
        "questionnaire": answer.questionnaire,
        "base": reverse("caiq:fill", args=[answer.questionnaire_id]),
        **evidence_urls(answer.questionnaire_id),
        "editable": answer.questionnaire.status != "submitted",
        "can_attach": membership.has_role(Role.CONTRIBUTOR)
        and answer.questionnaire.status != "submitted",
        "people": None,
        **_abilities(membership),
        **extra,
    }
    return render_fragment(request, "caiq/_answer.html", context, status=status)


def answer_card(request, answer, membership, *, status=200, **extra):
    """The answer's card as the fill page shows it, with the page's counts refreshed: the
    response to a higher app's action on one answer (the library's reuse)."""
    live = _live(selectors.domain_progress(answer.questionnaire))
    return _fragment(request, answer, membership, status=status, live=live, **extra)


def _counted(answer) -> tuple[bool, bool]:
    """What the progress counts see of an answer: answered, approved."""
    return answer.answer != "", answer.review_status == ReviewStatus.APPROVED


def back_to_answer(answer):
    """Without JavaScript, an action on one answer returns to it on the fill page."""
    return redirect(f"{reverse('caiq:fill', args=[answer.questionnaire_id])}#answer-{answer.pk}")


@login_required
@require_POST
def answer_save(request, pk, answer_pk):
    answer, membership = selectors.answer_for_member(request.user, pk, answer_pk)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        return _fragment(request, answer, membership, status=400, errors=form.errors)
    content_before = [getattr(answer, field) for field in CONTENT_FIELDS]
    counted_before = _counted(answer)
    try:
        saved = services.answer_update(
            answer=answer,
            membership=membership,
            user=request.user,
            values=form.values(),
            base_revision=form.cleaned_data["revision"],
            source=ChangeSource.PAGE,
        )
    except services.StaleAnswer as stale:
        # Keep what the user typed, show what the other person changed, and let them decide.
        response = _fragment(
            request,
            stale.current,
            membership,
            status=409,
            conflict=stale,
            # Their saved values, overlaid with what this user sent.
            mine={f: getattr(stale.current, f) for f in EDITABLE_FIELDS} | form.values(),
        )
        return reswap(retarget(response, f"#answer-{answer.pk}"), "outerHTML")
    except ValidationError as error:
        if not request.htmx:
            messages.error(request, " ".join(error.messages))
            return back_to_answer(answer)
        return _fragment(
            request,
            answer,
            membership,
            status=400,
            errors=getattr(error, "message_dict", {"__all__": error.messages}),
        )
    if not request.htmx:
        messages.success(request, f"Saved {saved.question.code}.")
        return back_to_answer(saved)
    # The progress line and domain counts move only when the answer became answered or
    # unanswered, or left "approved": most saves (a description being typed, Yes -> No) leave
    # every count as the page shows it, and skip the count query.
    live = {}
    if _counted(saved) != counted_before:
        live = _live(selectors.domain_progress(saved.questionnaire))
    # A reviewer who just changed the content may no longer approve it: say so in place.
    own_content = membership.has_role(Role.REVIEWER) and content_before != [
        getattr(saved, field) for field in CONTENT_FIELDS
    ]
    context = {"a": saved, "own_content": own_content, **live}
    return render_fragment(request, "caiq/_answer_saved.html", context)


@login_required
@require_POST
def answer_review(request, pk, answer_pk, action):
    answer, membership = selectors.answer_for_member(request.user, pk, answer_pk)
    kwargs = {"answer": answer, "membership": membership, "user": request.user}
    # The revision on the reviewer's screen: what they approve, or send back, is what they saw.
    seen = request.POST.get("revision", "")
    base_revision = int(seen) if seen.isdigit() else answer.revision
    try:
        if action == "ready":
            answer = services.answer_mark_ready(**kwargs)
        elif action == "approve":
            answer = services.answer_approve(**kwargs, base_revision=base_revision)
        elif action == "confirm":  # a copied-forward answer still holds
            answer = services.answer_confirm_carry_over(**kwargs)
        elif action == "request-changes":
            answer = services.answer_request_changes(
                **kwargs, comment=request.POST.get("comment", ""), base_revision=base_revision
            )
        else:
            raise ValidationError("Unknown review action.")
        error = None
    except services.StaleAnswer as stale:
        fields = sorted(
            {f for change in stale.since for f in change.changes if f in CONTENT_FIELDS}
        )
        error = (
            f"{stale.current.question.code} changed since you loaded it "
            f"({', '.join(FIELD_LABELS.get(f, f) for f in fields)}): review what is there now."
        )
    except (ValidationError, PermissionDenied) as exc:
        error = " ".join(getattr(exc, "messages", [str(exc)]))
    if not request.htmx:
        if error:
            messages.error(request, error)
        return back_to_answer(answer)
    live = _live(selectors.domain_progress(answer.questionnaire))
    return _fragment(
        request,
        answer,
        membership,
        review_error=error,
        live=live,
        status=400 if error else 200,
    )


@login_required
@require_POST
def assign(request, pk):
    questionnaire, membership = selectors.questionnaire_for_member(request.user, pk)
    assignee_id = request.POST.get("assignee") or None
    assignee = (
        selectors.organization_people(membership).filter(pk=assignee_id).first()
        if assignee_id
        else None
    )
    if assignee_id and assignee is None:
        messages.error(request, "Choose a member of this organisation.")
        return redirect("caiq:fill", pk=pk)
    answers = questionnaire.answers.all()
    if request.POST.get("scope") == "domain":
        answers = answers.filter(question__control__domain__code=request.POST.get("domain", ""))
    else:
        answers = answers.filter(pk__in=request.POST.getlist("answer"))
    try:
        count = services.answers_assign(
            answers=answers, assignee=assignee, membership=membership, user=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        who = assignee.get_full_name() if assignee else "nobody"
        messages.success(request, f"Assigned {count} questions to {who}.")
    next_url = request.POST.get("next", "")
    if next_url.startswith(reverse("caiq:fill", args=[pk])):
        return redirect(next_url)
    return redirect("caiq:fill", pk=pk)


@login_required
@require_GET
def answer_history(request, pk, answer_pk):
    answer, membership = selectors.answer_for_member(request.user, pk, answer_pk)
    context = {
        "a": answer,
        "questionnaire": answer.questionnaire,
        "history": selectors.answer_history(answer),
        "comments": answer.comments.select_related("author"),
        "can_comment": membership.has_role(Role.CONTRIBUTOR),
    }
    return render(request, "caiq/answer_history.html", context)


@login_required
@require_POST
def comment(request, pk, answer_pk):
    answer, membership = selectors.answer_for_member(request.user, pk, answer_pk)
    try:
        services.comment_add(
            answer=answer,
            membership=membership,
            user=request.user,
            body=request.POST.get("body", ""),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("caiq:answer_history", pk=pk, answer_pk=answer_pk)


@login_required
@require_GET
def my_questions(request):
    """Everything assigned to the user in the current organisation, across questionnaires."""
    membership = request.membership
    if not membership:
        raise PermissionDenied("You are not a member of any organisation.")
    answers = selectors.answers_assigned_to(request.user, membership)
    return render(request, "caiq/my_questions.html", {"answers": answers})
