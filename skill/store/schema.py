"""The tables, and the migrations that bring any older database up to them.

A database is never created or changed anywhere else: the first transaction of a process (or
`serve`, before it takes requests) runs `Schema.ensure`, which applies what is missing under
a lock that serializes processes and hosts, and refuses a schema newer than this code.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import exc
from sqlalchemy.engine import Connection, Engine

from skill.store.deadlines import DEADLINES
from skill.store.engines import IMMEDIATE

# A migration runs to its end whatever the deadline of the call that found it missing (cut
# off, it would be rolled back and tried again by every call); this bounds a frozen server.
MIGRATION_DEADLINE_S = 600.0

log = logging.getLogger(__name__)

_PG_MIGRATION_LOCK = 0x48616D73  # arbitrary advisory lock key ("Hams")

metadata = sa.MetaData()

schema_version_table = sa.Table(
    "schema_version",
    metadata,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("applied_at", sa.DateTime, nullable=False),
)

profiles_table = sa.Table(
    "profiles",
    metadata,
    sa.Column("user_id", sa.Text, primary_key=True),
    sa.Column("hold_seconds", sa.Integer),
    sa.Column("last_stretch", sa.Text),
    sa.Column("disclaimer_heard", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("resume_point", sa.Text),  # JSON text: portable, and tiny
    sa.Column("preferences", sa.Text),  # JSON text, as resume_point (migration 3)
    # The last day (UTC) the skill saved anything for the person: retention (migration 5)
    sa.Column("last_seen", sa.Date),
    # The person's stretch reminder: Alexa's id for it, its schedule, when they said no to the
    # offer (JSON text, as preferences; migration 6). After last_seen: a column is added last.
    sa.Column("reminder", sa.Text),
)

health_probe_table = sa.Table(
    "health_probe",
    metadata,
    sa.Column("host", sa.Text, primary_key=True),
    sa.Column("checked_at", sa.DateTime, nullable=False),
)

daily_progress_table = sa.Table(
    "daily_progress",
    metadata,
    sa.Column("user_id", sa.Text, primary_key=True),
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("holds", sa.Integer, nullable=False, server_default="0"),
    sa.Column("sessions", sa.Integer, nullable=False, server_default="0"),
)

retention_runs_table = sa.Table(
    "retention_runs",
    metadata,
    sa.Column("day", sa.Date, primary_key=True),  # one run per UTC day, claimed by one host
    sa.Column("host", sa.Text, nullable=False),
    sa.Column("started_at", sa.DateTime, nullable=False),
    sa.Column("finished_at", sa.DateTime),
    sa.Column("forgotten", sa.Integer),  # people forgotten by that run
)

# DDL is frozen as text per migration (not derived from the tables above), so
# that changing the tables later cannot silently change what migration 1 did.
_SCHEMA_VERSION_DDL = (
    "CREATE TABLE IF NOT EXISTS schema_version ("
    " version INTEGER NOT NULL PRIMARY KEY,"
    " applied_at TIMESTAMP NOT NULL)"
)


def migration_1(conn: Connection) -> None:
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


def migration_2(conn: Connection) -> None:
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


def migration_4(conn: Connection) -> None:
    """health_probe: a row per host that /healthz writes to prove progress can be saved (see
    skill.store.health). A few rows, never read by a request."""
    conn.exec_driver_sql(
        "CREATE TABLE health_probe (host TEXT NOT NULL PRIMARY KEY, checked_at TIMESTAMP NOT NULL)"
    )


def migration_3(conn: Connection) -> None:
    """profiles gains `preferences` (how the person likes to be coached, JSON text). A nullable
    column with no default: existing rows read it as None (nothing set), and neither SQLite nor
    PostgreSQL rewrites the table to add it, so the migration is instant however many people."""
    conn.exec_driver_sql("ALTER TABLE profiles ADD COLUMN preferences TEXT")


def migration_5(conn: Connection) -> None:
    """Retention (skill.store.retention): profiles gain `last_seen`, the last day the skill
    saved anything for the person, indexed so the daily job finds the people to forget without
    reading every row; and `retention_runs`, the row by which one host claims a day's run.

    Backfill: the day of the migration for everyone, so the retention period starts with the
    upgrade that brings it and nobody is forgotten on a guess. (The latest day of progress
    would miss people who since started a stretch or changed a setting without finishing a
    hold; only the release that writes last_seen knows.) Progress with no profile row gets a
    profile row, so every person the database keeps has a last-seen day.
    """
    conn.exec_driver_sql("ALTER TABLE profiles ADD COLUMN last_seen DATE")
    conn.exec_driver_sql("UPDATE profiles SET last_seen = CURRENT_DATE")
    conn.exec_driver_sql(
        "INSERT INTO profiles (user_id, last_seen)"
        " SELECT DISTINCT user_id, CURRENT_DATE FROM daily_progress"
        " WHERE user_id NOT IN (SELECT user_id FROM profiles)"
    )
    conn.exec_driver_sql("CREATE INDEX profiles_last_seen ON profiles (last_seen)")
    conn.exec_driver_sql(
        "CREATE TABLE retention_runs ("
        " day DATE NOT NULL PRIMARY KEY,"
        " host TEXT NOT NULL,"
        " started_at TIMESTAMP NOT NULL,"
        " finished_at TIMESTAMP,"
        " forgotten INTEGER)"
    )


def migration_6(conn: Connection) -> None:
    """profiles gain `reminder` (issue 20): the daily stretch reminder the person set through
    the skill, as JSON text (skill.core.reminders.ReminderRecord: Alexa's alertToken for it,
    its schedule, the day they last said no to the offer). Nullable with no default, as
    migration 3: existing rows read it as None (no reminder, never offered), and the column is
    added without rewriting the table, so the migration is instant however many people. It
    is a column of the profile row, so forgetting the person (SkillDisabled, retention)
    deletes it with the rest."""
    conn.exec_driver_sql("ALTER TABLE profiles ADD COLUMN reminder TEXT")


# Append (version, description, function) to change the schema; never edit
# a released entry. Each runs in the same transaction as its version row.
MIGRATIONS: tuple[tuple[int, str, Callable[[Connection], None]], ...] = (
    (1, "profiles and per-day progress counters", migration_1),
    (2, "per-day progress stored in (user, day) order (SQLite: WITHOUT ROWID)", migration_2),
    (3, "profiles remember coaching preferences", migration_3),
    (4, "a row per host that the health check writes", migration_4),
    (5, "profiles remember the last day they were used; one retention run per day", migration_5),
    (6, "profiles remember the stretch reminder", migration_6),
)
SCHEMA_VERSION = MIGRATIONS[-1][0]


def read_version(conn: Connection) -> int:
    """The newest migration applied (0: an empty database)."""
    if not sa.inspect(conn).has_table("schema_version"):
        return 0
    found = conn.execute(sa.select(sa.func.max(schema_version_table.c.version))).scalar()
    return int(found or 0)


def migrate(conn: Connection) -> None:
    """Apply pending migrations; serialized across processes and hosts."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_PG_MIGRATION_LOCK)))
    conn.exec_driver_sql(_SCHEMA_VERSION_DDL)
    current = read_version(conn)
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


class Schema:
    """Checks the schema once per process, and again after any failure (the file may have
    been replaced): reading the version costs more than a request's statements."""

    def __init__(self, engine: Engine, sqlite_path: Path | None) -> None:
        self._engine = engine
        self._sqlite_path = sqlite_path
        self._lock = threading.Lock()
        self.ready = False

    def ensure(self) -> None:
        """Create or migrate the schema unless this process already did."""
        if self.ready:
            return
        scope = DEADLINES.current()
        if not self._lock.acquire(timeout=-1 if scope is None else max(0.0, scope.left())):
            raise TimeoutError("waited for another thread's schema check")
        try:
            if self.ready:
                return
            if self._sqlite_path is not None:
                self._sqlite_path.parent.mkdir(parents=True, exist_ok=True)
            with self._engine.connect() as conn, conn.begin():
                version = read_version(conn)
            if version != SCHEMA_VERSION:
                with (
                    DEADLINES.scope(MIGRATION_DEADLINE_S, replace=True),
                    self._engine.connect() as conn,
                ):
                    conn.execution_options(**{IMMEDIATE: True})
                    with conn.begin():
                        migrate(conn)
            self.ready = True
        finally:
            self._lock.release()
