"""What copying a questionnaire forward into another catalog version does to its answers, worked
out before anything is written (the preview of caiq.services.questionnaire_copy_forward, which
applies the same rule: a question is the same when its ID is, and its text changed when the
comparable texts differ).

Pure: takes (code, text[, answer]) rows, returns plain dataclasses; ``word_diff`` marks what
changed in a question's text for the side-by-side view.
"""

import difflib
import re
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .xlsx.layout import comparable


@dataclass(frozen=True)
class Changed:
    code: str
    old_text: str
    new_text: str
    answer: str


@dataclass(frozen=True)
class Gone:
    code: str
    text: str
    answer: str


@dataclass
class CarryPlan:
    unchanged: list[str] = field(default_factory=list)  # same text: answers carry as they are
    changed: list[Changed] = field(default_factory=list)  # carried, flagged to re-confirm
    new: list[tuple[str, str]] = field(default_factory=list)  # (code, text): start empty
    gone: list[Gone] = field(default_factory=list)  # no question any more: kept in the source

    @property
    def counts(self) -> dict[str, int]:
        return {
            "unchanged": len(self.unchanged),
            "changed": len(self.changed),
            "new": len(self.new),
            "gone": len(self.gone),
        }


def plan(old: list[tuple[str, str, str]], new: list[tuple[str, str]]) -> CarryPlan:
    """``old``: (code, text, answer) of the source questionnaire; ``new``: (code, text) of the
    target catalog, in its order."""
    before = {code: (text, answer) for code, text, answer in old}
    result = CarryPlan()
    for code, text in new:
        if code not in before:
            result.new.append((code, text))
            continue
        old_text, answer = before[code]
        if comparable(old_text) == comparable(text):
            result.unchanged.append(code)
        else:
            result.changed.append(Changed(code, old_text, text, answer))
    codes = {code for code, _text in new}
    result.gone = [Gone(code, text, answer) for code, text, answer in old if code not in codes]
    return result


# Words with the blanks after them: a change shows as whole words, not words and spaces apart.
_WORDS = re.compile(r"\S+\s*|\s+")


def word_diff(old: str, new: str) -> tuple[SafeString, SafeString]:
    """Both texts as HTML, words removed from the old one in <del>, added to the new in <ins>."""
    a, b = _WORDS.findall(old), _WORDS.findall(new)
    left, right = [], []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        removed, added = escape("".join(a[i1:i2])), escape("".join(b[j1:j2]))
        if op == "equal":
            left.append(removed)
            right.append(added)
            continue
        if removed:
            left.append(f"<del>{removed}</del>")
        if added:
            right.append(f"<ins>{added}</ins>")
    return mark_safe("".join(left)), mark_safe("".join(right))  # noqa: S308 - escaped above
