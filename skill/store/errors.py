"""How the store fails: one exception the skill can carry on after, and logs that stay short.

A database outage must cost a person their progress for a moment, never the conversation, and
must not flood the logs: every request would otherwise log the same error. Log lines name
people by a short tag and errors by their first line, never by parameters or user ids.
"""

from __future__ import annotations

import logging
import threading
import time

from skill.logs import short_user_id

log = logging.getLogger(__name__)


class StoreUnavailable(Exception):
    """The database cannot be used right now; carry on without persistence."""


def user_tag(user_id: str) -> str:
    """Short, stable, non-reversible tag for logs instead of the full user id: the same tag
    as the request log line's `user`, so the two can be matched."""
    return short_user_id(user_id) or "none"


def describe(err: BaseException) -> str:
    """One short line naming the driver error, never parameters or user ids."""
    orig = getattr(err, "orig", None) or err
    lines = str(orig).strip().splitlines()
    return f"{type(orig).__name__}: {lines[0] if lines else ''}"[:300]


class ErrorLog:
    """Log store errors at most once per interval, counting the ones held back, and say once
    when the store works again."""

    def __init__(self, interval_s: float) -> None:
        self._interval_s = interval_s
        self._lock = threading.Lock()
        self._last: float | None = None
        self._suppressed = 0
        self.failing = False

    def failure(self, message: str) -> None:
        now = time.monotonic()
        with self._lock:
            self.failing = True
            if self._last is not None and now - self._last < self._interval_s:
                self._suppressed += 1
                return
            suppressed, self._suppressed, self._last = self._suppressed, 0, now
        extra = f" ({suppressed} similar errors not logged)" if suppressed else ""
        log.error("progress store unavailable: %s%s", message, extra)

    def success(self) -> None:
        if not self.failing:  # fast path, no lock
            return
        with self._lock:
            if not self.failing:
                return
            self.failing = False
            self._last = None
        log.warning("progress store available again")
