"""Driver connections for the per-request statements, and the transaction around them.

SQLAlchemy's execution layer cost several times what a request's few statements do, so those
run on a bare DB-API cursor. SQLite's connections are kept by the store itself: taking one from
SQLAlchemy's pool and giving it back cost ~50 µs a request, a quarter of the statements.
PostgreSQL's come from the pool, which pings them, so a server restart is survived.
"""

from __future__ import annotations

import contextlib
import os
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.engine import Engine

from skill.store.deadlines import DEADLINES
from skill.store.engines import LOCK_WAIT_S

# A call's deadline lowers SQLite's busy wait only when it is at least this much shorter than
# the one set: most calls then set nothing (a PRAGMA costs more than the statements' margin).
BUSY_SLACK_MS = 50

# More than the threads of a worker (serve runs 4): extra connections are closed, not kept.
MAX_IDLE_SQLITE_CONNECTIONS = 8


class DriverConnections:
    """Checkout, checkin and one transaction at a time per SQLite file in this process."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sqlite = engine.dialect.name == "sqlite"
        self.idle: list[Any] = []
        # SQLite has one writer at a time. Threads of this process queue here and are woken
        # the moment the lock is free, instead of sleeping in SQLite's busy handler (which
        # polls with growing sleeps and can starve a thread under load). Other processes
        # still meet the file lock and busy_timeout.
        self._local_writer = threading.Lock()
        _live.add(self)

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        """A cursor in one transaction; committed if the block ends normally, else rolled back.
        A connection that failed is dropped, not used again."""
        with self._one_writer():
            connection = self.checkout()
            try:
                if self.sqlite:
                    self._busy_wait_within_deadline(connection)
                cursor = connection.cursor()
                try:
                    if self.sqlite:  # autocommit driver: we open it
                        cursor.execute("BEGIN")
                    yield cursor
                finally:
                    cursor.close()
                connection.commit()
            except BaseException:
                with contextlib.suppress(Exception):
                    connection.rollback()
                self.checkin(connection, healthy=False)
                raise
            self.checkin(connection, healthy=True)

    def checkout(self) -> Any:
        """A driver connection: SQLite's from the idle list (new ones are made by the engine,
        so they get its PRAGMAs, then detached from its pool), PostgreSQL's from the pool."""
        if not self.sqlite:
            return self._pinged()
        try:
            return self.idle.pop()
        except IndexError:
            fairy = self.engine.raw_connection()
            fairy.detach()
            return fairy.dbapi_connection

    def _pinged(self) -> Any:
        """A pooled PostgreSQL connection that answered a ping (under the call's deadline,
        which SQLAlchemy's own pre-ping is not), or a new one if the old one was dead (the
        server restarted: survived without an error)."""
        connection = self.engine.raw_connection()
        try:
            connection.dbapi_connection.execute("SELECT 1")  # type: ignore[union-attr]
            return connection
        except Exception:
            connection.invalidate()
            scope = DEADLINES.current()
            if scope is not None and scope.expired:
                raise  # frozen, not restarted: no second try
        # The server went away: the other pooled connections are dead too. A new pool (the old
        # one's idle connections closed, those in use closed when given back).
        self.engine.dispose()
        return self.engine.raw_connection()

    def _busy_wait_within_deadline(self, connection: Any) -> None:
        """SQLite's busy wait ends by the call's deadline (it is set at the engine's LOCK_WAIT_S;
        lowered, then restored, only when the deadline is clearly earlier)."""
        scope = DEADLINES.current()
        wanted = int(LOCK_WAIT_S * 1000)
        if scope is not None:
            wanted = min(wanted, max(1, int(scope.left() * 1000)))
        if abs(getattr(connection, "busy_ms", wanted) - wanted) > BUSY_SLACK_MS:
            connection.execute(f"PRAGMA busy_timeout = {wanted}")
            connection.busy_ms = wanted

    def checkin(self, connection: Any, *, healthy: bool) -> None:
        """Keep a healthy connection for the next request; a failed one is dropped."""
        if not self.sqlite:
            if not healthy:
                connection.invalidate()
            connection.close()
        elif healthy and len(self.idle) < MAX_IDLE_SQLITE_CONNECTIONS:
            self.idle.append(connection)
        else:
            with contextlib.suppress(Exception):
                connection.close()

    def close(self) -> None:
        """Close every idle connection; new ones are made when needed."""
        while self.idle:
            with contextlib.suppress(Exception):
                self.idle.pop().close()
        self.engine.dispose()

    @contextmanager
    def _one_writer(self) -> Iterator[None]:
        if not self.sqlite:
            yield
            return
        scope = DEADLINES.current()
        wait = LOCK_WAIT_S if scope is None else max(0.0, scope.left())
        if not self._local_writer.acquire(timeout=wait):
            raise TimeoutError(f"waited {wait:.2f} s for this process's SQLite writer")
        try:
            yield
        finally:
            self._local_writer.release()


_live: weakref.WeakSet[DriverConnections] = weakref.WeakSet()


def _after_fork_in_child() -> None:
    """Connections must not be shared with a forked child (gunicorn --preload)."""
    for connections in list(_live):
        connections.engine.dispose(close=False)
        connections.idle.clear()


os.register_at_fork(after_in_child=_after_fork_in_child)
