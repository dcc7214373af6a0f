"""Checks on what callers hand the store, before anything reaches the database.

A wrong type here is a programming error and fails loudly (ValueError, TypeError), unlike a
database failure, which the skill survives (StoreUnavailable).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from skill.store.profile import PROFILE_FIELDS

MAX_RESUME_POINT_CHARS = 4096
# Preferences are a few short choices (pace, detail, the stretches the person knows); anything
# bigger is a bug that would otherwise be read back on every request.
MAX_PREFERENCES_CHARS = 1000
# The reminder record is an id, a schedule token and a day (~100 characters); Amazon does not
# document the alertToken's length, so there is room for a much longer one, but not for a bug.
MAX_REMINDER_CHARS = 1000
MAX_LAST_STRETCH_CHARS = 100
_PROFILE_FIELD_SET = frozenset(PROFILE_FIELDS)


def check_user_id(user_id: str) -> None:
    if not isinstance(user_id, str) or not user_id:
        raise ValueError("user_id must be a non-empty string")


def check_day(day: date) -> None:
    # datetime is a date subclass, but which local day it means is ambiguous.
    if not isinstance(day, date) or isinstance(day, datetime):
        raise TypeError("day must be a datetime.date (the person's local day)")


def check_count(name: str, count: int) -> None:
    if not isinstance(count, int) or isinstance(count, bool) or count < 0:
        raise ValueError(f"{name} must be a non-negative int")


def profile_values(fields: dict[str, Any]) -> dict[str, Any]:
    """Check types and encode for storage; unknown names are a programming error."""
    unknown = fields.keys() - _PROFILE_FIELD_SET
    if unknown:
        raise TypeError(f"unknown profile fields: {sorted(unknown)}")
    values: dict[str, Any] = {}
    for name, value in fields.items():
        if name == "hold_seconds":
            if value is not None and (
                not isinstance(value, int) or isinstance(value, bool) or value <= 0
            ):
                raise ValueError("hold_seconds must be a positive int or None")
        elif name == "last_stretch":
            if value is not None and (
                not isinstance(value, str) or len(value) > MAX_LAST_STRETCH_CHARS
            ):
                raise ValueError(f"last_stretch must be a str of <= {MAX_LAST_STRETCH_CHARS}")
        elif name == "disclaimer_heard":
            if not isinstance(value, bool):
                raise ValueError("disclaimer_heard must be a bool")
        elif name == "resume_point":
            value = _encode_json_dict(name, value, MAX_RESUME_POINT_CHARS)
        elif name == "preferences":
            value = _encode_same_json_dict(name, value, MAX_PREFERENCES_CHARS)
        elif name == "reminder":
            value = _encode_same_json_dict(name, value, MAX_REMINDER_CHARS)
        values[name] = value
    return values


def _encode_same_json_dict(name: str, value: Any, max_chars: int) -> str | None:
    """As `_encode_json_dict`, for a field the request's unit of work compares with what it
    read: a tuple or a non-str key reads back changed, so every request would see a "change"
    to write (unit_of_work.commit)."""
    text = _encode_json_dict(name, value, max_chars)
    if text is not None and json.loads(text) != value:
        raise ValueError(f"{name} must read back the same: str keys, lists, no tuples")
    return text


def _encode_json_dict(name: str, value: Any, max_chars: int) -> str | None:
    """A dict of JSON values as compact JSON text of at most `max_chars` (None stays None)."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ValueError(f"{name} must be a dict or None")
    try:
        text = json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must be JSON-serialisable: {err}") from err
    if len(text) > max_chars:
        raise ValueError(f"{name} is larger than {max_chars} characters")
    return text
