"""A questionnaire's consistency findings, over its answers as the readiness report read them,
plus two queries: the organisation's switched-off rules, and what its recently edited other
questionnaires answered."""

from django.db import connection

from caiq.models import Answer, Questionnaire
from caiq.readiness import Finding as ReadinessFinding
from caiq.selectors import AnswerRow

from . import rules
from .models import DisabledRule

# The other questionnaires compared with for "another owner for another service": the ones
# edited last, so the check costs the same in an organisation of 10 or 10,000.
COMPARED = 20


def disabled_rules(organization_id: int) -> set[str]:
    """The rules the organisation switched off. Plain SQL: every view of a domain on the fill
    page asks, and building the ORM query cost more than running it (bench/fill_page.py)."""
    table = connection.ops.quote_name(DisabledRule._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT rule FROM {table} WHERE organization_id = %s",  # noqa: S608 - our table
            [organization_id],
        )
        return {rule for (rule,) in cursor.fetchall()}


def findings(questionnaire: Questionnaire, rows: list[AnswerRow]) -> list[rules.Finding]:
    """``rows``: the questionnaire's answers as ``caiq.selectors.answer_rows`` reads them (the
    readiness report has them already)."""
    answers = [rules.Answer(r.pk, r.code, r.answer, r.ssrm, r.implementation) for r in rows]
    others = (
        Questionnaire.objects.filter(organization_id=questionnaire.organization_id)
        .exclude(pk=questionnaire.pk)
        .order_by("-updated_at", "-id")
        .values("pk")[:COMPARED]
    )
    elsewhere: dict[str, list[tuple[str, str]]] = {}
    rows = (
        Answer.objects.filter(questionnaire__in=others, ssrm__in=[rules.CSP_OWNED, rules.CSC_OWNED])
        # Named in a stable order, whatever plan the database picks.
        .order_by("question__code", "questionnaire__name", "ssrm")
        .values_list("question__code", "ssrm", "questionnaire__name")
        .distinct()
    )
    for code, ssrm, name in rows:
        elsewhere.setdefault(code, []).append((ssrm, name))
    context = rules.Context(answers, elsewhere)
    return rules.check(context, disabled=disabled_rules(questionnaire.organization_id))


def readiness_warnings(
    questionnaire: Questionnaire, rows: list[AnswerRow]
) -> list[ReadinessFinding]:
    """The findings as the readiness report lists them (kind: the rule's ID)."""
    return [
        ReadinessFinding(f.rule, f.message, f.question, f.answer_id)
        for f in findings(questionnaire, rows)
    ]


def fill_page_notes(questionnaire: Questionnaire, answers: list) -> dict[int, list[str]]:
    """The warnings about the answers shown (one domain, its controls whole), by answer id: the
    rules within a questionnaire, over the page's own answers; one query (the rules switched
    off). What other questionnaires answered is compared in the readiness report only."""
    if not answers:
        return {}
    rows = [
        rules.Answer(a.pk, a.question.code, a.answer, a.ssrm, a.implementation) for a in answers
    ]
    disabled = disabled_rules(questionnaire.organization_id) | {"ssrm-differs-across-services"}
    notes: dict[int, list[str]] = {}
    for finding in rules.check(rules.Context(rows), disabled=disabled):
        notes.setdefault(finding.answer_id, []).append(finding.message)
    return notes
