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


_ONE_DAY = timedelta(days=1)


def week_start(day: date) -> date:
    """Monday of the ISO week containing ``day``."""
    return day - timedelta(days=day.weekday())


def streak_length(active_days: set[date], today: date) -> int:
    """Consecutive stretched days ending today, or yesterday if not yet today.

    Counting from yesterday keeps a streak alive in the morning before the
    person has stretched; a whole missed day breaks it. (Counted on day
    numbers: a year-long streak is walked in microseconds, not with a new
    date and timedelta per day.)
    """
    if today in active_days:
        end = today
    elif today - _ONE_DAY in active_days:
        end = today - _ONE_DAY
    else:
        return 0
    ordinals = {day.toordinal() for day in active_days}
    cursor = end.toordinal()
    while cursor in ordinals:
        cursor -= 1
    return end.toordinal() - cursor


def summarize(days: Iterable[DayCount], today: date) -> ProgressSummary:
    """Fold per-day counters into a summary as seen on ``today``.

    Totals include every row (a day "after" today can exist when a device's
    time zone changed); week and streak only look at days up to ``today``.
    """
    rows = list(days)
    return summarize_active(
        {r.day for r in rows if r.active and r.day <= today},
        today,
        total_sessions=sum(r.sessions for r in rows),
        total_holds=sum(r.holds for r in rows),
    )


def summarize_active(
    active: set[date], today: date, *, total_sessions: int, total_holds: int
) -> ProgressSummary:
    """The summary from what a database folds for us (see ProgressStore.summary): the
    stretched days up to ``today``, and the totals over every row."""
    monday = week_start(today)
    return ProgressSummary(
        days_this_week=sum(1 for d in active if d >= monday),
        streak_days=streak_length(active, today),
        total_sessions=total_sessions,
        total_holds=total_holds,
        stretched_today=today in active,
    )
