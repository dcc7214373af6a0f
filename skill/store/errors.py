"""How the store fails: one exception the skill can carry on after, and logs that stay short.

A database outage must cost a person their progress for a moment, never the conversation, and
must not flood the logs: every request would otherwise log the same error. Log lines name
people by a short tag and errors by their first line, never by parameters or user ids.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import sqlalchemy as sa

from skill.logs import short_user_id

log = logging.getLogger(__name__)

# Working this long without a failure ends an outage (see ErrorLog).
SETTLE_S = 10.0


class StoreUnavailable(Exception):
    """The database cannot be used right now; carry on without persistence."""


def database_errors(engine: sa.Engine) -> tuple[type[BaseException], ...]:
    """What opening or using `engine` raises when the database, not the code, is the problem:
    SQLAlchemy's errors, the driver's own, the file system's, and a deadline's TimeoutError."""
    return (sa.exc.SQLAlchemyError, engine.dialect.loaded_dbapi.Error, OSError, TimeoutError)


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
    when the store works again.

    Successes do not reset the interval: a store that half works (a full disk: reads succeed,
    writes fail) would otherwise log a line per failed write. And "available again" needs
    `settle_s` without a failure first, so a flapping store says it once, when it has really
    recovered, with the number of errors of the whole outage.
    """

    def __init__(
        self,
        interval_s: float,
        settle_s: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._interval_s = interval_s
        self._settle_s = min(interval_s, SETTLE_S) if settle_s is None else settle_s
        self._clock = clock
        self._lock = threading.Lock()
        self._last_logged: float | None = None
        self._last_failure = 0.0
        self._suppressed = 0
        self._outage_errors = 0
        self.failing = False

    def failure(self, message: str) -> None:
        now = self._clock()
        with self._lock:
            self.failing = True
            self._last_failure = now
            self._outage_errors += 1
            if self._last_logged is not None and now - self._last_logged < self._interval_s:
                self._suppressed += 1
                return
            suppressed, self._suppressed, self._last_logged = self._suppressed, 0, now
        extra = f" ({suppressed} similar errors not logged)" if suppressed else ""
        log.error("progress store unavailable: %s%s", message, extra)

    def success(self) -> None:
        if not self.failing:  # fast path, no lock
            return
        now = self._clock()
        with self._lock:
            if not self.failing or now - self._last_failure < self._settle_s:
                return
            self.failing = False
            errors, self._outage_errors = self._outage_errors, 0
        log.warning("progress store available again (%d errors during the outage)", errors)
