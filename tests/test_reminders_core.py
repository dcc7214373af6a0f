"""The stretch reminder as data: schedules and their tokens, the profile's record, what the
slots of "remind me ..." give, the offered time, and when the offer is due."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skill.core.content import load_content
from skill.core.reminders import (
    ReminderRecord,
    ReminderSchedule,
    Repeat,
    offer_due,
    offer_schedule,
    parse_time,
    schedule_from_slots,
    with_new_time,
)

NOW = datetime(2026, 11, 28, 19, 8)  # a Saturday evening
SUNDAY = date(2026, 11, 29)
DAILY_7PM = ReminderSchedule(19, 0)
SCHEDULES = [
    DAILY_7PM,
    ReminderSchedule(8, 0, Repeat.WEEKDAYS),
    ReminderSchedule(0, 5),
    ReminderSchedule(23, 59, Repeat.ONCE, SUNDAY),
]


# --- tokens and records ---------------------------------------------------------------------


@pytest.mark.parametrize("schedule", SCHEDULES, ids=lambda s: s.token())
def test_a_schedule_round_trips_through_its_token(schedule: ReminderSchedule) -> None:
    assert ReminderSchedule.from_token(schedule.token()) == schedule


def test_tokens_are_compact_and_exact() -> None:
    assert DAILY_7PM.token() == "daily@19:00"
    assert ReminderSchedule(8, 0, Repeat.WEEKDAYS).token() == "weekdays@08:00"
    assert ReminderSchedule(8, 0, Repeat.ONCE, SUNDAY).token() == "once@2026-11-29T08:00"


@pytest.mark.parametrize(
    "junk",
    [
        None,
        19,
        ["daily@19:00"],
        "",
        "daily@24:00",
        "daily@19:60",
        "daily@7:00",
        "hourly@19:00",
        "once@19:00",  # one day needs its day
        "daily@2026-11-29T08:00",  # a repeating one has none
        "once@2026-02-30T08:00",
        "once@2026-11-29T08:00 ",
        "DAILY@19:00",
        "daily@19:00" * 10,
        "daily@١٩:٠٠",  # digits that are not ASCII
    ],
)
def test_from_token_refuses_anything_else(junk: Any) -> None:
    assert ReminderSchedule.from_token(junk) is None


@given(st.one_of(st.text(max_size=40), st.integers(), st.none(), st.lists(st.text(), max_size=3)))
def test_from_token_never_raises(junk: Any) -> None:
    schedule = ReminderSchedule.from_token(junk)
    assert schedule is None or schedule.token() == junk


def test_a_schedule_that_cannot_be_is_refused_when_built() -> None:
    with pytest.raises(ValueError, match="no such time"):
        ReminderSchedule(24, 0)
    with pytest.raises(ValueError, match="ONCE"):
        ReminderSchedule(8, 0, Repeat.ONCE)
    with pytest.raises(ValueError, match="ONCE"):
        ReminderSchedule(8, 0, Repeat.DAILY, SUNDAY)


def test_a_record_round_trips_through_json() -> None:
    record = ReminderRecord("amzn1.alert.3f2a-9b", DAILY_7PM, date(2026, 11, 1))
    data = json.loads(json.dumps(record.to_dict()))
    assert data == {
        "alert_token": "amzn1.alert.3f2a-9b",
        "schedule": "daily@19:00",
        "declined_on": "2026-11-01",
    }
    assert ReminderRecord.from_dict(data) == record
    assert ReminderRecord().to_dict() is None  # nothing to keep
    assert ReminderRecord.from_dict(None) == ReminderRecord()


def test_a_record_drops_each_bad_field_on_its_own() -> None:
    data = {"alert_token": "<speak>x</speak>", "schedule": "daily@19:00", "declined_on": "soon"}
    assert ReminderRecord.from_dict(data) == ReminderRecord(schedule=DAILY_7PM)
    data = {"alert_token": "a" * 500, "schedule": 7, "declined_on": "2026-11-01"}
    assert ReminderRecord.from_dict(data) == ReminderRecord(declined_on=date(2026, 11, 1))


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=20,
)
RECORD_KEYS = st.sampled_from(["alert_token", "schedule", "declined_on", "other"])


@given(st.one_of(JSON, st.dictionaries(RECORD_KEYS, JSON)))
def test_from_dict_never_raises_and_keeps_only_what_it_could_write(junk: Any) -> None:
    record = ReminderRecord.from_dict(junk)
    assert ReminderRecord.from_dict(record.to_dict()) == record


# --- when it rings --------------------------------------------------------------------------


def test_first_after_is_strictly_later() -> None:
    assert DAILY_7PM.first_after(NOW) == datetime(2026, 11, 29, 19, 0)  # 7:08 PM: tomorrow
    assert DAILY_7PM.first_after(datetime(2026, 11, 28, 18, 59)) == datetime(2026, 11, 28, 19)
    assert DAILY_7PM.first_after(datetime(2026, 11, 28, 19, 0)) == datetime(2026, 11, 29, 19)
    weekdays = ReminderSchedule(8, 0, Repeat.WEEKDAYS)
    assert weekdays.first_after(NOW) == datetime(2026, 11, 30, 8, 0)  # Saturday: Monday
    assert weekdays.first_after(datetime(2026, 11, 27, 7, 0)) == datetime(2026, 11, 27, 8)
    once = ReminderSchedule(8, 0, Repeat.ONCE, SUNDAY)
    assert once.first_after(NOW) == datetime(2026, 11, 29, 8, 0)
    assert once.rings_after(NOW)
    assert not once.rings_after(datetime(2026, 11, 29, 9, 0))


# --- the slots of "remind me ..." ------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "clock"),
    [
        ("19:00", (19, 0)),
        ("07:30", (7, 30)),
        ("08:15:00", (8, 15)),
        ("MO", (8, 0)),
        ("AF", (14, 0)),
        ("EV", (18, 0)),
        ("NI", (20, 0)),
        ("ev", (18, 0)),
        ("PM", None),
        ("25:00", None),
        ("7", None),
        ("١٩:٠٠", None),
        ("", None),
        (None, None),
        (19, None),
    ],
)
def test_time_values(value: Any, clock: tuple[int, int] | None) -> None:
    assert parse_time(value) == clock


@pytest.mark.parametrize(
    ("slots", "token"),
    [
        # "remind me to stretch every day at 7 pm"
        (("19:00", None, "daily"), "daily@19:00"),
        # "remind me on weekdays at 8"
        (("08:00", None, "weekdays"), "weekdays@08:00"),
        # "remind me tomorrow morning"
        (("MO", "2026-11-29", None), "once@2026-11-29T08:00"),
        # "remind me in the evening": no day, no repeat, so every day
        (("EV", None, None), "daily@18:00"),
        # "at 7 pm", the answer to "What time should I remind you?"
        (("19:00", None, None), "daily@19:00"),
        # a repeat and a day: the repeat wins ("every day from tomorrow")
        (("19:00", "2026-11-29", "daily"), "daily@19:00"),
        # "this weekend" is not one day: left out
        (("19:00", "2026-W48-WE", None), "daily@19:00"),
        (("19:00", None, "hourly"), "daily@19:00"),
        # "remind me every night at 9": Alexa hears 09:00, the night makes it 9 PM
        (("09:00", None, "evenings"), "daily@21:00"),
        (("21:30", None, "evenings"), "daily@21:30"),
        (("00:30", None, "evenings"), "daily@00:30"),  # "half past midnight" stays
        # "remind me every morning": 8 AM, as "morning" alone; "every morning at 7" as said
        ((None, None, "mornings"), "daily@08:00"),
        (("07:00", None, "mornings"), "daily@07:00"),
        ((None, None, "evenings"), "daily@18:00"),
    ],
)
def test_schedule_from_slots(slots: tuple[Any, Any, Any], token: str) -> None:
    schedule = schedule_from_slots(*slots, NOW)
    assert schedule is not None
    assert schedule.token() == token


def test_no_time_no_schedule() -> None:
    assert schedule_from_slots(None, None, None, NOW) is None  # "set a reminder"
    assert schedule_from_slots(None, "2026-11-29", None, NOW) is None  # "remind me tomorrow"
    assert schedule_from_slots("PM", None, "daily", NOW) is None


def test_a_day_already_past_is_no_schedule() -> None:
    assert schedule_from_slots("07:00", "2026-11-28", None, NOW) is None  # this morning
    assert schedule_from_slots("21:00", "2026-11-28", None, NOW) is not None  # tonight


def test_the_current_reminder_fills_in_what_was_not_said() -> None:
    weekdays_7pm = ReminderSchedule(19, 0, Repeat.WEEKDAYS)
    # "remind me every day": the time is the current one's
    assert schedule_from_slots(None, None, "daily", NOW, weekdays_7pm) == DAILY_7PM
    # "remind me at 8 am": the repeat is the current one's, the time as said
    moved = schedule_from_slots("08:00", None, None, NOW, weekdays_7pm)
    assert moved == ReminderSchedule(8, 0, Repeat.WEEKDAYS)
    # a one-day current reminder does not make the next one a one-day one
    once = ReminderSchedule(8, 0, Repeat.ONCE, SUNDAY)
    assert schedule_from_slots("09:00", None, None, NOW, once) == ReminderSchedule(9, 0)


# --- "change my reminder to 8" ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "value", "expected"),
    [
        (DAILY_7PM, "08:00", ReminderSchedule(20, 0)),  # 7 PM to "8": 8 PM
        (DAILY_7PM, "11:30", ReminderSchedule(23, 30)),
        (DAILY_7PM, "12:00", ReminderSchedule(12, 0)),  # noon is said as it is
        (DAILY_7PM, "21:00", ReminderSchedule(21, 0)),
        (DAILY_7PM, "MO", ReminderSchedule(8, 0)),  # "in the morning" is exact
        (ReminderSchedule(7, 0), "08:00", ReminderSchedule(8, 0)),  # the morning stays
        (ReminderSchedule(7, 0), "20:00", ReminderSchedule(20, 0)),
        (ReminderSchedule(12, 30), "01:00", ReminderSchedule(13, 0)),  # 12:30 PM is afternoon
        (
            ReminderSchedule(19, 0, Repeat.WEEKDAYS),
            "08:15",
            ReminderSchedule(20, 15, Repeat.WEEKDAYS),
        ),
        (
            ReminderSchedule(19, 0, Repeat.ONCE, SUNDAY),
            "08:00",
            ReminderSchedule(20, 0, Repeat.ONCE, SUNDAY),
        ),
    ],
)
def test_with_new_time_keeps_the_repeat_and_the_half_of_the_day(
    current: ReminderSchedule, value: str, expected: ReminderSchedule
) -> None:
    assert with_new_time(current, value) == expected


def test_with_new_time_needs_a_time() -> None:
    assert with_new_time(DAILY_7PM, "later") is None
    assert with_new_time(DAILY_7PM, "") is None


# --- the offer --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "token"),
    [
        (datetime(2026, 11, 28, 19, 8), "daily@19:00"),
        (datetime(2026, 11, 28, 19, 14, 59), "daily@19:00"),  # never up: it would ring today
        (datetime(2026, 11, 28, 19, 15, 0), "daily@19:15"),
        (datetime(2026, 11, 28, 19, 0, 0), "daily@19:00"),
        (datetime(2026, 11, 28, 23, 59, 59), "daily@23:45"),
        (datetime(2026, 11, 28, 0, 7, 29), "daily@00:00"),
        (datetime(2026, 11, 28, 11, 44), "daily@11:30"),
    ],
)
def test_the_offer_is_daily_at_the_quarter_hour_before_now(now: datetime, token: str) -> None:
    schedule = offer_schedule(now)
    assert schedule.token() == token
    # what "tomorrow at ..." promises: the first time it rings after now is tomorrow
    assert schedule.first_after(now).date() == (now + timedelta(days=1)).date()


def test_the_offer_waits_after_a_no() -> None:
    pause = load_content().routine.offer_pause_days
    assert pause == 30
    today = date(2026, 11, 28)
    assert offer_due(ReminderRecord(), today, pause)
    assert not offer_due(ReminderRecord("amzn1.alert.1", DAILY_7PM), today, pause)  # has one
    assert not offer_due(ReminderRecord(declined_on=today), today, pause)
    assert not offer_due(ReminderRecord(declined_on=date(2026, 10, 30)), today, pause)  # 29 days
    assert offer_due(ReminderRecord(declined_on=date(2026, 10, 29)), today, pause)  # 30 days
    assert not offer_due(ReminderRecord(declined_on=date(2026, 11, 29)), today, pause)  # skew


def test_the_pause_is_content_and_kept_to_amazons_minimum(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.test_content import _broken

    def too_short(data: dict[str, Any]) -> None:
        data["routine"]["offer_pause_days"] = 3

    error = _broken(monkeypatch, "stretches.yaml", too_short)
    assert error.key == "routine.offer_pause_days"
    error = _broken(monkeypatch, "stretches.yaml", lambda d: d["routine"].pop("offer_pause_days"))
    assert error.key == "routine.offer_pause_days"
