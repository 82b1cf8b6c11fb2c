"""The dashboard: where the organisation's questionnaires, the user's open questions and the
evidence library stand. Its own app because it reads all three apps below it (accounts, caiq,
evidence), which must not import each other upwards."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from caiq import selectors as caiq_selectors
from caiq.presentation import answer_split_chart
from caiq.selectors import PROGRESS_KEYS
from evidence.selectors import stale_evidence_totals


@login_required
def home(request):
    """In a fixed few queries, whatever the number of questionnaires."""
    membership = request.membership
    context = {}
    if membership:
        open_assignments = caiq_selectors.open_assignment_count(request.user, membership)
        shown = caiq_selectors.OPEN_ASSIGNMENTS_SHOWN
        context = {
            "status_counts": caiq_selectors.questionnaire_status_counts(membership),
            "open_assignments": open_assignments,
            "open_assignments_shown": (
                f"{shown}+" if open_assignments > shown else str(open_assignments)
            ),
            "stale_evidence": stale_evidence_totals(
                membership.organization_id, timezone.localdate()
            ),
            "recent": caiq_selectors.recently_updated_questionnaires(membership),
            "star_entries": caiq_selectors.star_entries_to_renew(membership, timezone.localdate()),
            "star_shown": caiq_selectors.STAR_ENTRIES_SHOWN,
        }
        caiq_selectors.attach_progress(context["recent"], by_domain=False)
        context["answer_chart"] = answer_split_chart(
            "Answers of the questionnaires updated last",
            [
                {"name": q.name, **{k: getattr(q, k) for k in PROGRESS_KEYS}}
                for q in context["recent"]
            ],
            label="name",
            chart_id="answers-recent",
        )
        context["questionnaire_total"] = sum(n for _s, _l, n in context["status_counts"])
    return render(request, "home.html", context)
