"""A remembered failure: after the database was slow to fail (timed out, waited for a lock),
skip it for a while.

Without it, a frozen or locked database makes every request pay the whole wait before it
learns what the previous request already knew. With it, one request pays (at most the
request's database budget, see skill.store.deadlines), the store is then skipped for
`cooldown`, and after that one request at a time probes it: a success closes the breaker, a
failure opens it again for twice as long (up to `max_cooldown_s`). While it is open a store
call costs a few microseconds and the person carries on without progress.
"""

from __future__ import annotations

import enum
import threading
import time
from collections.abc import Callable

# A failure that took this long is remembered; a faster one costs the next call no more than
# it cost this one (see failure).
SLOW_FAILURE_S = 0.05
# First pause after a failure: short, so a passing lock costs a second of saves at most.
COOLDOWN_S = 1.0
# Longest pause while the database stays down: one request in 5 s waits (at most 0.5 s), and
# the store is used again at most 5 s after the database is back (at once after a /healthz).
MAX_COOLDOWN_S = 5.0


class Permit(enum.IntEnum):
    """What `allow` granted. REFUSED is falsy, so `if not breaker.allow()` reads naturally."""

    REFUSED = 0
    CLOSED = 1  # the breaker is closed: an ordinary call
    PROBE = 2  # this call is the one probe: only it may `release`


class Breaker:
    """Closed (calls go through), open (calls are refused until a time), or probing (one call
    went through to find out; the others are refused until it reports)."""

    def __init__(
        self,
        cooldown_s: float = COOLDOWN_S,
        max_cooldown_s: float = MAX_COOLDOWN_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._base = cooldown_s
        self._max = max_cooldown_s
        self._clock = clock
        self._lock = threading.Lock()
        self._cooldown = cooldown_s
        self.open_until = 0.0  # 0: closed
        self._probing = False

    @property
    def closed(self) -> bool:
        return self.open_until == 0.0 and not self._probing

    def allow(self) -> Permit:
        """May this call use the database? REFUSED: fail at once, without waiting. PROBE: this
        call finds out for the others (it must end with success, failure or release)."""
        if self.closed:  # the usual case, no lock
            return Permit.CLOSED
        with self._lock:
            if self.open_until == 0.0 and not self._probing:
                return Permit.CLOSED
            if self._probing or self._clock() < self.open_until:
                return Permit.REFUSED
            self._probing = True  # this caller is the probe
            return Permit.PROBE

    def retry_in(self) -> float:
        """Seconds until the next probe may run (0 if it may now)."""
        return max(0.0, self.open_until - self._clock()) if self.open_until else 0.0

    def success(self) -> None:
        if self.closed:
            return
        with self._lock:
            self.open_until, self._probing, self._cooldown = 0.0, False, self._base

    def failure(self, *, slow: bool = True) -> None:
        """The call failed. A fast failure (a refused connection, a full disk: it cost the
        caller nothing) leaves a closed breaker closed: the next call may as well try, and a
        passing blip then costs no saves. A slow one (a timeout, a lock wait) opens it."""
        if not slow and self.closed:
            return
        with self._lock:
            self.open_until = self._clock() + self._cooldown
            self._cooldown = min(self._cooldown * 2, self._max)
            self._probing = False

    def release(self, permit: Permit) -> None:
        """The call ended without telling anything about the database (a bug, an interrupt,
        a deadline the request's budget cut short): if it was the probe, let the next call
        probe. Any other call's release changes nothing (a second concurrent probe would)."""
        if permit is Permit.PROBE:
            with self._lock:
                self._probing = False
