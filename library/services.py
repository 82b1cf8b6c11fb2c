"""Writing answers from the library: one reuse, or a bulk fill of the empty answers from an
earlier questionnaire. Both go through caiq's one save path (optimistic locking, history,
review reopening) and record the questionnaire the answer came from."""

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import Membership, Role, User, require_role
from caiq.models import Answer, ChangeSource, Questionnaire
from caiq.services import answer_update

from . import selectors


def _reused(source: Answer) -> dict[str, str]:
    return {name: getattr(source, name) for name in selectors.REUSED_FIELDS}


def answer_reuse(
    *, answer: Answer, source: Answer, membership: Membership, user: User, base_revision: int
) -> Answer:
    """Give ``answer`` the answer, owner and descriptions of ``source`` (from
    ``selectors.library_answer``), if nobody saved ``answer`` since ``base_revision``.
    Internal notes stay as they are: they belong to the questionnaire, not the answer."""
    return answer_update(
        answer=answer,
        membership=membership,
        user=user,
        values=_reused(source),
        base_revision=base_revision,
        source=ChangeSource.LIBRARY,
        reused_from=source.questionnaire,
    )


def plan_key(plan: list[selectors.Fill]) -> str:
    """What the preview showed, to compare with at confirmation: each target answer at its
    revision and the source answer at its revision."""
    return ",".join(
        f"{f.target.pk}.{f.target.revision}:{f.source.pk}.{f.source.revision}" for f in plan
    )


def bulk_fill(
    *,
    target: Questionnaire,
    source: Questionnaire,
    membership: Membership,
    user: User,
    previewed: str,
) -> int:
    """Fill ``target``'s empty answers from ``source``, exactly as previewed (``plan_key`` of
    the preview): all of them or, if anything changed since, none. Returns how many."""
    require_role(membership, Role.CONTRIBUTOR, "fill answers from the library")
    with transaction.atomic():
        plan = selectors.bulk_fill_plan(target, source)
        if plan_key(plan) != previewed:
            raise ValidationError(
                "The answers changed since the preview: nothing was written; "
                "look at the new preview and confirm again."
            )
        for fill in plan:
            answer_update(
                answer=fill.target,
                membership=membership,
                user=user,
                values=_reused(fill.source),
                base_revision=fill.target.revision,
                source=ChangeSource.LIBRARY,
                reused_from=source,
            )
    return len(plan)
