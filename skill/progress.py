"""Pure day/streak maths for stretching progress.

Kept free of I/O so the rules (ISO weeks starting Monday, a streak that may
end yesterday) can be tested exhaustively without a database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True, slots=True)
class DayCount:
    """Completed holds and sessions on one local day of one person."""

    day: date
    holds: int = 0
    sessions: int = 0

    @property
    def active(self) -> bool:
        """A day counts as stretched once any hold or session was finished."""
        return self.holds > 0 or self.sessions > 0


@dataclass(frozen=True, slots=True)
class ProgressSummary:
    """What the skill tells a person about their progress."""

    days_this_week: int = 0
    streak_days: int = 0
    total_sessions: int = 0
    total_holds: int = 0
    stretched_today: bool = False


def week_start(day: date) -> date:
    """Monday of the ISO week containing ``day``."""
    return day - timedelta(days=day.weekday())


def streak_length(active_days: set[date], today: date) -> int:
    """Consecutive stretched days ending today, or yesterday if not yet today.

    Counting from yesterday keeps a streak alive in the morning before the
    person has stretched; a whole missed day breaks it.
    """
    if today in active_days:
        cursor = today
    elif today - timedelta(days=1) in active_days:
        cursor = today - timedelta(days=1)
    else:
        return 0
    length = 0
    while cursor in active_days:
        length += 1
        cursor -= timedelta(days=1)
    return length


def summarize(days: Iterable[DayCount], today: date) -> ProgressSummary:
    """Fold per-day counters into a summary as seen on ``today``.

    Totals include every row (a day "after" today can exist when a device's
    time zone changed); week and streak only look at days up to ``today``.
    """
    rows = list(days)
    active = {r.day for r in rows if r.active and r.day <= today}
    monday = week_start(today)
    return ProgressSummary(
        days_this_week=sum(1 for d in active if d >= monday),
        streak_days=streak_length(active, today),
        total_sessions=sum(r.sessions for r in rows),
        total_holds=sum(r.holds for r in rows),
        stretched_today=today in active,
    )
