"""What the skill remembers about a person between sessions, and how a stored row reads back.

Each field is an independent fact with last-writer-wins meaning, so the store writes only the
fields a request changed (see ProgressStore.save), and a damaged resume point costs the person
their place, never the request.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from skill.store.errors import user_tag

log = logging.getLogger(__name__)

PROFILE_FIELDS = ("hold_seconds", "last_stretch", "disclaimer_heard", "resume_point")


@dataclass(frozen=True, slots=True)
class UserProfile:
    """What the skill remembers about a person between sessions."""

    hold_seconds: int | None = None
    last_stretch: str | None = None
    disclaimer_heard: bool = False
    resume_point: dict[str, Any] | None = None


def profile_from_row(row: tuple[Any, ...] | None, user_id: str) -> UserProfile:
    """A profile from a `profiles` row in the table's column order (None: defaults)."""
    if row is None:
        return UserProfile()
    _user_id, hold_seconds, last_stretch, disclaimer_heard, resume_point = row
    return UserProfile(
        hold_seconds=hold_seconds,
        last_stretch=last_stretch,
        disclaimer_heard=bool(disclaimer_heard),
        resume_point=_decode_resume_point(resume_point, user_id),
    )


def _decode_resume_point(text: str | None, user_id: str) -> dict[str, Any] | None:
    if text is None:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        log.warning("ignoring unreadable resume point of user %s", user_tag(user_id))
        return None
    return value
