"""What someone outside the organisation sees through a share link: the e-mail gate and the
NDA when the link asks for them, then the answers, the customer responsibility summary and
CSA's workbook. No sign-in; nothing else of the organisation is reachable from here.

Every refusal of the link itself (unknown, expired, revoked, questionnaire reopened) is the
same 404. What a visitor has passed (confirmed address, accepted NDA) is kept in their session,
per link. Responses are never cached or indexed and send no Referer to other sites (the
secret is in the path).
"""

import functools

from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from caiq.downloads import attachment
from caiq.services.transfer import ExportError, export_filename, export_xlsx

from . import selectors, services
from .models import AccessKind, ShareLink


def _visitor_headers(view):
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex, nofollow"
        # The secret is in the path: it goes to no other site. Not "no-referrer": Chromium then
        # sends "Origin: null" with the gate's forms, which Django's CSRF check rightly refuses.
        response["Referrer-Policy"] = "same-origin"
        return response

    return wrapped


def _state(request, link: ShareLink) -> dict:
    return request.session.get(f"share:{link.pk}", {})


def _save_state(request, link: ShareLink, state: dict) -> None:
    request.session[f"share:{link.pk}"] = state


def _agent(request) -> str:
    return request.headers.get("User-Agent", "")


def _log(request, link: ShareLink, state: dict, kind: AccessKind, announce=True) -> None:
    """One row of the link's access log, with the address the visitor confirmed, if any."""
    services.share_access_log(
        link=link,
        kind=kind,
        email=state.get("email", ""),
        user_agent=_agent(request),
        announce=announce,
    )


def _passed(link: ShareLink, state: dict) -> bool:
    return (not link.require_email or bool(state.get("email"))) and (
        not link.nda_text or bool(state.get("nda"))
    )


def _gate(request, token, link, state, *, error="", status=200):
    step = "nda"
    if link.require_email and not state.get("email"):
        step = "code" if state.get("pending") else "email"
    return render(
        request,
        "sharing/visit_gate.html",
        {"token": token, "link": link, "step": step, "state": state, "error": error},
        status=status,
    )


@_visitor_headers
@require_safe
def visit(request, token):
    link = selectors.usable_link(token)
    state = _state(request, link)
    if not _passed(link, state):
        return _gate(request, token, link, state)
    # Every view is logged; webhooks hear of a visitor's first one (per browser session).
    _log(request, link, state, AccessKind.VIEWED, announce=not state.get("seen"))
    _save_state(request, link, {**state, "seen": True})
    answers, customer = selectors.shared_answers(link.questionnaire)
    return render(
        request,
        "sharing/visit.html",
        {
            "token": token,
            "link": link,
            "questionnaire": link.questionnaire,
            "answers": answers,
            "customer": customer,
            "count": sum(len(d.rows) for d in answers),
            "customer_count": sum(len(d.rows) for d in customer),
            "email": state.get("email", ""),
        },
    )


@_visitor_headers
@require_POST
def ask_code(request, token):
    link = selectors.usable_link(token)
    if not link.require_email:
        return redirect("sharing:visit", token)
    try:
        email = services.share_code_send(
            link=link, email=request.POST.get("email", ""), user_agent=_agent(request)
        )
    except ValidationError as error:
        return _gate(request, token, link, {}, error=" ".join(error.messages), status=400)
    _save_state(request, link, {"pending": email})
    return redirect("sharing:visit", token)


@_visitor_headers
@require_POST
def check_code(request, token):
    link = selectors.usable_link(token)
    state = _state(request, link)
    if request.POST.get("restart"):
        _save_state(request, link, {})
        return redirect("sharing:visit", token)
    if not state.get("pending"):
        return redirect("sharing:visit", token)
    try:
        services.share_code_check(
            link=link,
            email=state["pending"],
            code=request.POST.get("code", ""),
            user_agent=_agent(request),
        )
    except ValidationError as error:
        return _gate(request, token, link, state, error=" ".join(error.messages), status=400)
    # A new session id once the address is proven: one fixed beforehand is worth nothing.
    request.session.cycle_key()
    _save_state(request, link, {"email": state["pending"]})
    return redirect("sharing:visit", token)


@_visitor_headers
@require_POST
def accept_nda(request, token):
    link = selectors.usable_link(token)
    state = _state(request, link)
    if not link.nda_text or (link.require_email and not state.get("email")):
        return redirect("sharing:visit", token)
    if request.POST.get("accept") != "yes":
        error = "Tick “I accept” to go on, or close this page."
        return _gate(request, token, link, state, error=error, status=400)
    _log(request, link, state, AccessKind.NDA_ACCEPTED)
    _save_state(request, link, {**state, "nda": True})
    return redirect("sharing:visit", token)


@_visitor_headers
@require_safe
def workbook(request, token):
    link = selectors.usable_link(token)
    state = _state(request, link)
    if not _passed(link, state):
        return redirect("sharing:visit", token)
    questionnaire = link.questionnaire
    try:
        body = export_xlsx(questionnaire)
    except ExportError:
        return render(request, "sharing/visit_unavailable.html", {"link": link}, status=503)
    _log(request, link, state, AccessKind.DOWNLOADED)
    return attachment(body, export_filename(questionnaire, "xlsx"))
