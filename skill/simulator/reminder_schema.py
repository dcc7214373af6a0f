"""Amazon's Reminders API request shape, checked field by field, and a reminder in words.

The stand-in (skill.simulator.reminders_api) answers a request that breaks a rule with 400 and
Amazon's error body ({"code", "message"}), naming the rule, so a test sees what the skill got
wrong. The rules are what Amazon documents (Reminders REST API Reference, its example body;
Alexa Reminders Overview), plus the SDK's model where the pages say nothing:
- requestTime: ISO 8601 (the SDK sends datetime.isoformat()).
- trigger.type SCHEDULED_ABSOLUTE with scheduledTime as local time WITHOUT a zone
  ("2019-09-22T19:00:00.000" in Amazon's example; a trailing "Z" is reported to be refused),
  timeZoneId an IANA zone when given (optional: the device's zone is used without it), or
  SCHEDULED_RELATIVE with offsetInSeconds.
- trigger.recurrence in the current form (startDateTime, recurrenceRules RRULE strings); the
  deprecated freq/byDay alone is refused here, stricter than Amazon, so the skill uses the form
  Amazon asks new code to use. RRULE: FREQ DAILY or WEEKLY (WEEKLY needs BYDAY), BYHOUR and
  BYMINUTE, optional BYSECOND and INTERVAL, nothing else (what the skill needs; Amazon's full
  grammar is not published).
- alertInfo.spokenInfo.content: a non-empty list of {locale, text[, ssml]}.
- pushNotification.status ENABLED or DISABLED when given.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

LOCAL_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?$")
LOCALE = re.compile(r"^[a-z]{2}-[A-Z]{2}$")
DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_RULE_KEYS = frozenset({"FREQ", "BYDAY", "BYHOUR", "BYMINUTE", "BYSECOND", "INTERVAL"})
_RANGES = {"BYHOUR": 23, "BYMINUTE": 59, "BYSECOND": 59}


class BadReminder(ValueError):
    """A request Amazon would refuse: `code` as Amazon's error body carries it, and why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def check_reminder(body: Any) -> None:
    """Raise BadReminder for the first rule `body` (a parsed JSON body) breaks."""
    if not isinstance(body, dict):
        raise BadReminder("INVALID_REQUEST", "the body must be a JSON object")
    _request_time(body.get("requestTime"))
    _trigger(body.get("trigger"))
    _alert_info(body.get("alertInfo"))
    push = body.get("pushNotification")
    if push is not None and (
        not isinstance(push, dict) or push.get("status") not in ("ENABLED", "DISABLED")
    ):
        raise BadReminder(
            "INVALID_PUSH_NOTIFICATION", "pushNotification.status must be ENABLED or DISABLED"
        )


def _request_time(value: Any) -> None:
    if not isinstance(value, str):
        raise BadReminder("INVALID_REQUEST_TIME", "requestTime is required (ISO 8601)")
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BadReminder(
            "INVALID_REQUEST_TIME", f"requestTime {value!r} is not ISO 8601"
        ) from None


def local_time(value: Any, field: str) -> datetime:
    """A local date-time as Amazon's example writes it: no zone, no "Z"."""
    if not isinstance(value, str) or not LOCAL_TIME.match(value):
        raise BadReminder(
            "INVALID_TRIGGER_SCHEDULED_TIME_FORMAT",
            f"{field} must be local time without a zone, like 2019-09-22T19:00:00.000; "
            f"got {value!r}",
        )
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise BadReminder(
            "INVALID_TRIGGER_SCHEDULED_TIME_FORMAT", f"{field} {value!r} is not a real time"
        ) from None


def _trigger(trigger: Any) -> None:
    if not isinstance(trigger, dict):
        raise BadReminder("INVALID_TRIGGER", "trigger is required")
    kind = trigger.get("type")
    if kind == "SCHEDULED_RELATIVE":
        offset = trigger.get("offsetInSeconds")
        if not isinstance(offset, int) or isinstance(offset, bool) or offset <= 0:
            raise BadReminder(
                "INVALID_TRIGGER", "SCHEDULED_RELATIVE needs a positive offsetInSeconds"
            )
        return
    if kind != "SCHEDULED_ABSOLUTE":
        raise BadReminder(
            "INVALID_TRIGGER_TYPE",
            f"trigger.type must be SCHEDULED_ABSOLUTE or SCHEDULED_RELATIVE, not {kind!r}",
        )
    local_time(trigger.get("scheduledTime"), "trigger.scheduledTime")
    zone = trigger.get("timeZoneId")
    if zone is not None:
        try:
            if not isinstance(zone, str) or not zone:
                raise ValueError(zone)
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise BadReminder(
                "INVALID_TIME_ZONE", f"trigger.timeZoneId {zone!r} is not an IANA time zone"
            ) from None
    recurrence = trigger.get("recurrence")
    if recurrence is not None:
        _recurrence(recurrence)


def _recurrence(recurrence: Any) -> None:
    if not isinstance(recurrence, dict):
        raise BadReminder("INVALID_TRIGGER_RECURRENCE", "trigger.recurrence must be an object")
    rules = recurrence.get("recurrenceRules")
    if rules is None and ("freq" in recurrence or "byDay" in recurrence):
        raise BadReminder(
            "UNSUPPORTED_TRIGGER_RECURRENCE",
            "recurrence.freq/byDay are deprecated: use startDateTime and recurrenceRules",
        )
    start = local_time(recurrence.get("startDateTime"), "recurrence.startDateTime")
    end = recurrence.get("endDateTime")
    if end is not None and local_time(end, "recurrence.endDateTime") <= start:
        raise BadReminder(
            "INVALID_TRIGGER_RECURRENCE", "recurrence.endDateTime must be after startDateTime"
        )
    if not isinstance(rules, list) or not rules:
        raise BadReminder(
            "INVALID_TRIGGER_RECURRENCE", "recurrence.recurrenceRules must be a non-empty list"
        )
    for rule in rules:
        parse_rule(rule)


def parse_rule(rule: Any) -> dict[str, str]:
    """An RRULE string ("FREQ=DAILY;BYHOUR=19;BYMINUTE=0;BYSECOND=0") as its parts."""
    if not isinstance(rule, str) or not rule.strip(";"):
        raise BadReminder("INVALID_RECURRENCE_RULE", f"a recurrence rule must be text: {rule!r}")
    parts: dict[str, str] = {}
    for part in rule.strip(";").split(";"):
        key, sep, value = part.partition("=")
        if not sep or not value or key not in _RULE_KEYS or key in parts:
            raise BadReminder(
                "INVALID_RECURRENCE_RULE", f"bad part {part!r} in recurrence rule {rule!r}"
            )
        parts[key] = value
    freq = parts.get("FREQ")
    if freq not in ("DAILY", "WEEKLY"):
        raise BadReminder("INVALID_RECURRENCE_RULE", f"FREQ must be DAILY or WEEKLY in {rule!r}")
    days = parts.get("BYDAY")
    if freq == "WEEKLY" and days is None:
        raise BadReminder("INVALID_RECURRENCE_RULE", f"FREQ=WEEKLY needs BYDAY in {rule!r}")
    if days is not None and (not days or any(d not in DAYS for d in days.split(","))):
        raise BadReminder("INVALID_RECURRENCE_RULE", f"BYDAY must list MO..SU in {rule!r}")
    for key, top in _RANGES.items():
        value = parts.get(key)
        if value is None:
            if key == "BYSECOND":
                continue
            raise BadReminder("INVALID_RECURRENCE_RULE", f"{key} is required in {rule!r}")
        if not value.isdigit() or int(value) > top:
            raise BadReminder("INVALID_RECURRENCE_RULE", f"{key}={value} is out of range")
    interval = parts.get("INTERVAL")
    if interval is not None and (not interval.isdigit() or int(interval) < 1):
        raise BadReminder("INVALID_RECURRENCE_RULE", f"INTERVAL must be positive in {rule!r}")
    return parts


def _alert_info(info: Any) -> None:
    spoken = info.get("spokenInfo") if isinstance(info, dict) else None
    content = spoken.get("content") if isinstance(spoken, dict) else None
    if not isinstance(content, list) or not content:
        raise BadReminder(
            "INVALID_ALERT_INFO", "alertInfo.spokenInfo.content must be a non-empty list"
        )
    for item in content:
        if not isinstance(item, dict):
            raise BadReminder("INVALID_ALERT_INFO", "each spoken content must be an object")
        locale, text = item.get("locale"), item.get("text")
        if not isinstance(locale, str) or not LOCALE.match(locale):
            raise BadReminder("INVALID_LOCALE", f"spoken content locale {locale!r} (e.g. en-US)")
        if not isinstance(text, str) or not text.strip():
            raise BadReminder("INVALID_ALERT_INFO", "spoken content text must not be empty")
        ssml = item.get("ssml")
        if ssml is not None and not (
            isinstance(ssml, str) and ssml.startswith("<speak>") and ssml.endswith("</speak>")
        ):
            raise BadReminder(
                "INVALID_ALERT_INFO", "spoken content ssml must be <speak>...</speak>"
            )


def _short(text: str, width: int = 40) -> str:
    """The text, or its first sentence (else words) up to `width`, then "..."."""
    if len(text) <= width:
        return text
    first = text.split(". ", 1)[0].rstrip(".")
    if len(first) <= width - 3:
        return first + "..."
    return text[: width - 3].rsplit(" ", 1)[0] + "..."


_DAY_NAMES = dict(zip(DAYS, ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"), strict=True))


def describe_reminder(body: dict[str, Any]) -> str:
    """A checked reminder in a line: "every day at 19:00 America/New_York, 'Time for ...'"."""
    trigger = body["trigger"]
    text = body["alertInfo"]["spokenInfo"]["content"][0]["text"]
    quoted = repr(_short(text))
    if trigger["type"] == "SCHEDULED_RELATIVE":
        return f"in {trigger['offsetInSeconds']} s, {quoted}"
    zone = trigger.get("timeZoneId") or "the device's zone"
    recurrence = trigger.get("recurrence")
    if recurrence is None:
        when = local_time(trigger["scheduledTime"], "scheduledTime")
        return f"once on {when:%Y-%m-%d} at {when:%H:%M} {zone}, {quoted}"
    whens = []
    for rule in recurrence["recurrenceRules"]:
        parts = parse_rule(rule)
        at = f"{int(parts['BYHOUR']):02d}:{int(parts['BYMINUTE']):02d}"
        days = parts.get("BYDAY")
        if days is None or set(days.split(",")) == set(DAYS):
            whens.append(f"every day at {at}")
        elif days == "MO,TU,WE,TH,FR":
            whens.append(f"on weekdays at {at}")
        else:
            whens.append(f"on {', '.join(_DAY_NAMES[d] for d in days.split(','))} at {at}")
    return f"{'; '.join(whens)} {zone}, {quoted}"
