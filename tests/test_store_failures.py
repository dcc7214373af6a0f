"""A database that is down, locked or unwritable: every call fails fast with StoreUnavailable,
errors are logged once per interval, and the store recovers on its own. Failure tests are per
backend because "down" and "locked" look different."""

from __future__ import annotations

import logging
import socket
import sqlite3
import time
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa

from skill.store.breaker import Breaker
from skill.store.errors import ErrorLog, user_tag
from skill.store.progress_store import ProgressStore, StoreUnavailable
from tests import pg
from tests.stores import WEDNESDAY

# --- failures -----------------------------------------------------------------


def assert_unavailable_fast(store: ProgressStore, user: str, limit_s: float) -> None:
    """Every public method raises StoreUnavailable within limit_s; health is degraded."""
    calls = [
        lambda: store.get_profile(user),
        lambda: store.save(user, hold_seconds=40),
        lambda: store.save(user, holds=1, day=WEDNESDAY),
        lambda: store.save(user, sessions=1, day=WEDNESDAY),
        lambda: store.summary(user, WEDNESDAY),
        lambda: store.delete_user(user),
    ]
    for call in calls:
        started = time.monotonic()
        with pytest.raises(StoreUnavailable):
            call()
        assert time.monotonic() - started < limit_s
    started = time.monotonic()
    health = store.health()
    assert time.monotonic() - started < limit_s
    assert health["status"] == "degraded", health
    assert user not in health["detail"]


def test_sqlite_unwritable_location_then_recovery(tmp_path: Path, user: str) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the data folder should be")
    s = ProgressStore(f"sqlite:///{blocker / 'data' / 'progress.sqlite3'}", breaker=Breaker(0))
    try:
        assert_unavailable_fast(s, user, limit_s=0.5)
        blocker.unlink()  # the disk is fixed: the store creates its folders itself
        s.save(user, holds=1, day=WEDNESDAY)
        assert s.summary(user, WEDNESDAY).total_holds == 1
        assert s.health()["status"] == "ok"
    finally:
        s.close()


def test_sqlite_writer_lock_fails_writes_fast_but_reads_go_on(tmp_path: Path, user: str) -> None:
    path = tmp_path / "progress.sqlite3"
    s = ProgressStore(f"sqlite:///{path}", breaker=Breaker(0))
    try:
        s.save(user, hold_seconds=30)
        s.save(user, holds=1, day=WEDNESDAY)
        locker = sqlite3.connect(path, isolation_level=None)
        try:
            locker.execute("BEGIN IMMEDIATE")  # someone else holds the write lock
            for write in (
                lambda: s.save(user, holds=1, day=WEDNESDAY),
                lambda: s.save(user, hold_seconds=60),
            ):
                started = time.monotonic()
                with pytest.raises(StoreUnavailable, match="locked"):
                    write()
                assert 0.3 < time.monotonic() - started < 1.0  # waited ~0.5 s (the budget)
            assert s.health()["status"] == "degraded"
            # WAL: reading the person's data still works meanwhile.
            assert s.get_profile(user).hold_seconds == 30
            assert s.summary(user, WEDNESDAY).total_holds == 1
            locker.execute("ROLLBACK")
        finally:
            locker.close()
        s.save(user, holds=1, day=WEDNESDAY)
        assert s.summary(user, WEDNESDAY).total_holds == 2  # the refused hold is not counted
        assert s.health()["status"] == "ok"
    finally:
        s.close()


def test_sqlite_exclusively_locked_file_then_recovery(tmp_path: Path, user: str) -> None:
    path = tmp_path / "progress.sqlite3"
    s = ProgressStore(
        f"sqlite:///{path}", call_timeout_s=0.3, breaker=Breaker(0)
    )  # busy timeout 0.3 s
    try:
        s.save(user, holds=1, day=WEDNESDAY)
        s.close()  # no pooled connection: the next one must open the locked file
        locker = sqlite3.connect(path, isolation_level=None)
        try:
            locker.execute("PRAGMA locking_mode = EXCLUSIVE")
            locker.execute("BEGIN EXCLUSIVE")
            locker.execute("UPDATE daily_progress SET holds = holds")
            assert_unavailable_fast(s, user, limit_s=1.5)
            locker.execute("COMMIT")
        finally:
            locker.close()
        assert s.summary(user, WEDNESDAY).total_holds == 1
        assert s.health()["status"] == "ok"
    finally:
        s.close()


def test_errors_logged_once_per_interval_without_user_id(
    tmp_path: Path, user: str, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    url = f"sqlite:///{blocker / 'progress.sqlite3'}"
    caplog.set_level(logging.DEBUG, logger="skill.store")
    s = ProgressStore(url, error_log_interval_s=60, breaker=Breaker(0))
    s._errors = ErrorLog(60, settle_s=0)  # "available again" at the first success
    try:
        for _ in range(5):
            with pytest.raises(StoreUnavailable):
                s.save(user, holds=1, day=WEDNESDAY)
        errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
        assert len(errors) == 1
        blocker.unlink()
        s.save(user, holds=1, day=WEDNESDAY)
        s.save(user, hold_seconds=30)
        s.delete_user(user)
        assert "available again" in caplog.text
        assert f"user {user_tag(user)}" in caplog.text  # people are named by tag only
    finally:
        s.close()
    chatty = ProgressStore(
        f"sqlite:///{tmp_path / 'x' / 'y'}", error_log_interval_s=0, breaker=Breaker(0)
    )
    try:
        (tmp_path / "x").write_text("")
        caplog.clear()
        for _ in range(3):
            with pytest.raises(StoreUnavailable):
                chatty.get_profile(user)
        assert len([r for r in caplog.records if r.levelno >= logging.ERROR]) == 3
    finally:
        chatty.close()
    assert user not in caplog.text


@pytest.mark.postgres
def test_postgres_down_then_back(postgres_server_url: str, user: str) -> None:
    """Proxy cut = server gone (pooled connections die too); restored = back."""
    with pg.fresh_schema(postgres_server_url) as url:
        target = sa.make_url(url)
        proxy = pg.TcpProxy(target.host or "127.0.0.1", target.port or 5432)
        via_proxy = target.set(port=proxy.port).render_as_string(hide_password=False)
        s = ProgressStore(via_proxy, breaker=Breaker(0))
        try:
            # Never reachable so far: a closed port fails fast.
            assert_unavailable_fast(s, user, limit_s=1.0)
            proxy.start()
            s.save(user, holds=1, day=WEDNESDAY)
            assert s.health()["status"] == "ok"
            proxy.stop()
            assert_unavailable_fast(s, user, limit_s=1.0)
            proxy.start()
            s.save(user, holds=1, day=WEDNESDAY)
            s.save(user, sessions=1, day=WEDNESDAY)
            summary = s.summary(user, WEDNESDAY)
            assert (summary.total_holds, summary.total_sessions) == (2, 1)
            assert s.health()["status"] == "ok"
        finally:
            s.close()
            proxy.stop()


@pytest.mark.postgres
def test_postgres_silent_server_times_out(user: str) -> None:
    """A host that accepts TCP but never answers: the call's deadline bounds the wait (not
    psycopg's connect_timeout, at least 2 s), then the breaker skips the store at once."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        s = ProgressStore(f"postgresql://postgres@127.0.0.1:{port}/postgres")
        try:
            started = time.monotonic()
            with pytest.raises(StoreUnavailable, match=r"timed out|not opened within"):
                s.save(user, holds=1, day=WEDNESDAY)
            assert 0.4 < time.monotonic() - started < 0.8
            started = time.monotonic()
            with pytest.raises(StoreUnavailable, match="skipped"):
                s.get_profile(user)
            assert time.monotonic() - started < 0.05
            started = time.monotonic()
            assert s.health()["status"] == "degraded"
            assert time.monotonic() - started < 1.0
        finally:
            s.close()


@pytest.mark.postgres
def test_postgres_locked_table_fails_writes_fast(postgres_server_url: str, user: str) -> None:
    with pg.fresh_schema(postgres_server_url) as url:
        s = ProgressStore(url, breaker=Breaker(0))
        try:
            s.save(user, hold_seconds=30)
            s.save(user, holds=1, day=WEDNESDAY)
            with psycopg.connect(**pg.psycopg_conninfo(url)) as locker:
                locker.execute("LOCK TABLE daily_progress IN ACCESS EXCLUSIVE MODE")
                started = time.monotonic()
                with pytest.raises(StoreUnavailable, match="lock"):
                    s.save(user, holds=1, day=WEDNESDAY)
                assert time.monotonic() - started < 3.0
                assert s.get_profile(user).hold_seconds == 30  # other table unaffected
                locker.rollback()
            s.save(user, holds=1, day=WEDNESDAY)
            assert s.summary(user, WEDNESDAY).total_holds == 2
        finally:
            s.close()
