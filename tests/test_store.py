"""ProgressStore against real SQLite and PostgreSQL: profiles, progress counters, summaries and
forgetting a person. The same tests run on both backends (ids ``[sqlite]``/``[postgres]``)."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

import pytest

from skill.core.progress import DayCount, summarize
from skill.store.progress_store import ProgressStore, UserProfile
from tests.stores import MONDAY, SUNDAY, WEDNESDAY

# --- profile ----------------------------------------------------------------


def test_new_user_gets_default_profile(store: ProgressStore, user: str) -> None:
    assert store.get_profile(user) == UserProfile(None, None, False, None)


def test_profile_roundtrip_and_partial_updates(store: ProgressStore, user: str) -> None:
    resume = {"routine": "standing", "step": 3, "holds_done": [1, 2], "note": "ü"}
    store.save(
        user, hold_seconds=30, last_stretch="seated", disclaimer_heard=True, resume_point=resume
    )
    assert store.get_profile(user) == UserProfile(30, "seated", True, resume)

    store.save(user, hold_seconds=45)
    assert store.get_profile(user) == UserProfile(45, "seated", True, resume)
    store.save(user, resume_point=None, last_stretch="lying")
    assert store.get_profile(user) == UserProfile(45, "lying", True, None)
    store.save(user)  # nothing given: nothing changes
    assert store.get_profile(user) == UserProfile(45, "lying", True, None)


def test_save_counts_and_profile_in_one_go(store: ProgressStore, user: str) -> None:
    store.save(user, day=WEDNESDAY, holds=2, sessions=1, resume_point={"step": 2})
    store.save(user, day=WEDNESDAY, holds=1, last_stretch="seated")
    store.save(user, hold_seconds=40)  # profile only
    store.save(user)  # nothing: no write
    summary = store.summary(user, WEDNESDAY)
    assert (summary.total_holds, summary.total_sessions) == (3, 1)
    assert store.get_profile(user) == UserProfile(40, "seated", False, {"step": 2})
    with pytest.raises(ValueError, match="day"):
        store.save(user, holds=1)
    with pytest.raises(ValueError, match="holds"):
        store.save(user, day=WEDNESDAY, holds=-1)


def test_load_is_profile_and_summary_together(store: ProgressStore, user: str) -> None:
    store.save(user, day=WEDNESDAY, holds=2, hold_seconds=45)
    profile, summary = store.load(user, WEDNESDAY)
    assert profile == store.get_profile(user)
    assert summary == store.summary(user, WEDNESDAY)
    assert store.load("someone-new", WEDNESDAY)[0] == UserProfile()


def test_partial_update_of_new_user_keeps_defaults(store: ProgressStore, user: str) -> None:
    store.save(user, resume_point={"step": 1})
    assert store.get_profile(user) == UserProfile(None, None, False, {"step": 1})


def test_profile_rejects_bad_values(store: ProgressStore, user: str) -> None:
    with pytest.raises(TypeError, match="unknown profile fields"):
        store.save(user, pain_level=3)
    with pytest.raises(ValueError, match="hold_seconds"):
        store.save(user, hold_seconds=True)
    with pytest.raises(ValueError, match="resume_point"):
        store.save(user, resume_point={"when": datetime(2024, 1, 1)})
    with pytest.raises(ValueError, match="larger"):
        store.save(user, resume_point={"x": "y" * 5000})
    with pytest.raises(ValueError, match="user_id"):
        store.get_profile("")
    with pytest.raises(TypeError, match="date"):
        store.save(user, holds=1, day=datetime(2024, 1, 1, 12))
    assert store.get_profile(user) == UserProfile()


def test_users_are_isolated(store: ProgressStore, user: str) -> None:
    other = user + "-other"
    store.save(other, hold_seconds=20)
    store.save(other, holds=1, day=WEDNESDAY)
    assert store.get_profile(user) == UserProfile()
    assert store.summary(user, WEDNESDAY).total_holds == 0
    assert store.summary(other, WEDNESDAY).total_holds == 1


# --- progress ---------------------------------------------------------------


def test_two_day_streak_and_totals(store: ProgressStore, user: str) -> None:
    for _ in range(3):
        store.save(user, holds=1, day=WEDNESDAY)
    store.save(user, sessions=1, day=WEDNESDAY)
    store.save(user, holds=1, day=WEDNESDAY - timedelta(days=1))
    store.save(user, sessions=1, day=WEDNESDAY - timedelta(days=1))
    s = store.summary(user, WEDNESDAY)
    assert (s.streak_days, s.days_this_week, s.total_holds, s.total_sessions) == (2, 2, 4, 2)
    assert s.stretched_today


def test_streak_counts_from_yesterday_until_today_is_done(store: ProgressStore, user: str) -> None:
    store.save(user, holds=1, day=WEDNESDAY - timedelta(days=1))
    store.save(user, holds=1, day=WEDNESDAY - timedelta(days=2))
    s = store.summary(user, WEDNESDAY)
    assert (s.streak_days, s.stretched_today, s.days_this_week) == (2, False, 2)
    # Two days later without stretching the streak is gone, totals stay.
    later = store.summary(user, WEDNESDAY + timedelta(days=1))
    assert (later.streak_days, later.total_holds) == (0, 2)


def test_gap_breaks_streak(store: ProgressStore, user: str) -> None:
    for back in (0, 1, 3, 4, 5):  # 2 days ago missing
        store.save(user, holds=1, day=SUNDAY - timedelta(days=back))
    s = store.summary(user, SUNDAY)
    assert (s.streak_days, s.days_this_week) == (2, 5)


def test_week_starts_on_monday(store: ProgressStore, user: str) -> None:
    store.save(user, holds=1, day=MONDAY - timedelta(days=1))  # Sunday of the previous ISO week
    store.save(user, holds=1, day=MONDAY)
    on_monday = store.summary(user, MONDAY)
    assert (on_monday.days_this_week, on_monday.streak_days) == (1, 2)
    on_sunday = store.summary(user, SUNDAY)
    assert (on_sunday.days_this_week, on_sunday.streak_days) == (1, 0)
    next_monday = store.summary(user, SUNDAY + timedelta(days=1))
    assert next_monday.days_this_week == 0
    assert next_monday.total_holds == 2


def test_session_only_day_counts_as_stretched(store: ProgressStore, user: str) -> None:
    store.save(user, sessions=1, day=WEDNESDAY)
    s = store.summary(user, WEDNESDAY)
    assert (s.stretched_today, s.streak_days, s.total_sessions, s.total_holds) == (True, 1, 1, 0)


def test_summary_folded_by_the_database_equals_folding_every_row(
    store: ProgressStore, user: str
) -> None:
    """The store sums and lists stretched days in SQL, in one row; that must say what folding
    each day's row in Python says: random histories with gaps, days after "today" (a changed
    time zone), session-only and hold-only days, other people's days beside them."""
    rng = random.Random(20261126)
    for person in range(12):
        who = f"{user}-{person}"
        rows: dict[date, list[int]] = {}
        for _ in range(rng.randrange(0, 40)):
            day = WEDNESDAY + timedelta(days=rng.randrange(-45, 4))
            holds, sessions = rng.randrange(0, 4), rng.randrange(0, 2)
            if holds or sessions:
                store.save(who, day=day, holds=holds, sessions=sessions)
                counts = rows.setdefault(day, [0, 0])
                counts[0] += holds
                counts[1] += sessions
        store.save(user + "-someone-else", holds=1, day=WEDNESDAY)
        days = [DayCount(day, h, s) for day, (h, s) in rows.items()]
        for today in (WEDNESDAY - timedelta(days=9), WEDNESDAY, WEDNESDAY + timedelta(days=1)):
            expected = summarize(days, today)
            assert store.summary(who, today) == expected, (person, today)
            assert store.load(who, today)[1] == expected, (person, today)


def test_a_long_history_is_summarized_whole(store: ProgressStore, user: str) -> None:
    """Three years of daily stretching, one read: the whole streak and every total."""
    for back in range(1100):
        store.save(user, holds=1, day=SUNDAY - timedelta(days=back))
    summary = store.summary(user, SUNDAY)
    assert (summary.streak_days, summary.total_holds, summary.days_this_week) == (1100, 1100, 7)


def test_delete_user_forgets_everything_of_that_user_only(store: ProgressStore, user: str) -> None:
    other = user + "-other"
    for who in (user, other):
        store.save(who, hold_seconds=30, disclaimer_heard=True)
        store.save(who, holds=1, day=WEDNESDAY)
        store.save(who, sessions=1, day=WEDNESDAY)
    store.delete_user(user)
    assert store.get_profile(user) == UserProfile()
    assert store.summary(user, WEDNESDAY).total_holds == 0
    assert store.get_profile(other).hold_seconds == 30
    assert store.summary(other, WEDNESDAY).total_sessions == 1
    store.delete_user(user)  # idempotent
