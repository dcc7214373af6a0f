"""Persistence for Hamstring Coach: per-person preferences and stretching progress.

`ProgressStore` is the one door to it. Built on SQLAlchemy 2 Core so one code path serves a
local SQLite file (the default, one host) and PostgreSQL (many hosts behind a load balancer).

Concurrency design (why there is no lost update):

* Progress lives in ``daily_progress`` as one row per (user, local day) with
  integer counters, changed only by a single atomic statement
  ``INSERT ... ON CONFLICT (user_id, day) DO UPDATE SET holds = holds + 1``.
  Two overlapping requests of one person (a SessionEndedRequest racing an
  intent, two devices) each add their own counts; nothing is read and written
  back, so no finished hold or session can be overwritten.
* The profile (preferences, disclaimer, resume point) is written per field:
  ``save`` upserts only the columns it was given. Fields are independent facts
  with last-writer-wins meaning, so a version column would only turn harmless
  overlaps into retries or failures. The request's unit of work
  (skill.store.unit_of_work) gives only the fields the request changed, so a
  request holding a stale copy cannot undo another request's change to an
  unrelated field.

Failure design: every public method raises :class:`StoreUnavailable` quickly
when the database is down, locked or unwritable (see engines.py); the error is
logged at most once per ``error_log_interval_s``; the next call simply tries
again (a connection that failed is dropped), so service resumes on its own.

Privacy: no health information is stored. User ids are stored as given but
only a short sha256 prefix ever reaches the logs, and SQL parameters are
hidden from SQLAlchemy error messages.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import exc

from skill.core.progress import ProgressSummary, summarize_active
from skill.store.connections import DriverConnections
from skill.store.deletions import PendingDeletions
from skill.store.engines import (
    IMMEDIATE,
    LOCK_WAIT_S,
    data_dir,
    default_database_url,
    normalize_url,
    postgres_engine,
    sqlite_engine,
)
from skill.store.errors import ErrorLog, StoreUnavailable, describe, user_tag
from skill.store.profile import UserProfile, profile_from_row
from skill.store.schema import SCHEMA_VERSION, Schema, read_version
from skill.store.statements import Statements
from skill.store.validation import check_count, check_day, check_user_id, profile_values

__all__ = [
    "SCHEMA_VERSION",
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
        connect_timeout_s: float = 2.0,
        error_log_interval_s: float = 60.0,
        pending_deletions: Path | None = None,
    ) -> None:
        if connect_timeout_s <= 0:
            raise ValueError("connect_timeout_s must be positive")
        parsed = normalize_url(url or default_database_url())
        self.backend: str = parsed.get_backend_name()
        self._errors = ErrorLog(error_log_interval_s)
        sqlite_path = Path(parsed.database or "") if self.backend == "sqlite" else None
        if sqlite_path is not None:
            engine = sqlite_engine(parsed, min(LOCK_WAIT_S, connect_timeout_s))
        else:
            engine = postgres_engine(parsed, connect_timeout_s)
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

    def close(self) -> None:
        """Close pooled connections (tests, shutdown). The store stays usable."""
        self._connections.close()

    # -- reads --

    def get_profile(self, user_id: str) -> UserProfile:
        """The person's profile; defaults for someone never seen before."""
        check_user_id(user_id)
        with self._transaction("get_profile") as cursor:
            row = self._statements.select_profile.run(cursor, {"user_id": user_id}).fetchone()
        return profile_from_row(row, user_id)

    def load(self, user_id: str, today: date) -> tuple[UserProfile, ProgressSummary]:
        """get_profile and summary in one transaction (what a launch needs)."""
        check_user_id(user_id)
        check_day(today)
        with self._transaction("load") as cursor:
            row = self._statements.select_profile.run(cursor, {"user_id": user_id}).fetchone()
            summary = self._summary(cursor, user_id, today)
        return profile_from_row(row, user_id), summary

    def summary(self, user_id: str, today: date) -> ProgressSummary:
        """Week, streak and totals as seen on the person's local ``today``."""
        check_user_id(user_id)
        check_day(today)
        with self._transaction("summary") as cursor:
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
        **fields: Any,
    ) -> None:
        """In one transaction: add ``holds`` and ``sessions`` to the person's local ``day``
        (atomic increments) and set only the given profile fields (the others keep their
        value). Nothing given: nothing written."""
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
        with self._transaction("save") as cursor:
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

    # -- forgetting a person --

    def delete_user(self, user_id: str) -> None:
        """Forget everything about the person (skill disabled), in one transaction."""
        check_user_id(user_id)
        with self._transaction("delete_user") as cursor:
            for statement in self._statements.delete_user:
                statement.run(cursor, {"user_id": user_id})
        log.info("deleted all data of user %s", user_tag(user_id))

    def forget_user(self, user_id: str) -> bool:
        """Delete the person's data now, or, if the database is unavailable, as soon as it is
        back (the id waits in a local file, see skill.store.deletions). True if deleted now."""
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

    def _retry_deletions(self) -> None:
        """Deletions owed from an earlier outage, at most every DELETION_RETRY_INTERVAL_S, by
        one thread (the deletions' own transactions come back here and return at once)."""
        now = time.monotonic()
        if now < self._next_deletion_retry or not self._deletion_retry.acquire(blocking=False):
            return
        try:
            self._next_deletion_retry = now + DELETION_RETRY_INTERVAL_S
            for user_id in self.deletions.pending():
                self.delete_user(user_id)
                self.deletions.done(user_id)
                log.info("owed deletion of user %s done", user_tag(user_id))
        except (StoreUnavailable, OSError, ValueError):
            pass  # logged where it happened; tried again later
        finally:
            self._deletion_retry.release()

    # -- operations --

    def health(self) -> dict[str, Any]:
        """Probe the database now: reachable, schema current, and writable; and how many
        disabled people's data this host still owes a deletion."""
        result: dict[str, Any] = {"status": "ok", "detail": "", "backend": self.backend}
        try:
            result["pending_deletions"] = len(self.deletions.pending())
        except (OSError, ValueError):
            result["pending_deletions"] = "unknown (file unreadable)"
        read_only = False
        try:
            with self._guard("health check"):
                self._schema.ensure()
                with self._connections.engine.connect() as conn:
                    if self.backend == "sqlite":
                        # Taking the write lock proves nobody is blocking writers.
                        conn.execution_options(**{IMMEDIATE: True})
                    with conn.begin():
                        version = read_version(conn)
                        if self.backend == "postgresql":
                            flag = conn.exec_driver_sql("SHOW transaction_read_only").scalar()
                            read_only = flag == "on"
        except StoreUnavailable as err:
            return {**result, "status": "degraded", "detail": str(err)}
        if read_only:
            return {**result, "status": "degraded", "detail": "database is read-only"}
        return {**result, "detail": f"schema version {version}"}

    # -- plumbing --

    @contextmanager
    def _guard(self, action: str) -> Iterator[None]:
        """Turn database/driver/filesystem errors into StoreUnavailable; after a success, settle
        deletions owed from an outage."""
        try:
            yield
        except (exc.SQLAlchemyError, self._driver_error, OSError) as err:
            # Re-check the schema next time: the file may have been replaced.
            self._schema.ready = False
            message = f"{action} failed ({self.backend}): {describe(err)}"
            self._errors.failure(message)
            raise StoreUnavailable(message) from err
        self._errors.success()
        if self.deletions.waiting or not self.deletions.checked:
            self._retry_deletions()

    @contextmanager
    def _transaction(self, action: str) -> Iterator[Any]:
        """A driver cursor in one transaction, on a current schema, failures guarded."""
        with self._guard(action):
            self._schema.ensure()
            with self._connections.transaction() as cursor:
                yield cursor
