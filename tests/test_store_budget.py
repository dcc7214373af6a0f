"""How a request's database budget is shared: reads leave the write its reserve, a call the
budget starved does not open the breaker, owed deletions and /healthz stay within their time,
a pool wait ends by the call's deadline, and only the probing call releases the breaker."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from skill.store import health
from skill.store.breaker import Breaker
from skill.store.deadlines import DEADLINES, REQUEST_BUDGET_S, WRITE_RESERVE_S, Budget
from skill.store.engines import POOL_WAIT_S, postgres_engine
from skill.store.progress_store import ProgressStore, StoreUnavailable
from skill.store.unit_of_work import UnitOfWork, budget_of, commit
from tests import store_faults as faults
from tests.stores import WEDNESDAY

NOON = datetime(2024, 5, 15, 12, 0, tzinfo=UTC)  # WEDNESDAY
USER = "amzn1.ask.account.BUDGET"


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "progress.sqlite3"


@pytest.fixture
def store(path: Path) -> Iterator[ProgressStore]:
    made = ProgressStore(f"sqlite:///{path}")
    made.save(USER, holds=1, day=WEDNESDAY)  # schema made, one hold
    yield made
    made.close()


def held_for(lock: Any, seconds: float) -> threading.Thread:
    """`lock` (or a context manager) taken by another thread now, for `seconds`."""
    taken = threading.Event()

    def hold() -> None:
        with lock:
            taken.set()
            time.sleep(seconds)

    holder = threading.Thread(target=hold)
    holder.start()
    taken.wait(5)
    return holder


@contextmanager
def held(lock: Any) -> Iterator[threading.Event]:
    """`lock` held by another thread (another request's transaction) until the event is set."""
    taken, done = threading.Event(), threading.Event()

    def hold() -> None:
        with lock:
            taken.set()
            done.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    taken.wait(5)
    try:
        yield done
    finally:
        done.set()
        holder.join()


def test_reads_that_stall_leave_the_write_its_reserve(store: ProgressStore, path: Path) -> None:
    """The reviewer's case: two reads that each wait 0.2 s for another thread's transaction
    used to leave the save that records the hold 0.1 s, too little for a 0.14 s lock held by
    another process. Now the second read gets only what the write's reserve leaves (it gives up
    without opening the breaker), and the save its 0.2 s."""
    pending: dict[str, Any] = {}
    work = UnitOfWork(store, USER, NOON, lambda: ZoneInfo("UTC"), pending)
    budget = budget_of(pending)
    held_for(store._connections._local_writer, 0.2)
    work.profile  # noqa: B018 - the read, after the wait
    held_for(store._connections._local_writer, 0.2)
    work.summary()
    assert budget.left >= WRITE_RESERVE_S - 0.02, budget.left
    assert store.breaker.closed
    work.record(holds=1, session_finished=False)
    other = held_for(faults.sqlite_write_lock(path), 0.14)
    commit(store, USER, pending)
    other.join()
    assert store.summary(USER, WEDNESDAY).total_holds == 2


def test_a_call_the_budget_starved_does_not_open_the_breaker(
    store: ProgressStore, path: Path
) -> None:
    with faults.sqlite_write_lock(path):
        started = time.monotonic()
        with pytest.raises(StoreUnavailable):
            store.save(USER, holds=1, day=WEDNESDAY, budget=Budget(0.1))
        assert time.monotonic() - started >= 0.09  # a slow failure, but only 0.1 s was given
        assert store.breaker.closed  # other requests' saves go on
        with pytest.raises(StoreUnavailable):  # a call that had its full time does
            store.save(USER, holds=1, day=WEDNESDAY, budget=Budget())
        assert not store.breaker.closed


class Clock:
    now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_only_the_probing_call_releases_the_breaker(path: Path) -> None:
    """A call let through while the breaker was closed, ending in an exception after another
    call became the probe, must not let a second probe through."""
    clock = Clock()
    store = ProgressStore(f"sqlite:///{path}", breaker=Breaker(clock=clock))

    def first_call() -> None:
        with store._transaction("get_profile"):
            store.breaker.failure()  # some other call failed slowly
            clock.now += 5
            assert store.breaker.allow()  # and a third one is now the probe
            raise RuntimeError("a bug in the first call")

    try:
        with pytest.raises(RuntimeError):
            first_call()
        assert not store.breaker.allow()  # still that one probe
    finally:
        store.close()


@pytest.fixture
def owed(store: ProgressStore, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Five owed deletions, each of which meets a lock it gets just before its deadline."""
    ids = [f"amzn1.ask.account.GONE{n}" for n in range(5)]
    for user_id in ids:
        store.deletions.add(user_id)
    store._next_deletion_retry = 0.0
    first, *rest = store._statements.delete_user

    class Late:
        def run(self, cursor: Any, values: Any) -> Any:
            scope = DEADLINES.current()
            time.sleep(max(0.0, (scope.left() if scope else 0.5) - 0.05))
            return first.run(cursor, values)

    monkeypatch.setattr(store._statements, "delete_user", (Late(), *rest))
    return ids


def test_owed_deletions_stay_within_the_request_budget(
    store: ProgressStore, owed: list[str]
) -> None:
    budget = Budget()
    started = time.monotonic()
    store.get_profile(USER, budget=budget)
    took = time.monotonic() - started
    assert took < REQUEST_BUDGET_S - WRITE_RESERVE_S + 0.05, took
    assert abs(budget.left - (REQUEST_BUDGET_S - took)) < 0.01  # counted against the budget
    assert budget.left >= WRITE_RESERVE_S - 0.05
    assert 0 < len(store.deletions.pending()) < len(owed)  # some done, the rest owed
    assert store._next_deletion_retry == 0.0  # and the next transaction goes on with them


def test_health_is_bounded_with_deletions_owed_and_a_second_caller_not_refused(
    store: ProgressStore, owed: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second caller arrives while the first one's probe (slowed to 0.2 s) runs, and
    shares its answer; the first one's owed deletions come after, outside the probe lock."""
    answers: dict[str, tuple[float, dict[str, Any]]] = {}
    real = store._probe

    def slow_probe() -> dict[str, Any]:
        time.sleep(0.2)
        return real()

    monkeypatch.setattr(store, "_probe", slow_probe)

    def check(name: str) -> None:
        began = time.monotonic()
        found = store.health()
        answers[name] = (time.monotonic() - began, found)

    first = threading.Thread(target=check, args=("first",))
    first.start()
    time.sleep(0.1)
    check("second")
    first.join()
    for took, found in answers.values():
        assert took < health.HEALTH_TOTAL_S + 0.1, answers
        assert found["status"] == "ok", answers
    assert 0 < len(store.deletions.pending()) < len(owed)


def test_a_caller_that_waits_out_a_probe_gets_the_last_recent_answer(
    store: ProgressStore,
) -> None:
    assert store.health()["status"] == "ok"
    with held(store._health_lock):  # a probe that overruns (a migration, a stall)
        started = time.monotonic()
        found = store.health()
        assert time.monotonic() - started < health.HEALTH_DEADLINE_S + 0.1
    assert found["status"] == "ok", found


def test_health_does_not_queue_behind_the_deletions_file_lock(
    store: ProgressStore, owed: list[str]
) -> None:
    answers: list[dict[str, Any]] = []
    with held(store.deletions._lock):  # a slow write of the file in this process
        checker = threading.Thread(target=lambda: answers.append(store.health()))
        checker.start()
        checker.join(health.HEALTH_TOTAL_S + 0.1)
        assert answers, "/healthz still waiting for the deletions file"
    assert answers[0]["pending_deletions"] == len(owed)


def test_a_pool_wait_ends_by_the_calls_deadline() -> None:
    engine = postgres_engine(sa.make_url("postgresql://nobody@127.0.0.1:1/none"))
    pool = type(engine.pool)(
        lambda: sqlite3.connect(":memory:"), pool_size=1, max_overflow=0, timeout=POOL_WAIT_S
    )
    taken = pool.connect()
    try:
        started = time.monotonic()
        with DEADLINES.scope(0.05), pytest.raises(sa.exc.TimeoutError):
            pool.connect()
        assert time.monotonic() - started < 0.05 + 0.1
        started = time.monotonic()
        with pytest.raises(sa.exc.TimeoutError):  # outside a call: the pool's own wait
            pool.connect()
        assert time.monotonic() - started >= POOL_WAIT_S - 0.01
    finally:
        taken.close()
        pool.dispose()
