"""Persistence for Hamstring Coach: per-person preferences and stretching progress.

`ProgressStore` is the one door to it. Built on SQLAlchemy 2 Core so one code path serves a
local SQLite file (the default, one host) and PostgreSQL (many hosts behind a load balancer).

Concurrency design (why there is no lost update):

* Progress lives in ``daily_progress`` as one row per (user, local day) with integer counters,
  changed only by a single atomic statement ``INSERT ... ON CONFLICT (user_id, day) DO UPDATE
  SET holds = holds + 1``. Two overlapping requests of one person (a SessionEndedRequest racing
  an intent, two devices) each add their own counts; nothing is read and written back, so no
  finished hold or session can be overwritten.
* The profile (preferences, disclaimer, resume point, reminder) is written per field: ``save``
  upserts only the columns it was given. Fields are independent facts with last-writer-wins
  meaning, so a version column would only turn harmless overlaps into retries or failures. The
  request's unit of work (skill.store.unit_of_work) gives only the fields the request changed,
  so a request holding a stale copy cannot undo another request's change to an unrelated field.

Failure design: every public method raises :class:`StoreUnavailable` quickly when the database
is down, frozen, locked or unwritable: each call has a deadline (at most ``call_timeout_s``, and
at most what is left of the request's `Budget`, see deadlines.py); after a failure the store is
skipped for a while and then probed by one call at a time (breaker.py); the error is logged at
most once per ``error_log_interval_s`` (errors.py). A connection that failed is dropped, so
service resumes on its own when the database is back.

Privacy: no health information is stored. User ids are stored as given but only a short sha256
prefix ever reaches the logs, and SQL parameters are hidden from SQLAlchemy error messages.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import exc

from skill.core.progress import ProgressSummary, summarize_active
from skill.store.breaker import SLOW_FAILURE_S, Breaker, Permit
from skill.store.connections import DriverConnections
from skill.store.deadlines import DEADLINES, REQUEST_BUDGET_S, STARVED_BELOW_S, Budget
from skill.store.deletions import PendingDeletions
from skill.store.engines import (
    data_dir,
    default_database_url,
    normalize_url,
    postgres_engine,
    sqlite_engine,
)
from skill.store.errors import ErrorLog, StoreUnavailable, describe, user_tag
from skill.store.health import HEALTH_DEADLINE_S, HEALTH_REUSE_S, HEALTH_TOTAL_S, probe_write
from skill.store.last_seen import SeenDays, utc_today
from skill.store.profile import UserProfile, profile_from_row
from skill.store.schema import SCHEMA_VERSION, Schema
from skill.store.statements import Statements
from skill.store.validation import check_count, check_day, check_user_id, profile_values

__all__ = [
    "SCHEMA_VERSION",
    "Budget",
    "ProgressStore",
    "ProgressSummary",
    "StoreUnavailable",
    "UserProfile",
    "default_database_url",
    "user_tag",
]

log = logging.getLogger(__name__)

# How often a process tries again to delete the data of people who disabled the skill while
# the database was down (after a successful transaction, never on its own).
DELETION_RETRY_INTERVAL_S = 30.0
PENDING_DELETIONS_FILE = "pending-deletions.json"


class ProgressStore:
    """Profiles and progress counters in SQLite or PostgreSQL.

    Construction never touches the database (the skill must start even when
    it is down); the file, its folder and the schema are created on first use.
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        call_timeout_s: float = REQUEST_BUDGET_S,
        error_log_interval_s: float = 60.0,
        pending_deletions: Path | None = None,
        breaker: Breaker | None = None,
        today: Callable[[], date] = utc_today,
    ) -> None:
        if call_timeout_s <= 0:
            raise ValueError("call_timeout_s must be positive")
        parsed = normalize_url(url or default_database_url())
        self.backend: str = parsed.get_backend_name()
        self.call_timeout_s = call_timeout_s
        self._errors = ErrorLog(error_log_interval_s)
        self.breaker = breaker or Breaker()
        sqlite_path = Path(parsed.database or "") if self.backend == "sqlite" else None
        self._sqlite_path = sqlite_path
        if sqlite_path is not None:
            engine = sqlite_engine(parsed, call_timeout_s)
        else:
            engine = postgres_engine(parsed)
        self._connections = DriverConnections(engine)
        self._schema = Schema(engine, sqlite_path)
        self._statements = Statements(engine.dialect)
        self._driver_error: type[BaseException] = engine.dialect.loaded_dbapi.Error
        if pending_deletions is None:
            folder = sqlite_path.parent if sqlite_path is not None else data_dir()
            pending_deletions = folder / PENDING_DELETIONS_FILE
        self.deletions = PendingDeletions(pending_deletions)
        self._deletion_retry = threading.Lock()
        self._next_deletion_retry = 0.0
        self.seen = SeenDays(today)  # `today`: the UTC day a save marks the person as seen
        self._health_lock = threading.Lock()
        self._last_health: tuple[float, dict[str, Any]] | None = None

    def close(self) -> None:
        """Close pooled connections (tests, shutdown). The store stays usable."""
        self._connections.close()

    # -- reads --

    def get_profile(self, user_id: str, *, budget: Budget | None = None) -> UserProfile:
        """The person's profile; defaults for someone never seen before."""
        check_user_id(user_id)
        with self._transaction("get_profile", budget) as cursor:
            row = self._statements.select_profile.run(cursor, {"user_id": user_id}).fetchone()
        self.seen.note_row(user_id, row[6] if row else None)  # profiles.last_seen
        return profile_from_row(row, user_id)

    def load(
        self, user_id: str, today: date, *, budget: Budget | None = None
    ) -> tuple[UserProfile, ProgressSummary]:
        """get_profile and summary in one transaction (what a launch needs)."""
        check_user_id(user_id)
        check_day(today)
        with self._transaction("load", budget) as cursor:
            row = self._statements.select_profile.run(cursor, {"user_id": user_id}).fetchone()
            summary = self._summary(cursor, user_id, today)
        self.seen.note_row(user_id, row[6] if row else None)  # profiles.last_seen
        return profile_from_row(row, user_id), summary

    def summary(
        self, user_id: str, today: date, *, budget: Budget | None = None
    ) -> ProgressSummary:
        """Week, streak and totals as seen on the person's local ``today``."""
        check_user_id(user_id)
        check_day(today)
        with self._transaction("summary", budget) as cursor:
            return self._summary(cursor, user_id, today)

    def _summary(self, cursor: Any, user_id: str, today: date) -> ProgressSummary:
        values = {"user_id": user_id, "today": self._statements.day(today)}
        holds, sessions, days = self._statements.summary.run(cursor, values).fetchone()
        active = {date.fromisoformat(day) for day in days.split(",")} if days else set()
        return summarize_active(active, today, total_sessions=int(sessions), total_holds=int(holds))

    # -- everything a request changed --

    def save(
        self,
        user_id: str,
        *,
        day: date | None = None,
        holds: int = 0,
        sessions: int = 0,
        budget: Budget | None = None,
        **fields: Any,
    ) -> None:
        """In one transaction: add ``holds`` and ``sessions`` to the person's local ``day``
        (atomic increments) and set only the given profile fields (the others keep their
        value). Nothing given: nothing written. The day's first also sets last_seen."""
        check_user_id(user_id)
        values = profile_values(fields)
        check_count("holds", holds)
        check_count("sessions", sessions)
        if holds or sessions:
            if not isinstance(day, date):
                raise ValueError("day must be a date")
            check_day(day)
        elif not values:
            return
        seen = self.seen.due(user_id)
        if seen is not None:
            values["last_seen"] = self._statements.day(seen)
        with self._transaction("save", budget, write=True) as cursor:
            if holds or sessions:
                assert day is not None
                added = {
                    "user_id": user_id,
                    "day": self._statements.day(day),
                    "holds": holds,
                    "sessions": sessions,
                }
                self._statements.add_counts.run(cursor, added)
            if values:
                upsert = self._statements.profile_upsert(tuple(sorted(values)))
                upsert.run(cursor, {"user_id": user_id, **values})
        if seen is not None:
            self.seen.mark(user_id, seen)

    # -- forgetting a person --

    def delete_user(self, user_id: str, *, budget: Budget | None = None) -> None:
        """Forget everything about the person (skill disabled), in one transaction."""
        check_user_id(user_id)
        with self._transaction("delete_user", budget, write=True) as cursor:
            for statement in self._statements.delete_user:
                statement.run(cursor, {"user_id": user_id})
        self.seen.forget(user_id)
        log.info("deleted all data of user %s", user_tag(user_id))

    def forget_user(self, user_id: str) -> bool:
        """Delete the person's data now (within the call deadline), or, if the database is
        unavailable, as soon as it is back (the id waits in a local file, see
        skill.store.deletions). True if deleted now."""
        try:
            self.delete_user(user_id)
            return True
        except StoreUnavailable:
            pass
        try:
            self.deletions.add(user_id)
        except OSError as err:
            log.error(
                "could not delete user %s, nor keep the deletion for later: %s",
                user_tag(user_id),
                type(err).__name__,
            )
        else:
            log.warning("deletion of user %s kept until the database is back", user_tag(user_id))
            self._next_deletion_retry = 0.0  # the next transaction that works settles it
        return False

    def _retry_deletions(self, budget: Budget) -> None:
        """Deletions owed from an earlier outage, within `budget` (all of it is theirs), at
        most every DELETION_RETRY_INTERVAL_S, by one thread (the deletions' own transactions
        come back here and return at once). Cut short by the budget, the rest go on at the
        next transaction, not 30 s later."""
        now = time.monotonic()
        if now < self._next_deletion_retry or not self._deletion_retry.acquire(blocking=False):
            return
        try:
            self._next_deletion_retry = now + DELETION_RETRY_INTERVAL_S
            for user_id in self.deletions.pending(wait=budget.left):
                if budget.left <= STARVED_BELOW_S:
                    self._next_deletion_retry = 0.0
                    break
                self.delete_user(user_id, budget=budget)
                self.deletions.done(user_id)  # after a real deletion: worth its wait
                log.info("owed deletion of user %s done", user_tag(user_id))
        except (StoreUnavailable, OSError, ValueError):
            pass  # logged where it happened; tried again later
        finally:
            self._deletion_retry.release()

    # -- operations --

    def health(self) -> dict[str, Any]:
        """Can progress be saved now? A real write (see skill.store.health), within
        HEALTH_DEADLINE_S, one probe at a time (a caller that finds one running waits for it
        and shares its answer, or after HEALTH_DEADLINE_S gets the last answer if recent); and
        how many disabled people's data this host still owes a deletion. Its answer also
        opens or closes the breaker. All within HEALTH_TOTAL_S: owed deletions, settled after
        a good probe, get what is left of it, outside the probe lock."""
        started = time.monotonic()
        result: dict[str, Any] = {"status": "ok", "detail": "", "backend": self.backend}
        try:
            result["pending_deletions"] = self.deletions.count()
        except (OSError, ValueError):
            result["pending_deletions"] = "unknown (file unreadable)"
        if not self._health_lock.acquire(timeout=HEALTH_DEADLINE_S):
            last = self._last_health
            if last is not None and time.monotonic() - last[0] < HEALTH_REUSE_S:
                return {**result, **last[1]}
            return {**result, "status": "degraded", "detail": "health check still running"}
        try:
            last = self._last_health
            if last is not None and last[0] >= started:  # finished while we waited
                return {**result, **last[1]}
            found = self._probe()
            self._last_health = (time.monotonic(), found)
        finally:
            self._health_lock.release()
        if found["status"] == "ok" and (self.deletions.waiting or not self.deletions.checked):
            self._retry_deletions(Budget(HEALTH_TOTAL_S - (time.monotonic() - started), 0.0))
        return {**result, **found}

    def _probe(self) -> dict[str, Any]:
        try:
            with DEADLINES.scope(HEALTH_DEADLINE_S), self._guard("health check", probe=True):
                self._schema.ensure()
                with self._connections.transaction() as cursor:
                    problem = probe_write(cursor, self._statements, self._sqlite_path)
        except StoreUnavailable as err:
            return {"status": "degraded", "detail": str(err)}
        if problem:  # the database answers, reads work: requests go on trying
            return {"status": "degraded", "detail": problem}
        return {"status": "ok", "detail": f"schema version {SCHEMA_VERSION}", "write_probe": "ok"}

    @contextmanager
    def maintenance(self, action: str, seconds: float) -> Iterator[tuple[Any, Statements]]:
        """A transaction of an operator's job (skill.store.retention), with its own deadline,
        outside the requests' breaker (see _guard)."""
        with DEADLINES.scope(seconds), self._guard(action, job=True):
            self._schema.ensure()
            with self._connections.transaction() as cursor:
                yield cursor, self._statements

    # -- plumbing --

    @contextmanager
    def _guard(
        self, action: str, *, probe: bool = False, starved: bool = False, job: bool = False
    ) -> Iterator[None]:
        """Turn database/driver/filesystem errors into StoreUnavailable, and remember them (the
        breaker). A `probe` (the health check) goes through even while the breaker is open. A
        `starved` call (the request's budget cut its deadline below STARVED_BELOW_S) tells
        nothing about the database when it fails: not remembered. Nor a `job`'s (retention: a
        batch's lock wait says nothing about requests), which also ignores the breaker."""
        permit = Permit.CLOSED if probe or job else self.breaker.allow()
        if not permit:
            raise StoreUnavailable(
                f"{action} skipped: the {self.backend} store failed moments ago "
                f"(next try in {self.breaker.retry_in():.1f} s)"
            )
        started = time.monotonic()
        try:
            yield
        except (exc.SQLAlchemyError, self._driver_error, OSError) as err:
            # Re-check the schema next time: the file may have been replaced.
            self._schema.ready = False
            if starved or job:
                self.breaker.release(permit)
            else:
                self.breaker.failure(slow=time.monotonic() - started >= SLOW_FAILURE_S)
            scope = DEADLINES.current()
            if scope is not None and scope.expired:
                message = f"{action} timed out ({self.backend}): no answer within its deadline"
            else:
                message = f"{action} failed ({self.backend}): {describe(err)}"
            self._errors.failure(message)
            raise StoreUnavailable(message) from err
        except BaseException:
            self.breaker.release(permit)
            raise
        if not job:
            self.breaker.success()
        self._errors.success()

    def _settle_deletions(self, budget: Budget | None, started: float) -> None:
        """After a success: deletions owed from an outage, in the time the request can spare
        (what its reads may still use; the write's reserve stays), or, for a call without a
        budget, in what is left of its own `call_timeout_s`. So they never add to a request's
        database time."""
        if not (self.deletions.waiting or not self.deletions.checked):
            return
        if budget is None:
            spare = self.call_timeout_s - (time.monotonic() - started)
        else:
            spare = budget.for_call(write=False)
        if spare <= STARVED_BELOW_S:
            return
        began = time.monotonic()
        self._retry_deletions(Budget(spare, 0.0))
        if budget is not None:
            budget.left -= time.monotonic() - began

    @contextmanager
    def _transaction(
        self, action: str, budget: Budget | None = None, *, write: bool = False
    ) -> Iterator[Any]:
        """A driver cursor in one transaction, on a current schema, failures guarded, within
        the call's deadline: `call_timeout_s`, or what the request's budget gives this call (a
        read leaves the write's reserve, see Budget)."""
        seconds = self.call_timeout_s
        if budget is not None:
            seconds = min(seconds, budget.for_call(write=write))
        if seconds <= 0:
            raise StoreUnavailable(f"{action} skipped: this request's database time is used up")
        starved = seconds < min(self.call_timeout_s, STARVED_BELOW_S)
        started = time.monotonic()
        try:
            with DEADLINES.scope(seconds), self._guard(action, starved=starved):
                self._schema.ensure()
                with self._connections.transaction() as cursor:
                    yield cursor
        finally:
            if budget is not None:
                budget.left -= time.monotonic() - started
        self._settle_deletions(budget, started)
