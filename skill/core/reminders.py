"""The person's one stretch reminder, as pure data: when it rings (a schedule in their local
time), the id Alexa gave it, and when they last said no to the offer of one.

No Alexa types: skill/alexa/reminders_api.py turns a schedule into a Reminders API request.
Slot values come as Alexa resolves them (AMAZON.TIME "19:00" or a part of the day, "MO";
AMAZON.DATE "2026-11-29"), and every parser here returns None on anything else: a client or a
recognizer can send any text, and a reminder nobody asked for is worse than none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any


class Repeat(StrEnum):
    DAILY = "daily"  # every day
    WEEKDAYS = "weekdays"  # Monday to Friday
    ONCE = "once"  # one day only (`ReminderSchedule.on`)


# AMAZON.TIME's parts of the day, as the clock time a reminder rings at.
PARTS_OF_DAY = {"MO": (8, 0), "AF": (14, 0), "EV": (18, 0), "NI": (20, 0)}
# re.ASCII: \d is 0-9 only (not "١٩:٠٠", which int() would read).
_CLOCK = re.compile(r"(\d{2}):(\d{2})(?::\d{2})?", re.ASCII)
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_TOKEN = re.compile(
    r"(daily|weekdays)@(\d{2}):(\d{2})|once@(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})", re.ASCII
)
_MAX_TOKEN = 32  # the longest token is 21 characters
_MAX_ALERT_TOKEN = 128  # Alexa's alert tokens are UUID-like; the session bounds strings at 128
_ALERT_TOKEN = re.compile(r"[A-Za-z0-9._:\-]+", re.ASCII)
_WEEKEND = 5  # date.weekday() of Saturday
_ROUND_SECONDS = 15 * 60


class ReminderReply(StrEnum):
    """The reminder turns (skill/core/reminder_turns.py): what happened, said one way each.
    Here, not there, because a "repeat" recipe names one (session_state.Replay)."""

    ASK_TIME = "ask_time"  # "set a reminder" with no time: "What time ...?"
    ASK_PERMISSION = "ask_permission"  # the turn that asks Alexa for the permission (AskFor)
    SET = "set"
    UPDATED = "updated"
    STATUS = "status"
    NONE_SET = "none_set"  # with a schedule: and the offer of one
    CANCELLED = "cancelled"
    OFFER = "offer"  # after "no" to hearing the week
    OFFER_DECLINED = "offer_declined"
    DENIED = "denied"  # the permission, by voice
    NOT_ANSWERED = "not_answered"
    CARD_SENT = "card_sent"  # no voice consent: the permission card went to the Alexa app
    REVOKED = "revoked"  # the API said 401/403
    BUSY = "busy"  # 429
    UNREACHABLE = "unreachable"  # 5xx, a time-out, no answer
    NO_PROFILE = "no_profile"  # no user id, or the store is down: the id could not be kept


# The replies that say a schedule, and those that may (the others keep none).
REMINDER_NEEDS_SCHEDULE = frozenset(
    {
        ReminderReply.ASK_PERMISSION,
        ReminderReply.SET,
        ReminderReply.UPDATED,
        ReminderReply.STATUS,
        ReminderReply.OFFER,
    }
)
REMINDER_MAY_SAY_SCHEDULE = REMINDER_NEEDS_SCHEDULE | {
    ReminderReply.NONE_SET,
    ReminderReply.CANCELLED,
}


@dataclass(frozen=True)
class ReminderSchedule:
    """When the reminder rings, in the person's local time."""

    hour: int  # 0-23
    minute: int  # 0-59
    repeat: Repeat = Repeat.DAILY
    on: date | None = None  # ONCE only: the local day; None for the repeating kinds

    def __post_init__(self) -> None:
        if not (0 <= self.hour <= 23 and 0 <= self.minute <= 59):
            raise ValueError(f"no such time: {self.hour}:{self.minute}")
        if (self.repeat is Repeat.ONCE) != (self.on is not None):
            raise ValueError("a day goes with ONCE, and only with ONCE")

    def token(self) -> str:
        """Compact and exact: "daily@19:00", "weekdays@08:00", "once@2026-11-29T08:00"."""
        clock = f"{self.hour:02d}:{self.minute:02d}"
        if self.on is not None:
            return f"{self.repeat.value}@{self.on.isoformat()}T{clock}"
        return f"{self.repeat.value}@{clock}"

    @classmethod
    def from_token(cls, text: Any) -> ReminderSchedule | None:
        """The schedule `token` wrote, else None (never raises)."""
        if not isinstance(text, str) or len(text) > _MAX_TOKEN:
            return None
        match = _TOKEN.fullmatch(text)
        if match is None:
            return None
        kind, hour, minute, day, once_hour, once_minute = match.groups()
        if kind is not None:
            return _schedule(int(hour), int(minute), Repeat(kind))
        on = iso_day(day)
        if on is None:
            return None
        return _schedule(int(once_hour), int(once_minute), Repeat.ONCE, on)

    def first_after(self, now_local: datetime) -> datetime:
        """The first time it rings strictly after `now_local` (naive local wall time). A ONCE
        schedule rings only on its day: that moment, even when it is not after `now_local`
        (`rings_after` says whether it still will)."""
        at = time(self.hour, self.minute)
        if self.on is not None:
            return datetime.combine(self.on, at)
        day = now_local.date()
        while True:
            moment = datetime.combine(day, at)
            if moment > now_local and (self.repeat is Repeat.DAILY or day.weekday() < _WEEKEND):
                return moment
            day += timedelta(days=1)

    def rings_after(self, now_local: datetime) -> bool:
        """Whether it will ring after `now_local` (a repeating one always will)."""
        return self.first_after(now_local) > now_local


@dataclass(frozen=True)
class ReminderRecord:
    """What the profile keeps (its `reminder` field, a JSON dict)."""

    alert_token: str | None = None  # the id Alexa gave the reminder; None: none set
    schedule: ReminderSchedule | None = None
    declined_on: date | None = None  # the local day the person last said no to the offer

    def to_dict(self) -> dict[str, Any] | None:
        """None when there is nothing to keep."""
        data: dict[str, Any] = {}
        if self.alert_token is not None:
            data["alert_token"] = self.alert_token
        if self.schedule is not None:
            data["schedule"] = self.schedule.token()
        if self.declined_on is not None:
            data["declined_on"] = self.declined_on.isoformat()
        return data or None

    @classmethod
    def from_dict(cls, data: Any) -> ReminderRecord:
        """What `to_dict` wrote; anything else reads as an empty record (never raises). Each
        field is read on its own: a bad one is dropped, the others kept."""
        if not isinstance(data, dict):
            return cls()
        alert = data.get("alert_token")
        if not (
            isinstance(alert, str)
            and len(alert) <= _MAX_ALERT_TOKEN
            and _ALERT_TOKEN.fullmatch(alert)
        ):
            alert = None
        return cls(
            alert_token=alert,
            schedule=ReminderSchedule.from_token(data.get("schedule")),
            declined_on=iso_day(data.get("declined_on")),
        )


def parse_time(value: Any) -> tuple[int, int] | None:
    """An AMAZON.TIME value as (hour, minute): "19:00", "07:30", or a part of the day ("MO"
    is 8 AM); None for anything else ("PM", "", "25:00")."""
    if not isinstance(value, str):
        return None
    value = value.strip().upper()
    if value in PARTS_OF_DAY:
        return PARTS_OF_DAY[value]
    match = _CLOCK.fullmatch(value)
    if match is None:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        return None
    return hour, minute


def schedule_from_slots(
    time_value: str | None,
    date_value: str | None,
    repeat_id: str | None,
    now_local: datetime,
    current: ReminderSchedule | None = None,
) -> ReminderSchedule | None:
    """The schedule a SetReminderIntent asks for. The time is the slot's, as said (unlike
    `with_new_time`: "remind me at 8 am" is how people set one, and the answer says the time
    back), else the current reminder's ("remind me on weekdays" moves it to weekdays); the
    repeat is the slot's (daily, weekdays), else one day when a day was said, else the current
    reminder's repeat, else every day. None when no time can be had, or for one day already
    past (the person is asked for a time again rather than given a reminder that never rings).
    A date that is not one day ("this weekend": "2026-W48-WE") is left out."""
    repeat = _repeat(repeat_id)
    if repeat is Repeat.ONCE:  # the slot type names daily and weekdays only
        repeat = None
    part = _PART_OF_REPEAT.get(str(repeat_id).strip().lower())
    if part is not None:  # "every night", "every morning": daily, at that part of the day
        repeat = Repeat.DAILY
    clock = parse_time(time_value)
    if clock is not None and part == "EV" and 1 <= clock[0] <= 11:
        clock = (clock[0] + 12, clock[1])  # "every night at 9" is 9 PM
    if clock is None and part is not None:
        clock = PARTS_OF_DAY[part]  # "remind me every morning": 8 AM, as "morning" alone
    if clock is None and current is not None:
        clock = (current.hour, current.minute)
    if clock is None:
        return None
    hour, minute = clock
    on = iso_day(date_value) if repeat is None else None
    if on is not None:
        once = ReminderSchedule(hour, minute, Repeat.ONCE, on)
        return once if once.rings_after(now_local) else None
    if repeat is None:
        keep = current is not None and current.repeat is not Repeat.ONCE
        repeat = current.repeat if keep and current is not None else Repeat.DAILY
    return ReminderSchedule(hour, minute, repeat)


def offer_schedule(now_local: datetime) -> ReminderSchedule:
    """Every day at this time of day, to the quarter hour before it (7:14 PM is 7:00 PM): so
    the offer's "tomorrow at 7 PM" is true, as the first time after the "yes" is tomorrow's
    (rounded up, 7:08 PM would be 7:15 PM, ringing minutes after the session)."""
    seconds = now_local.hour * 3600 + now_local.minute * 60 + now_local.second
    minutes = seconds // _ROUND_SECONDS * 15
    return ReminderSchedule(minutes // 60, minutes % 60, Repeat.DAILY)


def offer_due(record: ReminderRecord, today: date, pause_days: int) -> bool:
    """Whether to offer a reminder: the person has none, and has not said no to the offer in
    the last `pause_days` days (Amazon's guidelines ask for a pause after a no). The store
    being reachable, and once a session, are the handler's to check."""
    if record.alert_token is not None:
        return False
    if record.declined_on is None:
        return True
    return (today - record.declined_on).days >= pause_days


def with_new_time(current: ReminderSchedule, time_value: str) -> ReminderSchedule | None:
    """The same reminder at the time said ("change my reminder to 8"). AMAZON.TIME gives an
    hour said without am/pm as the morning's ("08:00"), so an hour from 1 to 11 keeps the half
    of the day of the current reminder: 7 PM changed to "08:00" is 8 PM. None when the value is
    not a time."""
    clock = parse_time(time_value)
    if clock is None:
        return None
    hour, minute = _same_half(clock, time_value, current)
    return replace(current, hour=hour, minute=minute)


def _same_half(clock: tuple[int, int], value: Any, current: ReminderSchedule) -> tuple[int, int]:
    """A clock time of 1 to 11 o'clock in the afternoon when the current reminder is in the
    afternoon or evening; parts of the day ("EV") are exact and stay as they are."""
    hour, minute = clock
    said_clock = isinstance(value, str) and value.strip().upper() not in PARTS_OF_DAY
    if said_clock and 1 <= hour <= 11 and current.hour >= 12:
        hour += 12
    return hour, minute


def recipe_schedule(
    data: dict[str, Any], reminder: bool, progress: bool
) -> tuple[bool, str | None, date | None]:
    """The schedule kept in a "repeat" recipe `data` (session_state.Replay) of a reminder turn
    (its `ref` a ReminderReply), or of a progress turn, which may end with the offer of one:
    whether the recipe is one the coach can compose (a reply it knows; a schedule where the
    reply says one; one that is there is valid), the schedule's token as `token` writes it, and
    the day a one-day schedule was said on ("tomorrow" depends on it)."""
    said = _reply(data.get("ref")) if reminder else None
    if reminder and said is None:
        return False, None, None
    needs = said in REMINDER_NEEDS_SCHEDULE
    may = progress or said in REMINDER_MAY_SAY_SCHEDULE
    schedule = ReminderSchedule.from_token(data.get("schedule")) if may else None
    if schedule is None:
        return not needs and not (may and "schedule" in data), None, None
    today = iso_day(data.get("today")) if schedule.repeat is Repeat.ONCE else None
    return True, schedule.token(), today


def _reply(value: Any) -> ReminderReply | None:
    if not isinstance(value, str):
        return None
    try:
        return ReminderReply(value)
    except ValueError:
        return None


def _schedule(
    hour: int, minute: int, repeat: Repeat, on: date | None = None
) -> ReminderSchedule | None:
    try:
        return ReminderSchedule(hour, minute, repeat, on)
    except ValueError:
        return None


def iso_day(value: Any) -> date | None:
    """A day written "2026-11-29", else None (never raises)."""
    if not isinstance(value, str) or not _DAY.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


# REMINDER_REPEAT ids that are every day at a part of the day (AMAZON.TIME's codes).
_PART_OF_REPEAT = {"mornings": "MO", "evenings": "EV"}


def _repeat(value: Any) -> Repeat | None:
    """The REMINDER_REPEAT slot's id ("daily", "weekdays"), else None."""
    if not isinstance(value, str):
        return None
    try:
        return Repeat(value.strip().lower())
    except ValueError:
        return None
