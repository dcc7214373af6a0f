"""What the skill remembers about a person between sessions, and how a stored row reads back.

Each field is an independent fact with last-writer-wins meaning, so the store writes only the
fields a request changed (see ProgressStore.save), and a damaged resume point, preferences or
reminder value costs the person their place, their preferences or the skill's memory of their
reminder, never the request.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from skill.store.errors import user_tag

log = logging.getLogger(__name__)

PROFILE_FIELDS = (
    "hold_seconds",
    "last_stretch",
    "disclaimer_heard",
    "resume_point",
    "preferences",
    "reminder",
)


@dataclass(frozen=True, slots=True)
class UserProfile:
    """What the skill remembers about a person between sessions."""

    hold_seconds: int | None = None
    last_stretch: str | None = None
    disclaimer_heard: bool = False
    resume_point: dict[str, Any] | None = None
    # How the person likes to be coached (pace, detail, ...): the core's to read, never the
    # store's; None until something is set.
    preferences: dict[str, Any] | None = None
    # The person's stretch reminder (skill.core.reminders.ReminderRecord.to_dict(): Alexa's
    # alertToken, the schedule, the day they last said no to the offer): the core's to read, as
    # preferences; None: no reminder and no offer declined.
    reminder: dict[str, Any] | None = None


def profile_from_row(row: tuple[Any, ...] | None, user_id: str) -> UserProfile:
    """A profile from a `profiles` row in the table's column order (None: defaults): user_id,
    the person's first five fields, the store's own `last_seen` (row[6], not the person's
    profile: ProgressStore reads it), then `reminder` (row[7], added later, so last)."""
    if row is None:
        return UserProfile()
    _user_id, hold_seconds, last_stretch, disclaimer_heard, resume_point, preferences = row[:6]
    reminder = row[7]
    return UserProfile(
        hold_seconds=hold_seconds,
        last_stretch=last_stretch,
        disclaimer_heard=bool(disclaimer_heard),
        resume_point=_decode_json_dict(resume_point, "resume point", user_id),
        preferences=_decode_json_dict(preferences, "preferences", user_id),
        reminder=_decode_json_dict(reminder, "reminder", user_id),
    )


def _decode_json_dict(text: str | None, what: str, user_id: str) -> dict[str, Any] | None:
    """A dict stored as JSON text; anything else (damaged by hand, or by a bug) reads as
    nothing set, with one warning."""
    if text is None:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        log.warning("ignoring unreadable %s of user %s", what, user_tag(user_id))
        return None
    return value
