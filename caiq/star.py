"""The STAR Registry's clock, as pure rules: an entry is valid for one year from its submission;
it is "due for renewal" in its last 60 days and "deprecated" after (CSA marks it so). Reminders
go out at 60, 30 and 7 days before, each once."""

import datetime
from dataclasses import dataclass

# CSA accepts only CAIQ v4.1 for new STAR Registry entries after this month.
V41_DEADLINE = datetime.date(2027, 12, 31)
V41 = (4, 1)
DUE_DAYS = 60
REMINDER_DAYS = (60, 30, 7)
CURRENT, DUE, DEPRECATED = "current", "due", "deprecated"
LABELS = {CURRENT: "Current", DUE: "Due for renewal", DEPRECATED: "Deprecated"}


def valid_until(submitted_at: datetime.date) -> datetime.date:
    """One year later, the same day; a 29 February submission runs to 28 February."""
    try:
        return submitted_at.replace(year=submitted_at.year + 1)
    except ValueError:
        return submitted_at.replace(year=submitted_at.year + 1, day=28)


@dataclass(frozen=True)
class Entry:
    submitted_at: datetime.date
    valid_until: datetime.date
    state: str
    days_left: int

    @property
    def label(self) -> str:
        return LABELS[self.state]


def entry(submitted_at: datetime.date | None, today: datetime.date) -> Entry | None:
    """The registry entry of a questionnaire submitted on ``submitted_at`` (None: not submitted)."""
    if submitted_at is None:
        return None
    until = valid_until(submitted_at)
    days_left = (until - today).days
    state = DEPRECATED if days_left < 0 else DUE if days_left <= DUE_DAYS else CURRENT
    return Entry(submitted_at, until, state, days_left)


def reminder_due(days_left: int, last_reminded: int | None) -> int | None:
    """The reminder to send now, by its threshold in days, or None. The smallest threshold the
    entry has reached, if no reminder at that threshold or a smaller one went out: a run that
    was missed for a while sends the latest reminder once, not every one it skipped."""
    if days_left < 0:
        return None
    reached = [days for days in REMINDER_DAYS if days_left <= days]
    if not reached:
        return None
    threshold = min(reached)
    if last_reminded is not None and last_reminded <= threshold:
        return None
    return threshold
