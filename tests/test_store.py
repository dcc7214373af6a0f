"""ProgressStore and SqlPersistenceAdapter against real SQLite and PostgreSQL.

The same behaviour tests run on both backends (ids ``[sqlite]``/``[postgres]``);
failure tests are per backend because "down" and "locked" look different.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import random
import socket
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa
from ask_sdk_core.attributes_manager import AttributesManager
from ask_sdk_model import Context, RequestEnvelope
from ask_sdk_model.intent_request import IntentRequest
from ask_sdk_model.interfaces.system import SystemState
from ask_sdk_model.launch_request import LaunchRequest
from ask_sdk_model.session_ended_request import SessionEndedRequest
from ask_sdk_model.user import User

from skill.core.progress import DayCount, summarize
from skill.store.deletions import PendingDeletions
from skill.store.progress_store import (
    SCHEMA_VERSION,
    ProgressStore,
    SqlPersistenceAdapter,
    StoreUnavailable,
    UserProfile,
    user_tag,
)
from tests import pg

MONDAY = date(2024, 5, 13)
WEDNESDAY = MONDAY + timedelta(days=2)
SUNDAY = MONDAY + timedelta(days=6)

ALL_VERSIONS = list(range(1, SCHEMA_VERSION + 1))  # one row per migration applied
BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]


# --- fixtures ---------------------------------------------------------------


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of each backend (PostgreSQL: a fresh schema)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'data' / 'progress.sqlite3'}"
        return
    server_url = request.getfixturevalue("postgres_server_url")
    with pg.fresh_schema(server_url) as url:
        yield url


@pytest.fixture
def store(db_url: str) -> Iterator[ProgressStore]:
    s = ProgressStore(db_url)
    yield s
    s.close()


@pytest.fixture
def user() -> str:
    """Alexa-like id, unique per test, long enough to notice in logs."""
    return f"amzn1.ask.account.{uuid.uuid4().hex.upper()}{'X' * 120}"


def envelope(user_id: str | None, request_id: str | None = None) -> RequestEnvelope:
    request = LaunchRequest(request_id=request_id) if request_id else None
    return RequestEnvelope(
        context=Context(system=SystemState(user=User(user_id=user_id))), request=request
    )


def raw_engine(url: str) -> sa.Engine:
    """A separate, plain engine to inspect or lock the database behind the store's back."""
    return sa.create_engine(pg.with_driver(url), poolclass=sa.NullPool)


# --- profile ----------------------------------------------------------------


def test_new_user_gets_default_profile(store: ProgressStore, user: str) -> None:
    assert store.get_profile(user) == UserProfile(None, None, False, None)


def test_profile_roundtrip_and_partial_updates(store: ProgressStore, user: str) -> None:
    resume = {"routine": "standing", "step": 3, "holds_done": [1, 2], "note": "ü"}
    store.update_profile(
        user, hold_seconds=30, last_stretch="seated", disclaimer_heard=True, resume_point=resume
    )
    assert store.get_profile(user) == UserProfile(30, "seated", True, resume)

    store.update_profile(user, hold_seconds=45)
    assert store.get_profile(user) == UserProfile(45, "seated", True, resume)
    store.update_profile(user, resume_point=None, last_stretch="lying")
    assert store.get_profile(user) == UserProfile(45, "lying", True, None)
    store.update_profile(user)  # nothing given: nothing changes
    assert store.get_profile(user) == UserProfile(45, "lying", True, None)


def test_save_counts_and_profile_in_one_go(store: ProgressStore, user: str) -> None:
    store.save(user, day=WEDNESDAY, holds=2, sessions=1, resume_point={"step": 2})
    store.save(user, day=WEDNESDAY, holds=1, last_stretch="seated")
    store.save(user, hold_seconds=40)  # profile only
    store.save(user)  # nothing: no write
    summary = store.summary(user, WEDNESDAY)
    assert (summary.total_holds, summary.total_sessions) == (3, 1)
    assert store.get_profile(user) == UserProfile(40, "seated", False, {"step": 2})
    with pytest.raises(ValueError, match="day"):
        store.save(user, holds=1)
    with pytest.raises(ValueError, match="holds"):
        store.save(user, day=WEDNESDAY, holds=-1)


def test_load_is_profile_and_summary_together(store: ProgressStore, user: str) -> None:
    store.save(user, day=WEDNESDAY, holds=2, hold_seconds=45)
    profile, summary = store.load(user, WEDNESDAY)
    assert profile == store.get_profile(user)
    assert summary == store.summary(user, WEDNESDAY)
    assert store.load("someone-new", WEDNESDAY)[0] == UserProfile()


def test_partial_update_of_new_user_keeps_defaults(store: ProgressStore, user: str) -> None:
    store.update_profile(user, resume_point={"step": 1})
    assert store.get_profile(user) == UserProfile(None, None, False, {"step": 1})


def test_profile_rejects_bad_values(store: ProgressStore, user: str) -> None:
    with pytest.raises(TypeError, match="unknown profile fields"):
        store.update_profile(user, pain_level=3)
    with pytest.raises(ValueError, match="hold_seconds"):
        store.update_profile(user, hold_seconds=True)
    with pytest.raises(ValueError, match="resume_point"):
        store.update_profile(user, resume_point={"when": datetime(2024, 1, 1)})
    with pytest.raises(ValueError, match="larger"):
        store.update_profile(user, resume_point={"x": "y" * 5000})
    with pytest.raises(ValueError, match="user_id"):
        store.get_profile("")
    with pytest.raises(TypeError, match="date"):
        store.record_hold(user, datetime(2024, 1, 1, 12))
    assert store.get_profile(user) == UserProfile()


def test_users_are_isolated(store: ProgressStore, user: str) -> None:
    other = user + "-other"
    store.update_profile(other, hold_seconds=20)
    store.record_hold(other, WEDNESDAY)
    assert store.get_profile(user) == UserProfile()
    assert store.summary(user, WEDNESDAY).total_holds == 0
    assert store.summary(other, WEDNESDAY).total_holds == 1


# --- progress ---------------------------------------------------------------


def test_two_day_streak_and_totals(store: ProgressStore, user: str) -> None:
    for _ in range(3):
        store.record_hold(user, WEDNESDAY)
    store.record_session(user, WEDNESDAY)
    store.record_hold(user, WEDNESDAY - timedelta(days=1))
    store.record_session(user, WEDNESDAY - timedelta(days=1))
    s = store.summary(user, WEDNESDAY)
    assert (s.streak_days, s.days_this_week, s.total_holds, s.total_sessions) == (2, 2, 4, 2)
    assert s.stretched_today


def test_streak_counts_from_yesterday_until_today_is_done(store: ProgressStore, user: str) -> None:
    store.record_hold(user, WEDNESDAY - timedelta(days=1))
    store.record_hold(user, WEDNESDAY - timedelta(days=2))
    s = store.summary(user, WEDNESDAY)
    assert (s.streak_days, s.stretched_today, s.days_this_week) == (2, False, 2)
    # Two days later without stretching the streak is gone, totals stay.
    later = store.summary(user, WEDNESDAY + timedelta(days=1))
    assert (later.streak_days, later.total_holds) == (0, 2)


def test_gap_breaks_streak(store: ProgressStore, user: str) -> None:
    for back in (0, 1, 3, 4, 5):  # 2 days ago missing
        store.record_hold(user, SUNDAY - timedelta(days=back))
    s = store.summary(user, SUNDAY)
    assert (s.streak_days, s.days_this_week) == (2, 5)


def test_week_starts_on_monday(store: ProgressStore, user: str) -> None:
    store.record_hold(user, MONDAY - timedelta(days=1))  # Sunday of the previous ISO week
    store.record_hold(user, MONDAY)
    on_monday = store.summary(user, MONDAY)
    assert (on_monday.days_this_week, on_monday.streak_days) == (1, 2)
    on_sunday = store.summary(user, SUNDAY)
    assert (on_sunday.days_this_week, on_sunday.streak_days) == (1, 0)
    next_monday = store.summary(user, SUNDAY + timedelta(days=1))
    assert next_monday.days_this_week == 0
    assert next_monday.total_holds == 2


def test_session_only_day_counts_as_stretched(store: ProgressStore, user: str) -> None:
    store.record_session(user, WEDNESDAY)
    s = store.summary(user, WEDNESDAY)
    assert (s.stretched_today, s.streak_days, s.total_sessions, s.total_holds) == (True, 1, 1, 0)


def test_summary_folded_by_the_database_equals_folding_every_row(
    store: ProgressStore, user: str
) -> None:
    """The store sums and lists stretched days in SQL, in one row; that must say what folding
    each day's row in Python says: random histories with gaps, days after "today" (a changed
    time zone), session-only and hold-only days, other people's days beside them."""
    rng = random.Random(20261126)
    for person in range(12):
        who = f"{user}-{person}"
        rows: dict[date, list[int]] = {}
        for _ in range(rng.randrange(0, 40)):
            day = WEDNESDAY + timedelta(days=rng.randrange(-45, 4))
            holds, sessions = rng.randrange(0, 4), rng.randrange(0, 2)
            if holds or sessions:
                store.save(who, day=day, holds=holds, sessions=sessions)
                counts = rows.setdefault(day, [0, 0])
                counts[0] += holds
                counts[1] += sessions
        store.record_hold(user + "-someone-else", WEDNESDAY)
        days = [DayCount(day, h, s) for day, (h, s) in rows.items()]
        for today in (WEDNESDAY - timedelta(days=9), WEDNESDAY, WEDNESDAY + timedelta(days=1)):
            expected = summarize(days, today)
            assert store.summary(who, today) == expected, (person, today)
            assert store.load(who, today)[1] == expected, (person, today)


def test_a_long_history_is_summarized_whole(store: ProgressStore, user: str) -> None:
    """Three years of daily stretching, one read: the whole streak and every total."""
    for back in range(1100):
        store.record_hold(user, SUNDAY - timedelta(days=back))
    summary = store.summary(user, SUNDAY)
    assert (summary.streak_days, summary.total_holds, summary.days_this_week) == (1100, 1100, 7)


def test_delete_user_forgets_everything_of_that_user_only(store: ProgressStore, user: str) -> None:
    other = user + "-other"
    for who in (user, other):
        store.update_profile(who, hold_seconds=30, disclaimer_heard=True)
        store.record_hold(who, WEDNESDAY)
        store.record_session(who, WEDNESDAY)
    store.delete_user(user)
    assert store.get_profile(user) == UserProfile()
    assert store.summary(user, WEDNESDAY).total_holds == 0
    assert store.get_profile(other).hold_seconds == 30
    assert store.summary(other, WEDNESDAY).total_sessions == 1
    store.delete_user(user)  # idempotent


# --- schema -----------------------------------------------------------------


def schema_versions(url: str) -> list[int]:
    engine = raw_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.exec_driver_sql("SELECT version FROM schema_version").scalars())
    finally:
        engine.dispose()


def test_schema_created_on_first_use_and_reopen_is_harmless(db_url: str, user: str) -> None:
    first = ProgressStore(db_url)
    try:
        first.record_hold(user, WEDNESDAY)
        assert first.health() == {
            "status": "ok",
            "detail": f"schema version {SCHEMA_VERSION}",
            "backend": "sqlite" if db_url.startswith("sqlite") else "postgresql",
            "pending_deletions": 0,
        }
    finally:
        first.close()
    assert schema_versions(db_url) == ALL_VERSIONS
    again = ProgressStore(db_url)
    try:
        assert again.summary(user, WEDNESDAY).total_holds == 1
    finally:
        again.close()
    assert schema_versions(db_url) == ALL_VERSIONS


def test_a_version_1_database_is_migrated_with_its_progress_kept(db_url: str) -> None:
    """A database written by the first release (schema 1) is upgraded in place on first use:
    every day's counters and every profile are still there, and on SQLite the per-day table is
    now stored in (user, day) order (WITHOUT ROWID)."""
    from skill.store.progress_store import _migration_1

    if db_url.startswith("sqlite:///"):
        Path(db_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = raw_engine(db_url)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE schema_version (version INTEGER NOT NULL PRIMARY KEY,"
            " applied_at TIMESTAMP NOT NULL)"
        )
        _migration_1(conn)
        conn.exec_driver_sql(
            "INSERT INTO schema_version (version, applied_at) VALUES (1, CURRENT_TIMESTAMP)"
        )
        for back in range(10):
            for who in ("anna", "ben"):
                conn.execute(
                    sa.text(
                        "INSERT INTO daily_progress (user_id, day, holds, sessions)"
                        " VALUES (:who, :day, :holds, 1)"
                    ).bindparams(sa.bindparam("day", type_=sa.Date)),
                    {"who": who, "day": WEDNESDAY - timedelta(days=back), "holds": back + 1},
                )
        conn.exec_driver_sql(
            "INSERT INTO profiles (user_id, hold_seconds, disclaimer_heard)"
            " VALUES ('anna', 45, TRUE)"
        )
    engine.dispose()
    store = ProgressStore(db_url)
    try:
        anna = store.summary("anna", WEDNESDAY)
        assert (anna.streak_days, anna.total_holds, anna.total_sessions) == (10, 55, 10)
        assert store.summary("ben", WEDNESDAY) == anna
        assert store.get_profile("anna") == UserProfile(45, None, True, None)
        store.record_hold("ben", WEDNESDAY)  # the counters still add up after the move
        assert store.summary("ben", WEDNESDAY).total_holds == 56
    finally:
        store.close()
    assert schema_versions(db_url) == ALL_VERSIONS
    if db_url.startswith("sqlite"):
        engine = raw_engine(db_url)
        with engine.connect() as conn:
            (ddl,) = conn.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE name = 'daily_progress'"
            ).one()
        engine.dispose()
        assert ddl.endswith("WITHOUT ROWID")


def test_schema_from_newer_code_is_refused(db_url: str, user: str) -> None:
    ProgressStore(db_url).close()  # nothing created yet: construction is lazy
    s = ProgressStore(db_url)
    try:
        s.get_profile(user)
        engine = raw_engine(db_url)
        with engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO schema_version (version, applied_at) VALUES (99, CURRENT_TIMESTAMP)"
            )
        engine.dispose()
        newer = ProgressStore(db_url)
        try:
            with pytest.raises(StoreUnavailable, match="newer"):
                newer.get_profile(user)
            assert newer.health()["status"] == "degraded"
        finally:
            newer.close()
    finally:
        s.close()


def test_sqlite_file_and_folders_created_on_first_use_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "progress.sqlite3"
    s = ProgressStore(f"sqlite:///{path}")
    try:
        assert not path.parent.exists()  # lazy
        s.record_hold("u", WEDNESDAY)
        assert path.exists()
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        conn.close()
        with s._engine.connect() as pooled:  # commits skip the fsync (WAL keeps consistency)
            assert pooled.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
    finally:
        s.close()


def test_default_url_is_sqlite_in_user_data_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import platformdirs

    monkeypatch.delenv("SKILL_DATABASE_URL", raising=False)
    monkeypatch.setattr(platformdirs, "user_data_dir", lambda app: str(tmp_path / "xdg" / app))
    s = ProgressStore()
    try:
        s.record_session("u", WEDNESDAY)
    finally:
        s.close()
    assert (tmp_path / "xdg" / "hamstring-coach" / "progress.sqlite3").exists()

    monkeypatch.setenv("SKILL_DATABASE_URL", f"sqlite:///{tmp_path / 'env.sqlite3'}")
    s = ProgressStore()
    try:
        assert s.backend == "sqlite"
        s.record_session("u", WEDNESDAY)
    finally:
        s.close()
    assert (tmp_path / "env.sqlite3").exists()


def test_url_mapping_and_rejection() -> None:
    for raw in ("postgresql://u@127.0.0.1:1/db", "postgres://u@127.0.0.1:1/db"):
        s = ProgressStore(raw)
        assert s._engine.url.drivername == "postgresql+psycopg"
        s.close()
    with pytest.raises(ValueError, match="in-memory"):
        ProgressStore("sqlite://")
    with pytest.raises(ValueError, match="unsupported"):
        ProgressStore("mysql://u@localhost/db")


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
                    store.record_hold(user, WEDNESDAY)
                else:  # the per-request path: count and profile in one transaction
                    store.save(user, day=WEDNESDAY, holds=1, resume_point={"thread": i})
                if n == i:  # interleave other writes of the same person
                    store.record_session(user, WEDNESDAY)
                    store.update_profile(user, resume_point={"thread": i})
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
            s.record_hold(user_id, WEDNESDAY)
        s.record_session(user_id, WEDNESDAY)
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


# --- failures -----------------------------------------------------------------


def assert_unavailable_fast(store: ProgressStore, user: str, limit_s: float) -> None:
    """Every public method raises StoreUnavailable within limit_s; health is degraded."""
    calls = [
        lambda: store.get_profile(user),
        lambda: store.update_profile(user, hold_seconds=40),
        lambda: store.record_hold(user, WEDNESDAY),
        lambda: store.record_session(user, WEDNESDAY),
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
    s = ProgressStore(f"sqlite:///{blocker / 'data' / 'progress.sqlite3'}")
    try:
        assert_unavailable_fast(s, user, limit_s=0.5)
        blocker.unlink()  # the disk is fixed: the store creates its folders itself
        s.record_hold(user, WEDNESDAY)
        assert s.summary(user, WEDNESDAY).total_holds == 1
        assert s.health()["status"] == "ok"
    finally:
        s.close()


def test_sqlite_writer_lock_fails_writes_fast_but_reads_go_on(tmp_path: Path, user: str) -> None:
    path = tmp_path / "progress.sqlite3"
    s = ProgressStore(f"sqlite:///{path}")
    try:
        s.update_profile(user, hold_seconds=30)
        s.record_hold(user, WEDNESDAY)
        locker = sqlite3.connect(path, isolation_level=None)
        try:
            locker.execute("BEGIN IMMEDIATE")  # someone else holds the write lock
            for write in (
                lambda: s.record_hold(user, WEDNESDAY),
                lambda: s.update_profile(user, hold_seconds=60),
            ):
                started = time.monotonic()
                with pytest.raises(StoreUnavailable, match="locked"):
                    write()
                assert 0.5 < time.monotonic() - started < 3.0  # waited ~1 s busy timeout
            assert s.health()["status"] == "degraded"
            # WAL: reading the person's data still works meanwhile.
            assert s.get_profile(user).hold_seconds == 30
            assert s.summary(user, WEDNESDAY).total_holds == 1
            locker.execute("ROLLBACK")
        finally:
            locker.close()
        s.record_hold(user, WEDNESDAY)
        assert s.summary(user, WEDNESDAY).total_holds == 2  # the refused hold is not counted
        assert s.health()["status"] == "ok"
    finally:
        s.close()


def test_sqlite_exclusively_locked_file_then_recovery(tmp_path: Path, user: str) -> None:
    path = tmp_path / "progress.sqlite3"
    s = ProgressStore(f"sqlite:///{path}", connect_timeout_s=0.3)  # busy timeout 0.3 s
    try:
        s.record_hold(user, WEDNESDAY)
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
    caplog.set_level(logging.DEBUG, logger="skill.store.progress_store")
    s = ProgressStore(url, error_log_interval_s=60)
    try:
        for _ in range(5):
            with pytest.raises(StoreUnavailable):
                s.record_hold(user, WEDNESDAY)
        errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
        assert len(errors) == 1
        blocker.unlink()
        s.record_hold(user, WEDNESDAY)
        s.update_profile(user, hold_seconds=30)
        s.delete_user(user)
        assert "available again" in caplog.text
        assert f"user {user_tag(user)}" in caplog.text  # people are named by tag only
    finally:
        s.close()
    chatty = ProgressStore(f"sqlite:///{tmp_path / 'x' / 'y'}", error_log_interval_s=0)
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
        s = ProgressStore(via_proxy)
        try:
            # Never reachable so far: a closed port fails fast.
            assert_unavailable_fast(s, user, limit_s=1.0)
            proxy.start()
            s.record_hold(user, WEDNESDAY)
            assert s.health()["status"] == "ok"
            proxy.stop()
            assert_unavailable_fast(s, user, limit_s=1.0)
            proxy.start()
            s.record_hold(user, WEDNESDAY)
            s.record_session(user, WEDNESDAY)
            summary = s.summary(user, WEDNESDAY)
            assert (summary.total_holds, summary.total_sessions) == (2, 1)
            assert s.health()["status"] == "ok"
        finally:
            s.close()
            proxy.stop()


@pytest.mark.postgres
def test_postgres_silent_server_times_out(user: str) -> None:
    """A host that accepts TCP but never answers: connect_timeout bounds the wait."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        s = ProgressStore(f"postgresql://postgres@127.0.0.1:{port}/postgres", connect_timeout_s=2)
        try:
            started = time.monotonic()
            with pytest.raises(StoreUnavailable):
                s.record_hold(user, WEDNESDAY)
            assert 1.5 < time.monotonic() - started < 4.5
            assert s.health()["status"] == "degraded"
        finally:
            s.close()


@pytest.mark.postgres
def test_postgres_locked_table_fails_writes_fast(postgres_server_url: str, user: str) -> None:
    with pg.fresh_schema(postgres_server_url) as url:
        s = ProgressStore(url)
        try:
            s.update_profile(user, hold_seconds=30)
            s.record_hold(user, WEDNESDAY)
            with psycopg.connect(**pg.psycopg_conninfo(url)) as locker:
                locker.execute("LOCK TABLE daily_progress IN ACCESS EXCLUSIVE MODE")
                started = time.monotonic()
                with pytest.raises(StoreUnavailable, match="lock"):
                    s.record_hold(user, WEDNESDAY)
                assert time.monotonic() - started < 3.0
                assert s.get_profile(user).hold_seconds == 30  # other table unaffected
                locker.rollback()
            s.record_hold(user, WEDNESDAY)
            assert s.summary(user, WEDNESDAY).total_holds == 2
        finally:
            s.close()


# --- ask-sdk adapter ------------------------------------------------------------


def test_adapter_get_save_delete(store: ProgressStore, user: str) -> None:
    adapter = SqlPersistenceAdapter(store)
    env = envelope(user, "req-1")
    attrs = adapter.get_attributes(env)
    assert attrs == {
        "hold_seconds": None,
        "last_stretch": None,
        "disclaimer_heard": False,
        "resume_point": None,
    }
    attrs.update(disclaimer_heard=True, hold_seconds=30, resume_point={"step": 2})
    adapter.save_attributes(env, attrs)
    assert store.get_profile(user) == UserProfile(30, None, True, {"step": 2})

    # Through ask-sdk's own AttributesManager, as the skill will use it.
    env2 = envelope(user, "req-2")
    manager = AttributesManager(env2, adapter)
    assert manager.persistent_attributes["hold_seconds"] == 30
    manager.persistent_attributes["last_stretch"] = "standing"
    manager.save_persistent_attributes()
    assert store.get_profile(user).last_stretch == "standing"

    store.record_hold(user, WEDNESDAY)
    adapter.delete_attributes(envelope(user))
    assert store.get_profile(user) == UserProfile()
    assert store.summary(user, WEDNESDAY).total_holds == 0


def test_adapter_overlapping_requests_keep_both_changes(store: ProgressStore, user: str) -> None:
    """SessionEnded saving a resume point must not undo an intent's new hold time."""
    adapter = SqlPersistenceAdapter(store)
    store.update_profile(user, hold_seconds=30)
    intent = RequestEnvelope(
        context=Context(system=SystemState(user=User(user_id=user))),
        request=IntentRequest(request_id="req-intent"),
    )
    ended = RequestEnvelope(
        context=Context(system=SystemState(user=User(user_id=user))),
        request=SessionEndedRequest(request_id="req-ended"),
    )
    a = adapter.get_attributes(intent)
    b = adapter.get_attributes(ended)
    a["hold_seconds"] = 45
    adapter.save_attributes(intent, a)
    b["resume_point"] = {"step": 4}
    adapter.save_attributes(ended, b)  # b still says hold_seconds=30, unchanged by b
    assert store.get_profile(user) == UserProfile(45, None, False, {"step": 4})


def test_adapter_without_request_id_saves_given_fields(store: ProgressStore, user: str) -> None:
    adapter = SqlPersistenceAdapter(store)
    adapter.save_attributes(envelope(user), {"hold_seconds": 20, "something_else": 1})
    assert adapter.get_attributes(envelope(user))["hold_seconds"] == 20


def test_adapter_needs_a_user_id(store: ProgressStore) -> None:
    adapter = SqlPersistenceAdapter(store)
    with pytest.raises(StoreUnavailable, match="user id"):
        adapter.get_attributes(envelope(None))
    with pytest.raises(StoreUnavailable, match="user id"):
        adapter.get_attributes(RequestEnvelope())


def test_adapter_raises_store_unavailable_when_db_down(tmp_path: Path, user: str) -> None:
    (tmp_path / "f").write_text("")
    s = ProgressStore(f"sqlite:///{tmp_path / 'f' / 'db.sqlite3'}")
    try:
        manager = AttributesManager(envelope(user, "r"), SqlPersistenceAdapter(s))
        with pytest.raises(StoreUnavailable):
            _ = manager.persistent_attributes
    finally:
        s.close()


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
    assert store._engine.pool.checkedin() == 0
    store.record_hold(user_id, WEDNESDAY)


@pytest.mark.slow
def test_forked_child_does_not_share_pooled_connections(store: ProgressStore, user: str) -> None:
    """gunicorn --preload forks after the store exists; both sides must keep working."""
    store.record_hold(user, WEDNESDAY)  # the parent now holds a pooled connection
    ctx = multiprocessing.get_context("fork")
    children = [ctx.Process(target=_record_hold_with_inherited_store, args=(store, user))]
    children.append(ctx.Process(target=_record_hold_with_inherited_store, args=(store, user)))
    for c in children:
        c.start()
    for c in children:
        c.join(timeout=60)
        assert c.exitcode == 0
        c.close()
    store.record_hold(user, WEDNESDAY)
    assert store.summary(user, WEDNESDAY).total_holds == 4


def test_a_failed_transaction_is_rolled_back_and_its_connection_not_used_again(
    store: ProgressStore, user: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The per-request statements run on a driver connection of their own; one that failed
    half way (here: after the holds were added, before the profile was written) must undo
    its work and must not go back to the pool, whatever state it is in."""
    store.save(user, day=WEDNESDAY, holds=1, hold_seconds=30)
    used: list[Any] = []
    original = ProgressStore._run

    def fail_on_profile(self: ProgressStore, cursor: Any, stmt: Any, values: Any) -> Any:
        used.append(cursor.connection)
        if "profiles" in str(stmt) and "INSERT" in str(stmt):
            raise store._driver_error("lost the connection")
        return original(self, cursor, stmt, values)

    monkeypatch.setattr(ProgressStore, "_run", fail_on_profile)
    with pytest.raises(StoreUnavailable, match="save failed"):
        store.save(user, day=WEDNESDAY, holds=2, hold_seconds=45)
    monkeypatch.setattr(ProgressStore, "_run", original)
    assert store.summary(user, WEDNESDAY).total_holds == 1  # the +2 was rolled back
    assert store.get_profile(user).hold_seconds == 30
    assert store._engine.pool.checkedout() == 0
    failed = used[-1]
    assert all(kept is not failed for kept in store._idle)
    with store._engine.connect() as conn:
        assert conn.connection.dbapi_connection is not failed
    used.clear()

    def spy(self: ProgressStore, cursor: Any, stmt: Any, values: Any) -> Any:
        used.append(cursor.connection)
        return original(self, cursor, stmt, values)

    monkeypatch.setattr(ProgressStore, "_run", spy)
    for _ in range(3):
        store.save(user, day=WEDNESDAY, holds=1)
    assert failed not in used
    if store.backend == "sqlite":  # the store's own idle connection serves one after another
        assert used[0] is used[1] is used[2]
        assert store._idle == [used[0]]


def test_idle_sqlite_connections_are_bounded_and_closed_with_the_store(
    tmp_path: Path, user: str
) -> None:
    from skill.store.progress_store import MAX_IDLE_SQLITE_CONNECTIONS

    s = ProgressStore(f"sqlite:///{tmp_path}/progress.sqlite3")
    s.record_hold(user, WEDNESDAY)
    out = [s._checkout() for _ in range(MAX_IDLE_SQLITE_CONNECTIONS + 3)]
    assert len({id(c) for c in out}) == len(out)
    for connection in out:  # made by the engine: its connect-time PRAGMAs hold
        assert connection.execute("PRAGMA synchronous").fetchone() == (1,)  # NORMAL
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    for connection in out:  # as many threads giving theirs back at once
        s._checkin(connection, healthy=True)
    assert s._idle == out[:MAX_IDLE_SQLITE_CONNECTIONS]
    for extra in out[MAX_IDLE_SQLITE_CONNECTIONS:]:
        with pytest.raises(sqlite3.ProgrammingError):
            extra.execute("SELECT 1")
    s.close()
    assert s._idle == []
    for connection in out:
        with pytest.raises(sqlite3.ProgrammingError):
            connection.execute("SELECT 1")
    s.record_hold(user, WEDNESDAY)  # still usable after close
    assert s.summary(user, WEDNESDAY).total_holds == 2
    s.close()


# --- deletions owed from an outage ------------------------------------------------------------


def test_a_deletion_refused_by_a_locked_database_is_done_once_it_is_free(
    tmp_path: Path, user: str
) -> None:
    path = tmp_path / "progress.sqlite3"
    s = ProgressStore(f"sqlite:///{path}")
    other = "amzn1.ask.account.SOMEONE-ELSE"
    try:
        s.record_hold(user, WEDNESDAY)
        s.record_hold(other, WEDNESDAY)
        locker = sqlite3.connect(path, isolation_level=None)
        try:
            locker.execute("BEGIN IMMEDIATE")
            assert s.forget_user(user) is False
        finally:
            locker.execute("ROLLBACK")
            locker.close()
        owed = tmp_path / "pending-deletions.json"
        assert json.loads(owed.read_text())["user_ids"] == [user]
        assert owed.stat().st_mode & 0o777 == 0o600
        assert s.deletions.pending() == [user]
        assert s.summary(other, WEDNESDAY).total_holds == 1  # works, and then deletes
        assert not owed.exists()
        assert s.summary(user, WEDNESDAY).total_holds == 0
        assert s.forget_user(other) is True  # no outage: at once, nothing kept
        assert not owed.exists()
    finally:
        s.close()


def test_owed_deletions_survive_a_restart(tmp_path: Path, user: str) -> None:
    path = tmp_path / "progress.sqlite3"
    first = ProgressStore(f"sqlite:///{path}")
    first.record_hold(user, WEDNESDAY)
    first.close()
    PendingDeletions(tmp_path / "pending-deletions.json").add(user)  # as a crashed worker left it
    restarted = ProgressStore(f"sqlite:///{path}")
    try:
        assert restarted.health()["status"] == "ok"  # the first transaction that works
        assert not (tmp_path / "pending-deletions.json").exists()
        assert restarted.summary(user, WEDNESDAY).total_holds == 0
    finally:
        restarted.close()


def test_an_unreadable_owed_deletions_file_is_left_alone(
    tmp_path: Path, user: str, caplog: pytest.LogCaptureFixture
) -> None:
    owed = tmp_path / "pending-deletions.json"
    owed.write_text("{not json")
    s = ProgressStore(f"sqlite:///{tmp_path / 'progress.sqlite3'}")
    try:
        with caplog.at_level(logging.ERROR):
            s.record_hold(user, WEDNESDAY)  # the store works on
        assert s.summary(user, WEDNESDAY).total_holds == 1
        assert owed.read_text() == "{not json"  # for the operator to look at
        assert "pending deletions file unreadable" in caplog.text
        assert s.health()["pending_deletions"] == "unknown (file unreadable)"
    finally:
        s.close()


@pytest.mark.postgres
def test_postgres_deletion_during_an_outage_is_done_when_it_is_back(
    postgres_server_url: str, user: str, tmp_path: Path
) -> None:
    with pg.fresh_schema(postgres_server_url) as url:
        target = sa.make_url(url)
        proxy = pg.TcpProxy(target.host or "127.0.0.1", target.port or 5432)
        via_proxy = target.set(port=proxy.port).render_as_string(hide_password=False)
        owed = tmp_path / "owed.json"
        s = ProgressStore(via_proxy, pending_deletions=owed)
        try:
            proxy.start()
            s.record_hold(user, WEDNESDAY)
            proxy.stop()
            assert s.forget_user(user) is False
            assert json.loads(owed.read_text())["user_ids"] == [user]
            proxy.start()
            assert s.health()["status"] == "ok"
            assert not owed.exists()
            assert s.summary(user, WEDNESDAY).total_holds == 0
        finally:
            s.close()
            proxy.stop()


def test_store_log_lines_name_people_by_the_request_lines_tag(user: str) -> None:
    import hashlib

    from skill.logs import short_user_id

    expected = "u-" + hashlib.sha256(user.encode()).hexdigest()[:10]
    assert user_tag(user) == short_user_id(user) == expected
    assert short_user_id(user) == expected  # the second time from the cache: the same tag
    assert short_user_id(None) is None
    assert short_user_id("") is None
