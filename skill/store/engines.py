"""Which database, and SQLAlchemy engines set up for it: a local SQLite file (one host) or
PostgreSQL (many hosts behind a load balancer).

Both are tuned for one promise: a stuck or missing database fails a request within about a
second (lock waits ~1 s, PostgreSQL connect timeout ~2 s) instead of eating Alexa's ~8 s.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import platformdirs
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Engine

ENV_URL = "SKILL_DATABASE_URL"
APP_NAME = "hamstring-coach"
# How long to wait for a lock another writer holds before giving up (both
# dialects): long enough to ride out a normal overlapping request, short
# enough that Alexa's ~8 s response budget survives a stuck database.
LOCK_WAIT_S = 1.0
# Server-side cap for any single PostgreSQL statement.
STATEMENT_TIMEOUT_S = 5.0
IMMEDIATE = "hamstring_sqlite_immediate"  # execution option: BEGIN IMMEDIATE


def data_dir() -> Path:
    """The per-user folder for the default database and the owed deletions."""
    return Path(platformdirs.user_data_dir(APP_NAME))


def default_database_url() -> str:
    """``SKILL_DATABASE_URL`` if set, else a SQLite file in the user data dir."""
    configured = os.environ.get(ENV_URL, "").strip()
    if configured:
        return configured
    return URL.create("sqlite", database=str(data_dir() / "progress.sqlite3")).render_as_string()


def normalize_url(raw: str) -> URL:
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


def sqlite_engine(url: URL, busy_timeout_s: float) -> Engine:
    """WAL mode, a bounded busy wait, and transactions that SQLAlchemy opens itself."""
    engine = sa.create_engine(
        url,
        connect_args={"timeout": busy_timeout_s},
        # A connection to a local file cannot go stale; a failed one is dropped
        # (DriverConnections.transaction) or invalidated by SQLAlchemy.
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
        # sqlite3.Error, which the store turns into StoreUnavailable like any other.
        immediate = conn.get_execution_options().get(IMMEDIATE, False)
        conn.connection.dbapi_connection.execute(  # type: ignore[union-attr]
            "BEGIN IMMEDIATE" if immediate else "BEGIN"
        )

    return engine


def postgres_engine(url: URL, connect_timeout_s: float) -> Engine:
    """Server-side lock and statement timeouts, TCP keepalives, and pings that replace pooled
    connections the server closed (a server restart is survived)."""
    options = (
        f"-c lock_timeout={int(LOCK_WAIT_S * 1000)}"
        f" -c statement_timeout={int(STATEMENT_TIMEOUT_S * 1000)}"
    )
    # connect_args replace the URL's own ``options``; keep them (last wins).
    from_url = url.query.get("options")
    if from_url:
        options += " " + (from_url if isinstance(from_url, str) else " ".join(from_url))
    return sa.create_engine(
        url,
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
