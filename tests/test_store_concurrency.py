"""No lost update between threads and processes, and the driver connections behind it: a forked
child gets its own, a failed one is never used again, idle ones are bounded."""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest

from skill.store.progress_store import ProgressStore, StoreUnavailable
from skill.store.statements import DriverStatement
from tests import pg
from tests.stores import ALL_VERSIONS, WEDNESDAY, schema_versions

# --- concurrency --------------------------------------------------------------


def test_threads_never_lose_a_hold(store: ProgressStore, user: str) -> None:
    threads, per_thread = 8, 50
    barrier = threading.Barrier(threads)
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            barrier.wait()
            for n in range(per_thread):
                if n % 2:
                    store.save(user, holds=1, day=WEDNESDAY)
                else:  # the per-request path: count and profile in one transaction
                    store.save(user, day=WEDNESDAY, holds=1, resume_point={"thread": i})
                if n == i:  # interleave other writes of the same person
                    store.save(user, sessions=1, day=WEDNESDAY)
                    store.save(user, resume_point={"thread": i})
        except BaseException as err:
            errors.append(err)

    workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert errors == []
    s = store.summary(user, WEDNESDAY)
    assert (s.total_holds, s.total_sessions) == (threads * per_thread, threads)


def _record_holds_in_process(url: str, user_id: str, count: int) -> None:
    """Runs in a spawned process with its own engine."""
    s = ProgressStore(url)
    try:
        for _ in range(count):
            s.save(user_id, holds=1, day=WEDNESDAY)
        s.save(user_id, sessions=1, day=WEDNESDAY)
    finally:
        s.close()


@pytest.mark.slow
def test_processes_never_lose_a_hold(db_url: str, user: str) -> None:
    """Fresh database: the processes also race to create the schema."""
    ctx = multiprocessing.get_context("spawn")
    procs = [
        ctx.Process(target=_record_holds_in_process, args=(db_url, user, 25)) for _ in range(4)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
    assert [p.exitcode for p in procs] == [0, 0, 0, 0]
    for p in procs:
        p.close()
    s = ProgressStore(db_url)
    try:
        summary = s.summary(user, WEDNESDAY)
    finally:
        s.close()
    assert (summary.total_holds, summary.total_sessions) == (100, 4)
    assert schema_versions(db_url) == ALL_VERSIONS


# --- test plumbing and process model -------------------------------------------


def test_missing_postgres_skips_locally_but_fails_on_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no PostgreSQL"):
        pg.skip_or_fail("no PostgreSQL")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        pg.skip_or_fail("no PostgreSQL")


def _record_hold_with_inherited_store(store: ProgressStore, user_id: str) -> None:
    # The parent's pooled connection must not be reused here (the fork hook).
    assert store._connections.engine.pool.checkedin() == 0
    store.save(user_id, holds=1, day=WEDNESDAY)


@pytest.mark.slow
def test_forked_child_does_not_share_pooled_connections(store: ProgressStore, user: str) -> None:
    """gunicorn --preload forks after the store exists; both sides must keep working."""
    store.save(user, holds=1, day=WEDNESDAY)  # the parent now holds a pooled connection
    ctx = multiprocessing.get_context("fork")
    children = [ctx.Process(target=_record_hold_with_inherited_store, args=(store, user))]
    children.append(ctx.Process(target=_record_hold_with_inherited_store, args=(store, user)))
    for c in children:
        c.start()
    for c in children:
        c.join(timeout=60)
        assert c.exitcode == 0
        c.close()
    store.save(user, holds=1, day=WEDNESDAY)
    assert store.summary(user, WEDNESDAY).total_holds == 4


def test_a_failed_transaction_is_rolled_back_and_its_connection_not_used_again(
    store: ProgressStore, user: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The per-request statements run on a driver connection of their own; one that failed
    half way (here: after the holds were added, before the profile was written) must undo
    its work and must not go back to the pool, whatever state it is in."""
    store.save(user, day=WEDNESDAY, holds=1, hold_seconds=30)
    used: list[Any] = []
    original = DriverStatement.run

    def fail_on_profile(self: DriverStatement, cursor: Any, values: Any) -> Any:
        used.append(cursor.connection)
        if "profiles" in self.sql and "INSERT" in self.sql:
            raise store._driver_error("lost the connection")
        return original(self, cursor, values)

    monkeypatch.setattr(DriverStatement, "run", fail_on_profile)
    with pytest.raises(StoreUnavailable, match="save failed"):
        store.save(user, day=WEDNESDAY, holds=2, hold_seconds=45)
    monkeypatch.setattr(DriverStatement, "run", original)
    store.breaker.success()  # not the database's fault: no pause before the next call
    assert store.summary(user, WEDNESDAY).total_holds == 1  # the +2 was rolled back
    assert store.get_profile(user).hold_seconds == 30
    assert store._connections.engine.pool.checkedout() == 0
    failed = used[-1]
    assert all(kept is not failed for kept in store._connections.idle)
    with store._connections.engine.connect() as conn:
        assert conn.connection.dbapi_connection is not failed
    used.clear()

    def spy(self: DriverStatement, cursor: Any, values: Any) -> Any:
        used.append(cursor.connection)
        return original(self, cursor, values)

    monkeypatch.setattr(DriverStatement, "run", spy)
    for _ in range(3):
        store.save(user, day=WEDNESDAY, holds=1)
    assert failed not in used
    if store.backend == "sqlite":  # the store's own idle connection serves one after another
        assert used[0] is used[1] is used[2]
        assert store._connections.idle == [used[0]]


def test_idle_sqlite_connections_are_bounded_and_closed_with_the_store(
    tmp_path: Path, user: str
) -> None:
    from skill.store.connections import MAX_IDLE_SQLITE_CONNECTIONS

    s = ProgressStore(f"sqlite:///{tmp_path}/progress.sqlite3")
    s.save(user, holds=1, day=WEDNESDAY)
    out = [s._connections.checkout() for _ in range(MAX_IDLE_SQLITE_CONNECTIONS + 3)]
    assert len({id(c) for c in out}) == len(out)
    for connection in out:  # made by the engine: its connect-time PRAGMAs hold
        assert connection.execute("PRAGMA synchronous").fetchone() == (1,)  # NORMAL
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    for connection in out:  # as many threads giving theirs back at once
        s._connections.checkin(connection, healthy=True)
    assert s._connections.idle == out[:MAX_IDLE_SQLITE_CONNECTIONS]
    for extra in out[MAX_IDLE_SQLITE_CONNECTIONS:]:
        with pytest.raises(sqlite3.ProgrammingError):
            extra.execute("SELECT 1")
    s.close()
    assert s._connections.idle == []
    for connection in out:
        with pytest.raises(sqlite3.ProgrammingError):
            connection.execute("SELECT 1")
    s.save(user, holds=1, day=WEDNESDAY)  # still usable after close
    assert s.summary(user, WEDNESDAY).total_holds == 2
    s.close()
