"""The person's one stretch reminder, as pure data: when it rings (a schedule in their local
time), the id Alexa gave it, and when they last said no to the offer of one.

No Alexa types: skill/alexa/reminders_api.py turns a schedule into a Reminders API request.
SCAFFOLDING (issue 20): the core helper completes this module; the names below are fixed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any


class Repeat(StrEnum):
    DAILY = "daily"  # every day
    WEEKDAYS = "weekdays"  # Monday to Friday
    ONCE = "once"  # one day only (`ReminderSchedule.on`)


@dataclass(frozen=True)
class ReminderSchedule:
    """When the reminder rings, in the person's local time."""

    hour: int  # 0-23
    minute: int  # 0-59
    repeat: Repeat = Repeat.DAILY
    on: date | None = None  # ONCE only: the local day; None for the repeating kinds

    def token(self) -> str:
        """Compact and exact: "daily@19:00", "weekdays@08:00", "once@2026-11-29T08:00"."""
        raise NotImplementedError

    @classmethod
    def from_token(cls, text: Any) -> ReminderSchedule | None:
        """The schedule `token` wrote, else None (never raises)."""
        raise NotImplementedError

    def first_after(self, now_local: datetime) -> datetime:
        """The first time it rings strictly after `now_local` (naive local wall time)."""
        raise NotImplementedError


@dataclass(frozen=True)
class ReminderRecord:
    """What the profile keeps (its `reminder` field, a JSON dict)."""

    alert_token: str | None = None  # the id Alexa gave the reminder; None: none set
    schedule: ReminderSchedule | None = None
    declined_on: date | None = None  # the local day the person last said no to the offer

    def to_dict(self) -> dict[str, Any] | None:
        """None when there is nothing to keep."""
        raise NotImplementedError

    @classmethod
    def from_dict(cls, data: Any) -> ReminderRecord:
        """What `to_dict` wrote; anything else reads as an empty record (never raises)."""
        raise NotImplementedError
