"""Consistency rules: contradictions between a questionnaire's answers that CCM's structure makes
visible. Pure: each rule is a plain function over the answers grouped by CCM control (and, for
one rule, what the organisation's other questionnaires answered), with an ID, a plain-words
message and a severity. Findings are warnings: they never block an export.

A question's control is its ID without the last part ("A&A-01.2" belongs to "A&A-01"); CAIQ v4
asks a control's policy question first (".1": "are policies and procedures established ...").
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

YES, NO, NA = "Yes", "No", "NA"
CSP_OWNED, CSC_OWNED = "CSP-owned", "CSC-owned"
WARNING, NOTICE = "warning", "notice"


@dataclass(frozen=True)
class Answer:
    pk: int
    code: str
    answer: str
    ssrm: str
    implementation: str

    @property
    def control(self) -> str:
        return self.code.rsplit(".", 1)[0]


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    question: str
    answer_id: int | None
    message: str


@dataclass
class Context:
    answers: list[Answer]
    # Per question ID: (SSRM owner, questionnaire name) of the organisation's other
    # questionnaires, for the owners CSP-owned and CSC-owned only.
    elsewhere: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    def controls(self) -> dict[str, list[Answer]]:
        grouped: dict[str, list[Answer]] = {}
        for answer in self.answers:
            grouped.setdefault(answer.control, []).append(answer)
        return grouped


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    severity: str
    check: Callable[[Context], Iterable[Finding]]


def _codes(answers: list[Answer]) -> str:
    return ", ".join(a.code for a in answers)


def policy_no_practice_yes(context: Context) -> Iterable[Finding]:
    for answers in context.controls().values():
        first, rest = answers[0], [a for a in answers[1:] if a.answer == YES]
        if first.answer == NO and rest:
            yield Finding(
                "policy-no-practice-yes",
                WARNING,
                first.code,
                first.pk,
                f"{first.code}, the control's policy question, says No while {_codes(rest)} "
                "say Yes: a practice without a policy, or one of the answers is wrong.",
            )


def na_beside_answered(context: Context) -> Iterable[Finding]:
    for answers in context.controls().values():
        answered = [a for a in answers if a.answer in (YES, NO)]
        if not answered:
            continue
        for answer in answers:
            if answer.answer == NA:
                yield Finding(
                    "na-beside-answered",
                    NOTICE,
                    answer.code,
                    answer.pk,
                    f"{answer.code} is NA while {_codes(answered)} of the same control are "
                    "answered: say why this one does not apply.",
                )


def ssrm_differs_across_services(context: Context) -> Iterable[Finding]:
    for answer in context.answers:
        if answer.ssrm not in (CSP_OWNED, CSC_OWNED):
            continue
        other = CSC_OWNED if answer.ssrm == CSP_OWNED else CSP_OWNED
        names = sorted(
            {name for ssrm, name in context.elsewhere.get(answer.code, ()) if ssrm == other}
        )
        if names:
            yield Finding(
                "ssrm-differs-across-services",
                WARNING,
                answer.code,
                answer.pk,
                f"{answer.code} is {answer.ssrm} here but {other} in {', '.join(names[:3])}"
                f"{' and others' if len(names) > 3 else ''}: the same provider, two owners.",
            )


def yes_without_description(context: Context) -> Iterable[Finding]:
    for answers in context.controls().values():
        described = [a for a in answers if a.implementation.strip()]
        if not described:
            continue
        for answer in answers:
            if answer.answer == YES and not answer.implementation.strip():
                yield Finding(
                    "yes-without-description",
                    NOTICE,
                    answer.code,
                    answer.pk,
                    f"{answer.code} says Yes without an implementation description, while "
                    f"{_codes(described)} of the same control describe theirs.",
                )


def na_whole_control(context: Context) -> Iterable[Finding]:
    for control, answers in context.controls().items():
        if len(answers) > 1 and all(a.answer == NA for a in answers):
            yield Finding(
                "na-whole-control",
                WARNING,
                answers[0].code,
                answers[0].pk,
                f"Every question of {control} is NA: CSA's reviewers ask why a whole control "
                "does not apply.",
            )


RULES = (
    Rule("policy-no-practice-yes", "Policy No, practice Yes", WARNING, policy_no_practice_yes),
    Rule("na-beside-answered", "NA beside answered questions", NOTICE, na_beside_answered),
    Rule(
        "ssrm-differs-across-services",
        "Another owner for another service",
        WARNING,
        ssrm_differs_across_services,
    ),
    Rule("yes-without-description", "Yes without a description", NOTICE, yes_without_description),
    Rule("na-whole-control", "A whole control NA", WARNING, na_whole_control),
)
RULE_IDS = tuple(rule.id for rule in RULES)


def check(context: Context, *, disabled: Iterable[str] = ()) -> list[Finding]:
    """Every finding of the enabled rules, in question order then rule order."""
    off = set(disabled)
    order = {a.code: n for n, a in enumerate(context.answers)}
    found = [f for rule in RULES if rule.id not in off for f in rule.check(context)]
    return sorted(found, key=lambda f: (order.get(f.question, 0), RULE_IDS.index(f.rule)))
