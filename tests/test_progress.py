"""Pure streak/week maths (no database)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from skill.core.progress import (
    DayCount,
    ProgressSummary,
    streak_length,
    summarize,
    week_start,
)


def days(*ds: date) -> list[DayCount]:
    return [DayCount(d, holds=1) for d in ds]


def test_week_start_is_monday_across_year_end() -> None:
    assert week_start(date(2025, 1, 1)) == date(2024, 12, 30)  # ISO week 1 of 2025
    assert week_start(date(2024, 12, 29)) == date(2024, 12, 23)  # a Sunday
    assert week_start(date(2024, 12, 30)) == date(2024, 12, 30)


def test_streak_spans_month_and_year_boundaries() -> None:
    today = date(2025, 1, 2)
    active = {today - timedelta(days=n) for n in range(5)}
    assert streak_length(active, today) == 5
    assert streak_length(active, today + timedelta(days=1)) == 5  # from yesterday
    assert streak_length(active, today + timedelta(days=2)) == 0


def test_empty_history() -> None:
    assert summarize([], date(2024, 5, 15)) == ProgressSummary()


def test_zero_rows_and_future_days_do_not_count_as_stretched() -> None:
    today = date(2024, 5, 15)
    rows = [
        DayCount(today, 0, 0),
        *days(today - timedelta(days=1)),
        DayCount(today + timedelta(days=1), 2, 1),
    ]
    s = summarize(rows, today)
    assert (s.stretched_today, s.streak_days, s.days_this_week) == (False, 1, 1)
    assert (s.total_holds, s.total_sessions) == (3, 1)  # totals keep every row


def _streak_by_walking_dates(active: set[date], today: date) -> int:
    """The rule, spelled out one date at a time (what streak_length computes on ordinals)."""
    cursor = today if today in active else today - timedelta(days=1)
    length = 0
    while cursor in active:
        length += 1
        cursor -= timedelta(days=1)
    return length


@given(
    st.sets(st.integers(min_value=-60, max_value=5), max_size=66),
    st.dates(min_value=date(2000, 1, 3), max_value=date(2100, 1, 1)),
)
def test_streak_length_is_the_walk_back_from_today_or_yesterday(
    offsets: set[int], today: date
) -> None:
    active = {today + timedelta(days=offset) for offset in offsets}
    assert streak_length(active, today) == _streak_by_walking_dates(active, today)
