"""Persistence for Hamstring Coach: per-person preferences and stretching progress.

Built on SQLAlchemy 2 Core so one code path serves a local SQLite file (the
default, one host) and PostgreSQL (many hosts behind a load balancer).

Concurrency design (why there is no lost update):

* Progress lives in ``daily_progress`` as one row per (user, local day) with
  integer counters, changed only by a single atomic statement
  ``INSERT ... ON CONFLICT (user_id, day) DO UPDATE SET holds = holds + 1``.
  Two overlapping requests of one person (a SessionEndedRequest racing an
  intent, two devices) each add their own +1; nothing is read and written
  back, so no finished hold or session can be overwritten.
* The profile (preferences, disclaimer, resume point) is written per field:
  ``update_profile`` upserts only the columns it was given. Fields are
  independent facts with last-writer-wins meaning, so a version column would
  only turn harmless overlaps into retries or failures. The ask-sdk adapter
  additionally writes back only the fields a request actually changed, so a
  request holding a stale copy cannot undo another request's change to an
  unrelated field.

Failure design: every public method raises :class:`StoreUnavailable` quickly
when the database is down, locked or unwritable (lock waits ~1 s, PostgreSQL
connect timeout 2 s); the error is logged at most once per
``error_log_interval_s``; the next call simply tries again (a connection that
failed is dropped, and on PostgreSQL ``pool_pre_ping`` replaces pooled ones the
server closed), so service resumes on its own.

Speed: the statements about a person (reads, counters, profile, deletion) are
compiled once per store and run straight on a pooled driver connection;
migrations and the health check go through SQLAlchemy's execution layer.

Privacy: no health information is stored. User ids are stored as given but
only a short sha256 prefix ever reaches the logs, and SQL parameters are
hidden from SQLAlchemy error messages.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import json
import logging
import math
import os
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import platformdirs
import sqlalchemy as sa
from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from sqlalchemy import event, exc
from sqlalchemy.engine import URL, Connection, Engine

from skill.core.progress import ProgressSummary, summarize_active
from skill.logs import short_user_id
from skill.store.deletions import PendingDeletions

__all__ = [
    "SCHEMA_VERSION",
    "ProgressStore",
    "ProgressSummary",
    "SqlPersistenceAdapter",
    "StoreUnavailable",
    "UserProfile",
    "default_database_url",
    "user_tag",
]

log = logging.getLogger(__name__)

ENV_URL = "SKILL_DATABASE_URL"
APP_NAME = "hamstring-coach"
# How long to wait for a lock another writer holds before giving up (both
# dialects): long enough to ride out a normal overlapping request, short
# enough that Alexa's ~8 s response budget survives a stuck database.
LOCK_WAIT_S = 1.0
# Server-side cap for any single PostgreSQL statement.
STATEMENT_TIMEOUT_S = 5.0
MAX_RESUME_POINT_CHARS = 4096
MAX_LAST_STRETCH_CHARS = 100
PROFILE_FIELDS = ("hold_seconds", "last_stretch", "disclaimer_heard", "resume_point")
_PROFILE_FIELD_SET = frozenset(PROFILE_FIELDS)
# One encoder for every resume point: json.dumps with options builds a new one per call.
_RESUME_POINT_JSON = json.JSONEncoder(sort_keys=True, separators=(",", ":"), allow_nan=False)

# How often a process tries again to delete the data of people who disabled the skill while
# the database was down (after a successful transaction, never on its own).
DELETION_RETRY_INTERVAL_S = 30.0
PENDING_DELETIONS_FILE = "pending-deletions.json"
_IMMEDIATE = "hamstring_sqlite_immediate"  # execution option: BEGIN IMMEDIATE
_PG_MIGRATION_LOCK = 0x48616D73  # arbitrary advisory lock key ("Hams")


@dataclass(frozen=True, slots=True)
class _DriverStatement:
    """SQL text as the driver takes it, and the order of its positional parameters (None:
    the driver takes them by name)."""

    sql: str
    positions: tuple[str, ...] | None

    def parameters(self, values: dict[str, Any]) -> Any:
        if self.positions is None:
            return values
        return tuple(values[name] for name in self.positions)


class StoreUnavailable(Exception):
    """The database cannot be used right now; carry on without persistence."""


@dataclass(frozen=True, slots=True)
class UserProfile:
    """What the skill remembers about a person between sessions."""

    hold_seconds: int | None = None
    last_stretch: str | None = None
    disclaimer_heard: bool = False
    resume_point: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        """A fresh, mutable dict (what ask-sdk persistent attributes hold)."""
        return {
            "hold_seconds": self.hold_seconds,
            "last_stretch": self.last_stretch,
            "disclaimer_heard": self.disclaimer_heard,
            "resume_point": copy.deepcopy(self.resume_point),
        }


def user_tag(user_id: str) -> str:
    """Short, stable, non-reversible tag for logs instead of the full user id: the same tag
    as the request log line's `user`, so the two can be matched."""
    return short_user_id(user_id) or "none"


def default_database_url() -> str:
    """``SKILL_DATABASE_URL`` if set, else a SQLite file in the user data dir."""
    configured = os.environ.get(ENV_URL, "").strip()
    if configured:
        return configured
    path = Path(platformdirs.user_data_dir(APP_NAME)) / "progress.sqlite3"
    return URL.create("sqlite", database=str(path)).render_as_string()


def _normalize_url(raw: str) -> URL:
    """Map plain ``postgresql://``/``postgres://`` to psycopg 3; allow only our two backends."""
    if raw.startswith("postgres://"):
        raw = "postgresql://" + raw.removeprefix("postgres://")
    url = sa.make_url(raw)
    backend = url.get_backend_name()
    if backend == "postgresql":
        if url.drivername == "postgresql":
            url = url.set(drivername="postgresql+psycopg")
        return url
    if backend == "sqlite":
        if not url.database or url.database == ":memory:" or url.query.get("mode") == "memory":
            raise ValueError("an in-memory SQLite store would forget everything; use a file")
        return url
    raise ValueError(f"unsupported database backend {backend!r}; use sqlite or postgresql")


def _describe(err: BaseException) -> str:
    """One short line naming the driver error, never parameters or user ids."""
    orig = getattr(err, "orig", None) or err
    lines = str(orig).strip().splitlines()
    return f"{type(orig).__name__}: {lines[0] if lines else ''}"[:300]


# --- schema -----------------------------------------------------------------

_metadata = sa.MetaData()

schema_version_table = sa.Table(
    "schema_version",
    _metadata,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("applied_at", sa.DateTime, nullable=False),
)

profiles_table = sa.Table(
    "profiles",
    _metadata,
    sa.Column("user_id", sa.Text, primary_key=True),
    sa.Column("hold_seconds", sa.Integer),
    sa.Column("last_stretch", sa.Text),
    sa.Column("disclaimer_heard", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("resume_point", sa.Text),  # JSON text: portable, and tiny
)

daily_progress_table = sa.Table(
    "daily_progress",
    _metadata,
    sa.Column("user_id", sa.Text, primary_key=True),
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("holds", sa.Integer, nullable=False, server_default="0"),
    sa.Column("sessions", sa.Integer, nullable=False, server_default="0"),
)

_SELECT_PROFILE = sa.select(profiles_table).where(
    profiles_table.c.user_id == sa.bindparam("user_id", type_=sa.Text)
)
_DELETE_USER = tuple(
    sa.delete(table).where(table.c.user_id == sa.bindparam("user_id", type_=sa.Text))
    for table in (profiles_table, daily_progress_table)
)


def _summary_sql(backend: str) -> sa.TextClause:
    """One row for a person's summary, however long their history: the totals over every day,
    and the stretched days up to :today as one comma-separated text of ISO dates. (One row per
    day cost a launch about 3 µs per day in Python and a GIL release per row: 1.1 ms for a
    year of daily stretching.) SQLite keeps a Date as ISO text; PostgreSQL's DATE is written
    out the same way."""
    if backend == "postgresql":
        day, fold = "to_char(day, 'YYYY-MM-DD')", "string_agg"
    else:
        day, fold = "day", "group_concat"
    return sa.text(
        "SELECT coalesce(sum(holds), 0), coalesce(sum(sessions), 0), "
        f"{fold}(CASE WHEN (holds > 0 OR sessions > 0) AND day <= :today THEN {day} END, ',') "
        "FROM daily_progress WHERE user_id = :user_id"
    )


# DDL is frozen as text per migration (not derived from the tables above), so
# that changing the tables later cannot silently change what migration 1 did.
_SCHEMA_VERSION_DDL = (
    "CREATE TABLE IF NOT EXISTS schema_version ("
    " version INTEGER NOT NULL PRIMARY KEY,"
    " applied_at TIMESTAMP NOT NULL)"
)


def _migration_1(conn: Connection) -> None:
    conn.exec_driver_sql(
        "CREATE TABLE profiles ("
        " user_id TEXT NOT NULL PRIMARY KEY,"
        " hold_seconds INTEGER,"
        " last_stretch TEXT,"
        " disclaimer_heard BOOLEAN NOT NULL DEFAULT FALSE,"
        " resume_point TEXT)"
    )
    conn.exec_driver_sql(
        "CREATE TABLE daily_progress ("
        " user_id TEXT NOT NULL,"
        " day DATE NOT NULL,"
        " holds INTEGER NOT NULL DEFAULT 0,"
        " sessions INTEGER NOT NULL DEFAULT 0,"
        " PRIMARY KEY (user_id, day))"
    )


def _migration_2(conn: Connection) -> None:
    """SQLite: daily_progress becomes a WITHOUT ROWID table, stored in (user_id, day) order.

    In a rowid table a person's days lie scattered among everybody's, in the order they were
    written, and the primary key is a second b-tree pointing into it. A launch reads all of a
    person's days, so a year-long regular's read went through hundreds of scattered pages: with
    300 people x 365 days written day by day, 1.0-1.5 ms against 0.46-0.48 ms now, and the file
    is half the size (45 -> 24 MB). PostgreSQL keeps its table: nothing to do there.
    """
    if conn.dialect.name != "sqlite":
        return
    conn.exec_driver_sql(
        "CREATE TABLE daily_progress_v2 ("
        " user_id TEXT NOT NULL,"
        " day DATE NOT NULL,"
        " holds INTEGER NOT NULL DEFAULT 0,"
        " sessions INTEGER NOT NULL DEFAULT 0,"
        " PRIMARY KEY (user_id, day)) WITHOUT ROWID"
    )
    conn.exec_driver_sql(
        "INSERT INTO daily_progress_v2 (user_id, day, holds, sessions)"
        " SELECT user_id, day, holds, sessions FROM daily_progress ORDER BY user_id, day"
    )
    conn.exec_driver_sql("DROP TABLE daily_progress")
    conn.exec_driver_sql("ALTER TABLE daily_progress_v2 RENAME TO daily_progress")


# Append (version, description, function) to change the schema; never edit
# a released entry. Each runs in the same transaction as its version row.
MIGRATIONS: tuple[tuple[int, str, Callable[[Connection], None]], ...] = (
    (1, "profiles and per-day progress counters", _migration_1),
    (2, "per-day progress stored in (user, day) order (SQLite: WITHOUT ROWID)", _migration_2),
)
SCHEMA_VERSION = MIGRATIONS[-1][0]
# More than the threads of a worker (serve runs 4): extra connections are closed, not kept.
MAX_IDLE_SQLITE_CONNECTIONS = 8


# --- fork safety ------------------------------------------------------------

_live_stores: weakref.WeakSet[ProgressStore] = weakref.WeakSet()


def _after_fork_in_child() -> None:
    """Pooled connections must not be shared with a forked child (gunicorn --preload)."""
    for store in list(_live_stores):
        store._engine.dispose(close=False)
        store._idle.clear()


os.register_at_fork(after_in_child=_after_fork_in_child)


# --- the store --------------------------------------------------------------


class _ErrorLog:
    """Log store errors at most once per interval, counting the ones held back."""

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
        self._url = _normalize_url(url or default_database_url())
        self.backend: str = self._url.get_backend_name()
        self._errors = _ErrorLog(error_log_interval_s)
        self._schema_lock = threading.Lock()
        # SQLite has one writer at a time. Threads of this process queue here and are woken
        # the moment the lock is free, instead of sleeping in SQLite's busy handler (which
        # polls with growing sleeps and can starve a thread under load). Other processes
        # still meet the file lock and busy_timeout.
        self._local_writer = threading.Lock()
        self._schema_ready = False
        # SQLite connections for the per-request statements, kept by the store itself: taking
        # one from SQLAlchemy's pool and giving it back cost half as much as the statements.
        # (PostgreSQL's come from the pool, which pings them: a server restart is survived.)
        self._idle: list[Any] = []
        self._sqlite_path: Path | None = None
        if self.backend == "sqlite":
            self._sqlite_path = Path(self._url.database or "")
            self._engine = self._sqlite_engine(min(LOCK_WAIT_S, connect_timeout_s))
        else:
            self._engine = self._postgres_engine(connect_timeout_s)
        # Each backend's INSERT ... ON CONFLICT; only the one in use is imported (start-up time).
        if self.backend == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        self._insert = insert
        self._driver_error: type[BaseException] = self._engine.dialect.loaded_dbapi.Error
        if pending_deletions is None:
            folder = (
                self._sqlite_path.parent
                if self._sqlite_path is not None
                else Path(platformdirs.user_data_dir(APP_NAME))
            )
            pending_deletions = folder / PENDING_DELETIONS_FILE
        self.deletions = PendingDeletions(pending_deletions)
        self._deletion_retry = threading.Lock()
        self._next_deletion_retry = 0.0
        _live_stores.add(self)

    def _sqlite_engine(self, busy_timeout_s: float) -> Engine:
        engine = sa.create_engine(
            self._url,
            connect_args={"timeout": busy_timeout_s},
            # A connection to a local file cannot go stale; a failed one is dropped
            # (_driver_transaction) or invalidated by SQLAlchemy.
            pool_pre_ping=False,
            pool_timeout=busy_timeout_s + 1,
            hide_parameters=True,
        )

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            # Let SQLAlchemy's "begin" event own transactions (pysqlite's own
            # implicit BEGIN is deferred and skips DDL), then switch to WAL so
            # readers never block the writer. synchronous=NORMAL is SQLite's advice for
            # WAL: commits no longer wait for an fsync (~1 ms each, holding the write
            # lock), the database stays consistent after any crash, and a commit can
            # only be lost to a power cut / OS crash before the next checkpoint. For
            # durability against that too, use PostgreSQL (SKILL_DATABASE_URL).
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            try:
                cur.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
                cur.execute("PRAGMA journal_mode = WAL")
                cur.execute("PRAGMA synchronous = NORMAL")
            finally:
                cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Connection) -> None:
            # IMMEDIATE takes the write lock up front (waiting busy_timeout),
            # so a read-then-write migration cannot fail half way on upgrade.
            # Straight on the driver connection: a full SQLAlchemy execution here cost
            # as much as the statement the transaction is for. Its errors are
            # sqlite3.Error, which _guard turns into StoreUnavailable like any other.
            immediate = conn.get_execution_options().get(_IMMEDIATE, False)
            conn.connection.dbapi_connection.execute(  # type: ignore[union-attr]
                "BEGIN IMMEDIATE" if immediate else "BEGIN"
            )

        return engine

    def _postgres_engine(self, connect_timeout_s: float) -> Engine:
        options = (
            f"-c lock_timeout={int(LOCK_WAIT_S * 1000)}"
            f" -c statement_timeout={int(STATEMENT_TIMEOUT_S * 1000)}"
        )
        # connect_args replace the URL's own ``options``; keep them (last wins).
        from_url = self._url.query.get("options")
        if from_url:
            options += " " + (from_url if isinstance(from_url, str) else " ".join(from_url))
        return sa.create_engine(
            self._url,
            connect_args={
                # libpq/psycopg round up to at least 2 s.
                "connect_timeout": max(1, math.ceil(connect_timeout_s)),
                "options": options,
                "application_name": APP_NAME,
                "keepalives": 1,
                "keepalives_idle": 30,
                "keepalives_interval": 5,
                "keepalives_count": 3,
            },
            pool_pre_ping=True,
            pool_timeout=connect_timeout_s + LOCK_WAIT_S,
            hide_parameters=True,
        )

    # -- plumbing --

    def close(self) -> None:
        """Close pooled connections (tests, shutdown). The store stays usable."""
        while self._idle:
            with contextlib.suppress(Exception):
                self._idle.pop().close()
        self._engine.dispose()

    @contextmanager
    def _guard(self, action: str) -> Iterator[None]:
        """Turn database/driver/filesystem errors into StoreUnavailable."""
        try:
            yield
        except (exc.SQLAlchemyError, self._driver_error, OSError) as err:
            # Re-check the schema next time: the file may have been replaced.
            self._schema_ready = False
            message = f"{action} failed ({self.backend}): {_describe(err)}"
            self._errors.failure(message)
            raise StoreUnavailable(message) from err
        self._errors.success()
        if self.deletions.waiting or not self.deletions.checked:
            self._retry_deletions()

    @contextmanager
    def _driver_transaction(self, action: str) -> Iterator[Any]:
        """A cursor in one transaction, straight on a pooled driver connection: for the few
        statements every request runs, SQLAlchemy's execution layer cost several times what
        the statements do. A connection that failed is dropped, not pooled again."""
        with self._guard(action):
            self._ensure_schema()
            with self._one_writer():
                connection = self._checkout()
                try:
                    cursor = connection.cursor()
                    try:
                        if self.backend == "sqlite":  # autocommit driver: we open it
                            cursor.execute("BEGIN")
                        yield cursor
                    finally:
                        cursor.close()
                    connection.commit()
                except BaseException:
                    with contextlib.suppress(Exception):
                        connection.rollback()
                    self._checkin(connection, healthy=False)
                    raise
                self._checkin(connection, healthy=True)

    def _checkout(self) -> Any:
        """A driver connection: SQLite's from the store's own idle list (new ones are made by
        the engine, so they get its PRAGMAs, then detached from its pool), PostgreSQL's from
        the pool."""
        if self.backend != "sqlite":
            return self._engine.raw_connection()
        try:
            return self._idle.pop()
        except IndexError:
            fairy = self._engine.raw_connection()
            fairy.detach()
            return fairy.dbapi_connection

    def _checkin(self, connection: Any, *, healthy: bool) -> None:
        """Keep a healthy connection for the next request; a failed one is dropped."""
        if self.backend != "sqlite":
            if not healthy:
                connection.invalidate()
            connection.close()
        elif healthy and len(self._idle) < MAX_IDLE_SQLITE_CONNECTIONS:
            self._idle.append(connection)
        else:
            with contextlib.suppress(Exception):
                connection.close()

    @functools.cache  # noqa: B019 - a handful of statements per store
    def _driver_sql(self, stmt: Any) -> _DriverStatement:
        """`stmt` compiled once for this database, as the driver takes it."""
        compiled = stmt.compile(dialect=self._engine.dialect)
        positions = tuple(compiled.positiontup or ()) if compiled.positional else None
        return _DriverStatement(compiled.string, positions)

    def _run(self, cursor: Any, stmt: Any, values: dict[str, Any]) -> Any:
        statement = self._driver_sql(stmt)
        return cursor.execute(statement.sql, statement.parameters(values))

    def _day(self, day: date) -> Any:
        """A day as this driver stores it (SQLAlchemy keeps SQLite dates as ISO text)."""
        return day.isoformat() if self.backend == "sqlite" else day

    @functools.cache  # noqa: B019 - one per store
    def _summary_statement(self) -> sa.TextClause:
        return _summary_sql(self.backend)

    def _summary(self, cursor: Any, user_id: str, today: date) -> ProgressSummary:
        values = {"user_id": user_id, "today": self._day(today)}
        holds, sessions, days = self._run(cursor, self._summary_statement(), values).fetchone()
        active = {date.fromisoformat(day) for day in days.split(",")} if days else set()
        return summarize_active(active, today, total_sessions=int(sessions), total_holds=int(holds))

    @contextmanager
    def _one_writer(self) -> Iterator[None]:
        if self.backend != "sqlite":
            yield
            return
        if not self._local_writer.acquire(timeout=LOCK_WAIT_S):
            raise TimeoutError(f"waited {LOCK_WAIT_S:.0f} s for this process's SQLite writer")
        try:
            yield
        finally:
            self._local_writer.release()

    def _read_version(self, conn: Connection) -> int:
        if not sa.inspect(conn).has_table("schema_version"):
            return 0
        found = conn.execute(sa.select(sa.func.max(schema_version_table.c.version))).scalar()
        return int(found or 0)

    def _ensure_schema(self) -> None:
        """Create or migrate the schema once per process (again after a failure)."""
        if self._schema_ready:
            return
        with self._schema_lock:
            if self._schema_ready:
                return
            if self._sqlite_path is not None:
                self._sqlite_path.parent.mkdir(parents=True, exist_ok=True)
            with self._engine.connect() as conn:
                with conn.begin():
                    version = self._read_version(conn)
                if version != SCHEMA_VERSION:
                    conn.execution_options(**{_IMMEDIATE: True})
                    with conn.begin():
                        self._migrate(conn)
            self._schema_ready = True

    def _migrate(self, conn: Connection) -> None:
        """Apply pending migrations; serialized across processes and hosts."""
        if self.backend == "postgresql":
            conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_PG_MIGRATION_LOCK)))
        conn.exec_driver_sql(_SCHEMA_VERSION_DDL)
        current = self._read_version(conn)
        if current > SCHEMA_VERSION:
            # Written by newer code: refuse rather than guess at its meaning.
            too_new = f"schema version {current} is newer than supported {SCHEMA_VERSION}"
            raise exc.DatabaseError(None, None, RuntimeError(too_new))
        for version, description, apply in MIGRATIONS:
            if version <= current:
                continue
            log.info("progress store schema migrating to %d: %s", version, description)
            apply(conn)
            conn.execute(
                sa.insert(schema_version_table).values(
                    version=version, applied_at=datetime.now(UTC).replace(tzinfo=None)
                )
            )
            log.info("progress store schema migrated to %d: %s", version, description)

    # -- statements: built once, executed with parameters (building one costs more than
    # running it on SQLite) --

    @functools.cache  # noqa: B019 - a handful of entries per store, stores live for the process
    def _profile_upsert(self, names: tuple[str, ...]) -> Any:
        table = profiles_table
        stmt = self._insert(table).values(
            {col: sa.bindparam(col, type_=table.c[col].type) for col in ("user_id", *names)}
        )
        return stmt.on_conflict_do_update(
            index_elements=[table.c.user_id], set_={name: stmt.excluded[name] for name in names}
        )

    # -- profile --

    def get_profile(self, user_id: str) -> UserProfile:
        """The person's profile; defaults for someone never seen before."""
        _check_user_id(user_id)
        with self._driver_transaction("get_profile") as cursor:
            row = self._run(cursor, _SELECT_PROFILE, {"user_id": user_id}).fetchone()
        return _profile_from_row(row, user_id)

    def load(self, user_id: str, today: date) -> tuple[UserProfile, ProgressSummary]:
        """get_profile and summary in one transaction (what a launch needs)."""
        _check_user_id(user_id)
        _check_day(today)
        with self._driver_transaction("load") as cursor:
            row = self._run(cursor, _SELECT_PROFILE, {"user_id": user_id}).fetchone()
            summary = self._summary(cursor, user_id, today)
        return _profile_from_row(row, user_id), summary

    def update_profile(self, user_id: str, **fields: Any) -> None:
        """Set only the given fields (one atomic upsert); others keep their value."""
        _check_user_id(user_id)
        values = _validate_profile_fields(fields)
        if not values:
            return
        stmt = self._profile_upsert(tuple(sorted(values)))
        with self._driver_transaction("update_profile") as cursor:
            self._run(cursor, stmt, {"user_id": user_id, **values})
        log.debug("profile of user %s updated: %s", user_tag(user_id), sorted(values))

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
        (atomic increments, like record_hold) and set the given profile fields (like
        update_profile). One commit instead of one per change."""
        _check_user_id(user_id)
        values = _validate_profile_fields(fields)
        counts = {"holds": holds, "sessions": sessions}
        for name, count in counts.items():
            if not isinstance(count, int) or isinstance(count, bool) or count < 0:
                raise ValueError(f"{name} must be a non-negative int")
        if holds or sessions:
            if not isinstance(day, date):
                raise ValueError("day must be a date")
            _check_day(day)
        elif not values:
            return
        with self._driver_transaction("save") as cursor:
            if holds or sessions:
                assert day is not None
                added = {"user_id": user_id, "day": self._day(day), **counts}
                self._run(cursor, self._add_upsert(), added)
            if values:
                stmt = self._profile_upsert(tuple(sorted(values)))
                self._run(cursor, stmt, {"user_id": user_id, **values})

    @functools.cache  # noqa: B019
    def _add_upsert(self) -> Any:
        table = daily_progress_table
        stmt = self._insert(table).values(
            {
                col: sa.bindparam(col, type_=table.c[col].type)
                for col in ("user_id", "day", "holds", "sessions")
            }
        )
        return stmt.on_conflict_do_update(
            index_elements=[table.c.user_id, table.c.day],
            set_={
                "holds": table.c.holds + stmt.excluded.holds,
                "sessions": table.c.sessions + stmt.excluded.sessions,
            },
        )

    # -- progress --

    def record_hold(self, user_id: str, day: date) -> None:
        """Count one finished hold on the person's local ``day`` (atomic +1)."""
        self._bump(user_id, day, "holds")

    def record_session(self, user_id: str, day: date) -> None:
        """Count one finished routine on the person's local ``day`` (atomic +1)."""
        self._bump(user_id, day, "sessions")

    def _bump(self, user_id: str, day: date, column: str) -> None:
        _check_user_id(user_id)
        _check_day(day)
        params = {"user_id": user_id, "day": self._day(day), "holds": 0, "sessions": 0, column: 1}
        action = "record_hold" if column == "holds" else "record_session"
        with self._driver_transaction(action) as cursor:
            self._run(cursor, self._add_upsert(), params)
        log.debug("user %s: +1 %s on %s", user_tag(user_id), column, day.isoformat())

    def summary(self, user_id: str, today: date) -> ProgressSummary:
        """Week, streak and totals as seen on the person's local ``today``."""
        _check_user_id(user_id)
        _check_day(today)
        with self._driver_transaction("summary") as cursor:
            return self._summary(cursor, user_id, today)

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

    def delete_user(self, user_id: str) -> None:
        """Forget everything about the person (skill disabled), in one transaction."""
        _check_user_id(user_id)
        with self._driver_transaction("delete_user") as cursor:
            for stmt in _DELETE_USER:
                self._run(cursor, stmt, {"user_id": user_id})
        log.info("deleted all data of user %s", user_tag(user_id))

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
                self._ensure_schema()
                with self._engine.connect() as conn:
                    if self.backend == "sqlite":
                        # Taking the write lock proves nobody is blocking writers.
                        conn.execution_options(**{_IMMEDIATE: True})
                    with conn.begin():
                        version = self._read_version(conn)
                        if self.backend == "postgresql":
                            flag = conn.exec_driver_sql("SHOW transaction_read_only").scalar()
                            read_only = flag == "on"
        except StoreUnavailable as err:
            return {**result, "status": "degraded", "detail": str(err)}
        if read_only:
            return {**result, "status": "degraded", "detail": "database is read-only"}
        return {**result, "detail": f"schema version {version}"}


# --- validation -------------------------------------------------------------


def _profile_from_row(row: tuple[Any, ...] | None, user_id: str) -> UserProfile:
    """A profile from a _SELECT_PROFILE row, in the table's column order."""
    if row is None:
        return UserProfile()
    _user_id, hold_seconds, last_stretch, disclaimer_heard, resume_point = row
    return UserProfile(
        hold_seconds=hold_seconds,
        last_stretch=last_stretch,
        disclaimer_heard=bool(disclaimer_heard),
        resume_point=_decode_resume_point(resume_point, user_id),
    )


def _check_user_id(user_id: str) -> None:
    if not isinstance(user_id, str) or not user_id:
        raise ValueError("user_id must be a non-empty string")


def _check_day(day: date) -> None:
    # datetime is a date subclass, but which local day it means is ambiguous.
    if not isinstance(day, date) or isinstance(day, datetime):
        raise TypeError("day must be a datetime.date (the person's local day)")


def _validate_profile_fields(fields: dict[str, Any]) -> dict[str, Any]:
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
            value = _encode_resume_point(value)
        values[name] = value
    return values


def _encode_resume_point(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ValueError("resume_point must be a dict or None")
    try:
        text = _RESUME_POINT_JSON.encode(value)
    except (TypeError, ValueError) as err:
        raise ValueError(f"resume_point must be JSON-serialisable: {err}") from err
    if len(text) > MAX_RESUME_POINT_CHARS:
        raise ValueError(f"resume_point is larger than {MAX_RESUME_POINT_CHARS} characters")
    return text


def _decode_resume_point(text: str | None, user_id: str) -> dict[str, Any] | None:
    """A damaged resume point only costs the person their place, never the request."""
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


# --- ask-sdk adapter ----------------------------------------------------------


class SqlPersistenceAdapter(AbstractPersistenceAdapter):
    """ask-sdk persistence adapter whose attributes are the :class:`UserProfile` dict.

    ``save_attributes`` writes only the fields this request changed since its
    ``get_attributes`` (matched by request id), so two overlapping requests of
    one person cannot undo each other's changes to different fields. Keys
    missing from the saved dict are left alone; unknown keys are ignored.
    Progress counters are not attributes: use ``ProgressStore.record_*``.
    Raises :class:`StoreUnavailable` like the store (also when the request
    carries no user id).
    """

    _MAX_SNAPSHOTS = 1024

    def __init__(self, store: ProgressStore) -> None:
        self.store = store
        self._snapshots: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self._warned_keys: set[str] = set()

    @staticmethod
    def _user_id(request_envelope: Any) -> str:
        try:
            user_id = request_envelope.context.system.user.user_id
        except AttributeError:
            user_id = None
        if not isinstance(user_id, str) or not user_id:
            raise StoreUnavailable("request has no user id; nothing to persist against")
        return user_id

    @staticmethod
    def _request_id(request_envelope: Any) -> str | None:
        request = getattr(request_envelope, "request", None)
        request_id = getattr(request, "request_id", None)
        return request_id if isinstance(request_id, str) and request_id else None

    def get_attributes(self, request_envelope: Any) -> dict[str, Any]:
        """The person's profile as a fresh dict."""
        attributes = self.store.get_profile(self._user_id(request_envelope)).as_dict()
        request_id = self._request_id(request_envelope)
        if request_id is not None:
            with self._lock:
                self._snapshots[request_id] = copy.deepcopy(attributes)
                while len(self._snapshots) > self._MAX_SNAPSHOTS:
                    self._snapshots.popitem(last=False)
        return attributes

    def save_attributes(self, request_envelope: Any, attributes: dict[str, Any]) -> None:
        """Write the profile fields this request changed (all given ones if unknown)."""
        user_id = self._user_id(request_envelope)
        unknown = set(attributes) - set(PROFILE_FIELDS) - self._warned_keys
        if unknown:
            self._warned_keys |= unknown
            log.warning("ignoring persistent attributes that are not profile fields: %s", unknown)
        fields = {k: attributes[k] for k in PROFILE_FIELDS if k in attributes}
        request_id = self._request_id(request_envelope)
        if request_id is not None:
            with self._lock:
                before = self._snapshots.pop(request_id, None)
            if before is not None:
                fields = {k: v for k, v in fields.items() if before.get(k) != v}
        if fields:
            self.store.update_profile(user_id, **fields)

    def delete_attributes(self, request_envelope: Any) -> None:
        """Delete everything about the person (profile and progress)."""
        self.store.delete_user(self._user_id(request_envelope))
