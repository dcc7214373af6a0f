"""A database that hangs, is locked or is full: every request through the endpoint is answered
within 1.5 s, the person stretches on, /healthz says 503 within 1 s, and nothing saved before is
lost; when the database is back, progress is saved again without a restart. The faults are
real (tests/store_faults.py): PostgreSQL SIGSTOPped, SQLite's write lock held by another
connection, SQLite unable to grow its file."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import date
from pathlib import Path

import pytest
from flask import Flask

from skill.config import Config
from skill.store.progress_store import ProgressStore
from skill.web.app import create_app
from tests import pg
from tests import store_faults as faults

REQUEST_LIMIT_S = 1.5
HEALTH_LIMIT_S = 1.0


def new_user() -> str:
    return f"amzn1.ask.account.{uuid.uuid4().hex.upper()}"


def holds(store: ProgressStore, user: str) -> int:
    """Total holds saved (after the store's pause after a failure, if it took one)."""
    time.sleep(store.breaker.retry_in() + 0.01)
    return store.summary(user, date.today()).total_holds


def timed_health(app: Flask) -> tuple[int, dict[str, object], float]:
    started = time.perf_counter()
    result = app.test_client().get("/healthz")
    return result.status_code, result.get_json(), time.perf_counter() - started


def check_fault(app: Flask, fault: Callable[[], AbstractContextManager[None]]) -> None:
    """A person's stretch saved; then, during the fault, that person and two new people (at
    once) stretch through whole conversations, each request within REQUEST_LIMIT_S, and
    /healthz answers 503 within HEALTH_LIMIT_S; afterwards nothing saved is lost, /healthz is
    200 and progress is saved again."""
    store: ProgressStore = app.extensions["progress_store"]
    regular = new_user()
    saved = faults.stretch_once(talk := faults.new_talk(app.test_client(), regular))
    assert saved > 0
    before = holds(store, regular)
    assert before > 0
    talks = [talk] + [faults.new_talk(app.test_client(), new_user()) for _ in range(2)]
    for each in talks:
        each.timings = faults.Timings()
    errors: list[BaseException] = []

    def stretch(each: faults.TimedConversation) -> None:
        try:
            faults.stretch_once(each)
        except BaseException as err:  # reported below
            errors.append(err)

    threads_before = threading.active_count()
    with fault():
        runners = [threading.Thread(target=stretch, args=(t,)) for t in talks]
        for runner in runners:
            runner.start()
        status, body, took = timed_health(app)
        for runner in runners:
            runner.join(30)
        assert not errors, errors
        assert status == 503, body
        assert took < HEALTH_LIMIT_S
        assert body["database"]["status"] == "degraded"  # type: ignore[index]
        slowest = max(t.timings.max for t in talks)
        print(f"slowest request {slowest:.3f} s of {sum(len(t.timings.seconds) for t in talks)}")
        print(f"healthz {took:.3f} s: {status}")
        assert slowest < REQUEST_LIMIT_S, [t.timings.seconds for t in talks]
        # No thread piles up: abandoned connection attempts end by connect_timeout.
        assert threading.active_count() <= threads_before + 4
    # Back: the health check probes at once (and closes the store's breaker).
    status, body, took = timed_health(app)
    assert (status, body["database"]["status"]) == (200, "ok"), body  # type: ignore[index]
    assert holds(store, regular) >= before  # nothing saved is lost
    faults.stretch_once(talk)  # saved again, without a restart
    assert holds(store, regular) > before


@pytest.fixture
def sqlite_app(tmp_path: Path) -> Iterator[tuple[Flask, Path]]:
    path = tmp_path / "progress.sqlite3"
    app = create_app(Config(verify_requests=False, database_url=f"sqlite:///{path}"))
    yield app, path
    app.extensions["progress_store"].close()


def test_held_sqlite_write_lock(sqlite_app: tuple[Flask, Path]) -> None:
    app, path = sqlite_app
    check_fault(app, lambda: faults.sqlite_write_lock(path))


def test_full_disk_sqlite(sqlite_app: tuple[Flask, Path]) -> None:
    app, path = sqlite_app
    store = app.extensions["progress_store"]
    check_fault(app, lambda: faults.sqlite_disk_full(store, path))


@pytest.fixture(scope="module")
def own_postgres() -> Iterator[str]:
    """A server of this test's own: freezing the shared one would stall other tests."""
    bindir = pg.find_pg_bindir()
    if bindir is None:
        pg.skip_or_fail("no PostgreSQL server binaries (apt-get install postgresql) to freeze")
    with pg.throwaway_server(bindir) as url:
        yield url


@pytest.mark.postgres
def test_frozen_postgres(own_postgres: str) -> None:
    with pg.fresh_schema(own_postgres) as url:
        app = create_app(Config(verify_requests=False, database_url=url))
        try:
            check_fault(app, lambda: faults.frozen_postgres(url))
        finally:
            app.extensions["progress_store"].close()
