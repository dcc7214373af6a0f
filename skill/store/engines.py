"""Which database, and SQLAlchemy engines set up for it: a local SQLite file (one host) or
PostgreSQL (many hosts behind a load balancer).

Both are tuned for one promise: a stuck, frozen or missing database costs a request at most
its database budget (skill.store.deadlines, 0.5 s), instead of eating Alexa's ~8 s: SQLite's
busy wait is set from each call's deadline, PostgreSQL's connections are watched by the
deadline watcher and opened within the deadline, and a pool checkout waits at most
`POOL_WAIT_S`, and never past the call's deadline.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

import platformdirs
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.pool import QueuePool

from skill.store.deadlines import DEADLINES, REQUEST_BUDGET_S, connect_within

ENV_URL = "SKILL_DATABASE_URL"
APP_NAME = "hamstring-coach"
# How long to wait for a lock another writer holds before giving up (both dialects): the
# request's whole database budget; a call's own deadline lowers it (see connections.py).
LOCK_WAIT_S = REQUEST_BUDGET_S
# PostgreSQL's own lock wait: shorter than the call's deadline, so a held lock is reported
# by the server and the connection lives on, rather than cut by the deadline watcher.
PG_LOCK_TIMEOUT_S = 0.4
# Server-side cap for any single PostgreSQL statement: the client gives up at its deadline
# anyway; this stops the server working on for a client that is gone.
STATEMENT_TIMEOUT_S = 1.0
# Waiting for a pooled PostgreSQL connection when all are in use (at most the call's deadline).
POOL_WAIT_S = 0.25
# libpq's connect_timeout (it takes whole seconds, at least 2): bounds how long a helper thread
# that opens a connection can outlive the call that gave up on it (deadlines.connect_within).
CONNECT_TIMEOUT_S = 2
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


class SqliteConnection(sqlite3.Connection):
    """A driver connection that remembers its busy timeout, so a call sets it only when its
    deadline needs a shorter one (a PRAGMA per transaction would cost more than it saves)."""

    busy_ms = 0


def sqlite_engine(url: URL, busy_timeout_s: float) -> Engine:
    """WAL mode, a bounded busy wait, and transactions that SQLAlchemy opens itself."""
    engine = sa.create_engine(
        url,
        connect_args={"timeout": busy_timeout_s, "factory": SqliteConnection},
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
            dbapi_conn.busy_ms = int(busy_timeout_s * 1000)
            cur.execute(f"PRAGMA busy_timeout = {dbapi_conn.busy_ms}")
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


class DeadlinePool(QueuePool):
    """SQLAlchemy's queue pool, whose wait for a free connection ends by the calling thread's
    deadline: a call with 0.05 s left must not wait POOL_WAIT_S. The pool reads `_timeout` on
    each checkout; here it is computed per thread, and what SQLAlchemy sets (at creation and
    on `recreate`, possibly from inside a scope) is ignored: the wait is always POOL_WAIT_S."""

    @property  # type: ignore[override]
    def _timeout(self) -> float:
        scope = DEADLINES.current()
        return POOL_WAIT_S if scope is None else max(0.0, min(POOL_WAIT_S, scope.left()))

    @_timeout.setter
    def _timeout(self, _value: float) -> None:
        pass


def postgres_engine(url: URL) -> Engine:
    """Server-side lock and statement timeouts, client-side deadlines (each connection in use
    is watched, see skill.store.deadlines), connections opened within the caller's deadline,
    and TCP keepalives for a peer that vanished. Pooled connections are pinged by the store
    (connections.py) under the deadline, not by SQLAlchemy's pre-ping, which no deadline
    covers."""
    options = (
        f"-c lock_timeout={int(PG_LOCK_TIMEOUT_S * 1000)}"
        f" -c statement_timeout={int(STATEMENT_TIMEOUT_S * 1000)}"
    )
    # connect_args replace the URL's own ``options``; keep them (last wins).
    from_url = url.query.get("options")
    if from_url:
        options += " " + (from_url if isinstance(from_url, str) else " ".join(from_url))
    engine = sa.create_engine(
        url,
        connect_args={
            "connect_timeout": CONNECT_TIMEOUT_S,
            "options": options,
            "application_name": APP_NAME,
            "keepalives": 1,
            "keepalives_idle": 30,
            "keepalives_interval": 5,
            "keepalives_count": 3,
        },
        pool_pre_ping=False,
        poolclass=DeadlinePool,
        hide_parameters=True,
    )
    dbapi = engine.dialect.loaded_dbapi

    @event.listens_for(engine, "do_connect")
    def _connect(dialect: Any, _record: Any, cargs: Any, cparams: Any) -> Any:
        scope = DEADLINES.current()
        if scope is None:  # start-up, tools: connect_timeout alone
            return None
        connection = connect_within(
            lambda: dialect.connect(*cargs, **cparams),
            scope.left(),
            lambda late: late.close(),
            dbapi.OperationalError,
        )
        DEADLINES.watch(connection)  # SQLAlchemy's first queries on it are covered too
        return connection

    @event.listens_for(engine, "checkout")
    def _checkout(dbapi_conn: Any, _record: Any, _proxy: Any) -> None:
        DEADLINES.watch(dbapi_conn)

    @event.listens_for(engine, "checkin")
    def _checkin(dbapi_conn: Any, _record: Any) -> None:
        if dbapi_conn is not None:
            DEADLINES.unwatch(dbapi_conn)

    return engine
