"""Times and dates said in words, as Alexa fills AMAZON.TIME and AMAZON.DATE slots.

Amazon's slot type reference: AMAZON.TIME "converts words that indicate time ("four in the
morning", "two p m") into a time value ("04:00", "14:00")"; AMAZON.DATE turns "today",
"tomorrow" or "november twenty-fifth" into a complete ISO-8601 date, "on or after the current
date". A part of the day alone is a code, not a time: morning "MO", afternoon "AF", evening
"EV", night "NI" (the codes of Amazon's AMAZON.Time family; the skill maps them to an hour).
An hour said without am or pm is read as said ("8" is "08:00", "19" is "19:00"): Amazon does
not document which half of the day Alexa picks, so the skill decides (skill/core/reminders.py
keeps the half of the day of the current reminder).
A weekday name is the next such day after `today`, never today itself: "remind me on
friday", said on a Friday, means next week. "tonight" is a time (NI), not a date.
Input is normalised text (skill.simulator.nlu.normalize): "7:30 p.m." arrives as "7 30 p m".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, timedelta

from skill.simulator.nlu.numbers import NUMBER_WORDS, parse_number

PARTS_OF_DAY = {
    "morning": "MO", "this morning": "MO", "in the morning": "MO",
    "afternoon": "AF", "this afternoon": "AF", "in the afternoon": "AF",
    "evening": "EV", "this evening": "EV", "in the evening": "EV",
    "night": "NI", "tonight": "NI", "at night": "NI", "this night": "NI",
}  # fmt: skip
NAMED_TIMES = {"noon": "12:00", "midday": "12:00", "twelve noon": "12:00", "midnight": "00:00"}
# What follows an hour, and which half of the day it puts the hour in.
MERIDIEM = {
    "am": "am", "a m": "am", "in the morning": "am", "this morning": "am",
    "pm": "pm", "p m": "pm", "in the afternoon": "pm", "this afternoon": "pm",
    "in the evening": "pm", "this evening": "pm", "tonight": "pm", "at night": "pm",
    "o'clock": "", "oclock": "", "o clock": "",
}  # fmt: skip
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_ZERO = ("oh", "o")  # "seven oh five": the zero of a minute said as a letter

_NUM = r"(?:\d+|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + ")"
_CLOCK = rf"{_NUM}(?: (?:{_NUM}|oh|o))*"


def _alternatives(phrases: Iterable[str]) -> str:
    """A regex alternation of `phrases`, longest first (so "at night" beats "night")."""
    return "(?:" + "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True)) + ")"


# Generous on purpose: whatever these find is checked by `parse_time` / `parse_date`.
TIME_PHRASE = (
    rf"(?:(?:half|quarter) (?:past|to) )?{_CLOCK}(?: {_alternatives(MERIDIEM)})?"
    rf"|{_alternatives(NAMED_TIMES)}|{_alternatives(PARTS_OF_DAY)}"
)
# "every morning" is a repeat (REMINDER_REPEAT), not a time: not read as one.
TIME_RUN = re.compile(rf"(?<!every )(?<!each )\b(?:{TIME_PHRASE})\b")
DATE_PHRASE = (
    r"(?:today|tomorrow|the day after tomorrow|day after tomorrow"
    rf"|(?:(?:next|this|on) )?{_alternatives(WEEKDAYS)})"
)
DATE_RUN = re.compile(rf"\b(?:{DATE_PHRASE})\b")


def _clock(words: list[str]) -> tuple[int, int] | None:
    """Hour and minute from "7", "seven thirty", "7 30", "seven oh five", "730", "1930"."""
    if len(words) == 1 and words[0].isdigit() and len(words[0]) in (3, 4):
        hour, minute = divmod(int(words[0]), 100)  # "7:30" typed as "730"
        return (hour, minute) if hour < 24 and minute < 60 else None
    for split in range(1, len(words) + 1):
        hour = parse_number(" ".join(words[:split]))
        if hour is None or hour > 23:
            continue
        rest = words[split:]
        if not rest:
            return hour, 0
        if len(rest) == 1 and len(rest[0]) == 2 and rest[0].isdigit():
            return (hour, int(rest[0])) if int(rest[0]) < 60 else None  # "7:05" as "7 05"
        if rest[0] in _ZERO and len(rest) == 2:
            minute = parse_number(rest[1])
            if minute is not None and minute < 10:
                return hour, minute
            continue
        minute = parse_number(" ".join(rest))
        if minute is not None and 10 <= minute < 60:
            return hour, minute
    return None


def _in_half(hour: int, half: str) -> int | None:
    """`hour` (as said, 0-23) in the morning ("am") or the afternoon ("pm") half."""
    if half == "":
        return hour % 24
    if not 1 <= hour <= 12:
        return None  # "19 pm" or "0 am" is not a time
    if half == "am":
        return hour % 12
    return hour % 12 + 12


def parse_time(phrase: str) -> str | None:
    """The AMAZON.TIME value of a spoken time ("seven thirty p m": "19:30"), or None.

    Forms: "<hour> [<minutes>] [am|pm|o'clock|in the morning|tonight|...]", "half past
    <hour>", "quarter past|to <hour>", "noon", "midnight", and a part of the day alone
    ("morning": "MO", "evening": "EV", "tonight": "NI").
    """
    phrase = " ".join(phrase.split())
    if phrase in NAMED_TIMES:
        return NAMED_TIMES[phrase]
    if phrase in PARTS_OF_DAY:
        return PARTS_OF_DAY[phrase]
    words = phrase.split()
    half: str | None = None
    suffix = ""
    for said, meaning in sorted(MERIDIEM.items(), key=lambda m: -len(m[0])):
        n = len(said.split())
        if len(words) > n and words[-n:] == said.split():
            words, half, suffix = words[:-n], meaning, said
            break
    offset = 0
    if words[:2] in (["half", "past"], ["quarter", "past"], ["quarter", "to"]):
        offset = {"half": 30, "past": 15, "to": -15}[words[0] if words[0] == "half" else words[1]]
        hour = parse_number(" ".join(words[2:]))
        if hour is None or not 1 <= hour <= 12:
            return None
        clock: tuple[int, int] | None = (hour, 0)
    else:
        clock = _clock(words)
    if clock is None:
        return None
    hour, minute = clock
    if hour == 12 and suffix in ("at night", "tonight"):
        half = "am"  # "twelve at night" is midnight
    in_day = _in_half(hour, half or "")
    if in_day is None:
        return None
    total = (in_day * 60 + minute + offset) % (24 * 60)
    return f"{total // 60:02d}:{total % 60:02d}"


def parse_date(phrase: str, today: date) -> str | None:
    """The AMAZON.DATE value ("2026-11-29") of "today", "tomorrow", "the day after
    tomorrow" or a weekday name ("monday", "on monday", "next monday"), or None."""
    words = phrase.split()
    if words == ["today"]:
        return today.isoformat()
    if words == ["tomorrow"]:
        return (today + timedelta(days=1)).isoformat()
    if words in (["the", "day", "after", "tomorrow"], ["day", "after", "tomorrow"]):
        return (today + timedelta(days=2)).isoformat()
    if len(words) == 2 and words[0] in ("next", "this", "on"):
        words = words[1:]
    if len(words) == 1 and words[0] in WEEKDAYS:
        ahead = (WEEKDAYS.index(words[0]) - today.weekday()) % 7 or 7
        return (today + timedelta(days=ahead)).isoformat()
    return None
