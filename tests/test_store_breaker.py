"""What keeps a failing store cheap and quiet: the breaker (a slow failure is remembered, one
probe at a time), the request's database budget, and the error log's rate limit (one line per
interval, whatever successes come between; "available again" once per real outage)."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import pytest

from skill.store.breaker import Breaker
from skill.store.deadlines import Budget, connect_within
from skill.store.errors import ErrorLog
from skill.store.progress_store import ProgressStore, StoreUnavailable
from tests import store_faults as faults
from tests.stores import WEDNESDAY


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_breaker_remembers_slow_failures_and_probes_one_at_a_time() -> None:
    clock = Clock()
    breaker = Breaker(1.0, 4.0, clock=clock)
    breaker.failure(slow=False)  # fast: the next call may as well try
    assert breaker.allow()
    assert breaker.closed
    breaker.failure()
    assert not breaker.allow()
    clock.now += 1.0
    assert breaker.allow()  # the probe
    assert not breaker.allow()  # only one at a time
    breaker.failure()  # still failing: twice as long
    clock.now += 1.5
    assert not breaker.allow()
    clock.now += 0.5
    assert breaker.allow()
    breaker.failure()
    clock.now += 4.0  # capped at max_cooldown_s
    assert breaker.allow()
    breaker.success()
    assert breaker.closed
    assert breaker.allow()
    assert breaker.allow()
    breaker.failure()
    clock.now += 1.0  # back to the first pause after a success
    assert breaker.allow()


def test_flapping_store_logs_one_error_line_per_interval(caplog: pytest.LogCaptureFixture) -> None:
    """A full disk: reads succeed, writes fail, interleaved. 12 s of it used to log 2,786
    lines; now one per interval with the count held back, and "available again" once, after
    the failures have stopped for the settle time."""
    clock = Clock()
    errors = ErrorLog(60.0, settle_s=10.0, clock=clock)
    caplog.set_level(logging.WARNING, logger="skill.store.errors")
    for _ in range(3000):  # 150 s of flapping, 50 ms apart
        errors.failure("save failed (sqlite): OperationalError: database or disk is full")
        clock.now += 0.025
        errors.success()
        clock.now += 0.025
    lines = [r.getMessage() for r in caplog.records]
    assert [line for line in lines if "available again" in line] == []
    failed = [line for line in lines if "unavailable" in line]
    assert len(failed) == 3  # at 0 s, 60 s, 120 s
    assert "(1199 similar errors not logged)" in failed[1]
    clock.now += 9.0
    errors.success()
    assert not [r for r in caplog.records if "available again" in r.getMessage()]
    clock.now += 2.0
    errors.success()
    errors.success()
    again = [r.getMessage() for r in caplog.records if "available again" in r.getMessage()]
    assert again == ["progress store available again (3000 errors during the outage)"]


def test_a_request_spends_at_most_its_budget_however_many_calls(tmp_path: Path) -> None:
    path = tmp_path / "progress.sqlite3"
    store = ProgressStore(f"sqlite:///{path}", breaker=Breaker(0))
    user = "amzn1.ask.account.BUDGET"
    try:
        store.save(user, holds=1, day=WEDNESDAY)
        budget = Budget(0.6)
        started = time.monotonic()
        with faults.sqlite_write_lock(path):
            for _ in range(5):  # each would wait the whole busy timeout on its own
                with pytest.raises(StoreUnavailable):
                    store.save(user, holds=1, day=WEDNESDAY, budget=budget)
        took = time.monotonic() - started
        assert 0.5 < took < 0.8, took
        assert budget.left <= 0
        with pytest.raises(StoreUnavailable, match="database time is used up"):
            store.get_profile(user, budget=budget)
        assert store.summary(user, WEDNESDAY).total_holds == 1
    finally:
        store.close()


def test_a_connection_that_comes_too_late_is_closed_and_the_caller_not_kept() -> None:
    release = threading.Event()
    discarded: list[str] = []

    def slow_connect() -> str:
        release.wait(5)
        return "connection"

    started = time.monotonic()
    with pytest.raises(TimeoutError):
        connect_within(slow_connect, 0.2, discarded.append, TimeoutError)
    assert time.monotonic() - started < 0.5
    release.set()
    for _ in range(100):
        if discarded:
            break
        time.sleep(0.01)
    assert discarded == ["connection"]
