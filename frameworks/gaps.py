"""Gap analysis: what a questionnaire's answers say about each requirement of a framework.

Pure: takes the framework's mapping rows and the questionnaire's answer rows (read by
frameworks.selectors, two queries whatever the number of requirements) and returns plain
dataclasses. A requirement is **covered** when every CCM control mapped to it has all of its
questions answered Yes and none of those mappings has a Full Gap; anything else (a No, an NA,
an unanswered question, a Full Gap, or a mapped control this CAIQ has no question for) leaves it
**uncovered**, and the reasons say which. A Partial Gap keeps a requirement covered but is shown:
CSA says the CCM control meets only part of it.
"""

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

COVERED, UNCOVERED = "covered", "uncovered"
YES = "Yes"


@dataclass(frozen=True)
class QuestionState:
    code: str
    answer: str  # Yes, No, NA or "" (unanswered)
    ssrm: str


@dataclass(frozen=True)
class ControlState:
    control_id: str
    gap_level: str  # "no", "partial", "full" or ""
    questions: tuple[QuestionState, ...]

    @property
    def domain(self) -> str:
        return self.control_id.rsplit("-", 1)[0]

    @property
    def reasons(self) -> list[str]:
        found = []
        if self.gap_level == "full":
            found.append(f"{self.control_id}: Full Gap")
        if not self.questions:
            found.append(f"{self.control_id}: no question in this CAIQ")
        counts = Counter(q.answer or "unanswered" for q in self.questions if q.answer != YES)
        found += [f"{self.control_id}: {n} {state}" for state, n in sorted(counts.items())]
        return found


@dataclass(frozen=True)
class RequirementState:
    code: str
    controls: tuple[ControlState, ...]

    @property
    def reasons(self) -> list[str]:
        return [reason for control in self.controls for reason in control.reasons]

    @property
    def status(self) -> str:
        return UNCOVERED if self.reasons else COVERED

    @property
    def partial_gap(self) -> bool:
        return any(control.gap_level == "partial" for control in self.controls)

    @property
    def domains(self) -> set[str]:
        return {control.domain for control in self.controls}

    @property
    def owners(self) -> set[str]:
        return {q.ssrm for control in self.controls for q in control.questions if q.ssrm}


@dataclass
class GapAnalysis:
    requirements: list[RequirementState]
    by_domain: dict[str, Counter] = field(default_factory=dict)

    @property
    def covered(self) -> int:
        return sum(1 for r in self.requirements if r.status == COVERED)

    @property
    def uncovered(self) -> list[RequirementState]:
        return [r for r in self.requirements if r.status == UNCOVERED]

    @property
    def coverage_percent(self) -> int:
        return round(100 * self.covered / len(self.requirements)) if self.requirements else 0

    def filtered(
        self, *, domain: str = "", owner: str = "", status: str = ""
    ) -> list[RequirementState]:
        return [
            r
            for r in self.requirements
            if (not domain or domain in r.domains)
            and (not owner or owner in r.owners)
            and (not status or r.status == status)
        ]


def analyse(
    mappings: list[tuple[str, str, str]], answers: list[tuple[str, str, str, str]]
) -> GapAnalysis:
    """``mappings``: (requirement code, control ID, gap level) per mapped pair; ``answers``:
    (control ID, question code, answer, SSRM owner) per answer of the questionnaire."""
    questions: dict[str, list[QuestionState]] = defaultdict(list)
    for control_id, code, answer, ssrm in answers:
        questions[control_id].append(QuestionState(code, answer, ssrm))
    controls: dict[str, list[ControlState]] = defaultdict(list)
    for code, control_id, gap_level in mappings:
        state = ControlState(control_id, gap_level, tuple(questions.get(control_id, ())))
        controls[code].append(state)
    requirements = [
        RequirementState(code, tuple(sorted(found, key=lambda c: c.control_id)))
        for code, found in sorted(controls.items(), key=lambda item: _natural(item[0]))
    ]
    by_domain: dict[str, Counter] = defaultdict(Counter)
    for requirement in requirements:
        for domain in requirement.domains:
            by_domain[domain][requirement.status] += 1
    return GapAnalysis(requirements, dict(sorted(by_domain.items())))


def _natural(code: str) -> list:
    """Numbers in order: A.5.9 before A.5.10, and CA-2 before CA-2(1)."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", code)]
