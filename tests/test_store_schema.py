"""The store's schema and database setup: created on first use, migrated from older releases,
refused from newer ones, and which database a URL (or none) means."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from skill.store.progress_store import ProgressStore, StoreUnavailable, UserProfile
from skill.store.schema import SCHEMA_VERSION
from tests.stores import ALL_VERSIONS, WEDNESDAY, raw_engine, schema_versions


def test_schema_created_on_first_use_and_reopen_is_harmless(db_url: str, user: str) -> None:
    first = ProgressStore(db_url)
    try:
        first.save(user, holds=1, day=WEDNESDAY)
        assert first.health() == {
            "status": "ok",
            "detail": f"schema version {SCHEMA_VERSION}",
            "backend": "sqlite" if db_url.startswith("sqlite") else "postgresql",
            "pending_deletions": 0,
            "write_probe": "ok",
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
    from skill.store.schema import migration_1

    if db_url.startswith("sqlite:///"):
        Path(db_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = raw_engine(db_url)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE schema_version (version INTEGER NOT NULL PRIMARY KEY,"
            " applied_at TIMESTAMP NOT NULL)"
        )
        migration_1(conn)
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
        store.save("ben", holds=1, day=WEDNESDAY)  # the counters still add up after the move
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


def test_a_version_2_database_gains_preferences_with_every_profile_kept(db_url: str) -> None:
    """The release before issue 16 (schema 2) had no preferences: on first use the profiles
    table gains the column, every person keeps what they had, with no preferences set, and
    the new column takes writes at once."""
    from skill.store.schema import migration_1, migration_2

    if db_url.startswith("sqlite:///"):
        Path(db_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = raw_engine(db_url)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE schema_version (version INTEGER NOT NULL PRIMARY KEY,"
            " applied_at TIMESTAMP NOT NULL)"
        )
        migration_1(conn)
        migration_2(conn)
        conn.exec_driver_sql(
            "INSERT INTO schema_version (version, applied_at)"
            " VALUES (1, CURRENT_TIMESTAMP), (2, CURRENT_TIMESTAMP)"
        )
        conn.exec_driver_sql(
            "INSERT INTO profiles (user_id, hold_seconds, last_stretch, disclaimer_heard,"
            " resume_point) VALUES ('anna', 45, 'seated', TRUE, '{\"step\": 3}'),"
            " ('ben', NULL, NULL, FALSE, NULL)"
        )
        conn.execute(
            sa.text(
                "INSERT INTO daily_progress (user_id, day, holds, sessions)"
                " VALUES ('anna', :day, 6, 1)"
            ).bindparams(sa.bindparam("day", type_=sa.Date)),
            {"day": WEDNESDAY},
        )
    engine.dispose()
    store = ProgressStore(db_url)
    try:
        assert store.get_profile("anna") == UserProfile(45, "seated", True, {"step": 3}, None)
        assert store.get_profile("ben") == UserProfile()
        assert store.summary("anna", WEDNESDAY).total_holds == 6
        store.save("ben", preferences={"pace": "step"})
        assert store.get_profile("ben").preferences == {"pace": "step"}
        assert store.get_profile("anna").preferences is None
    finally:
        store.close()
    assert schema_versions(db_url) == ALL_VERSIONS


def test_the_tables_the_migrations_make_are_the_ones_the_code_reads(db_url: str) -> None:
    """The migrations' frozen DDL and the table definitions the statements are compiled from
    must name the same columns, in the same order (a profile row is read by position)."""
    from skill.store.schema import daily_progress_table, profiles_table, retention_runs_table

    store = ProgressStore(db_url)
    try:
        store.get_profile("anna")  # creates the schema
    finally:
        store.close()
    engine = raw_engine(db_url)
    try:
        inspector = sa.inspect(engine)
        for table in (profiles_table, daily_progress_table, retention_runs_table):
            made = [column["name"] for column in inspector.get_columns(table.name)]
            assert made == [column.name for column in table.columns], table.name
    finally:
        engine.dispose()
    assert [column.name for column in profiles_table.columns] == [
        "user_id",
        "hold_seconds",
        "last_stretch",
        "disclaimer_heard",
        "resume_point",
        "preferences",
        "last_seen",
        "reminder",
    ]


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
        s.save("u", holds=1, day=WEDNESDAY)
        assert path.exists()
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        conn.close()
        # Commits skip the fsync (WAL keeps consistency).
        with s._connections.engine.connect() as pooled:
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
        s.save("u", sessions=1, day=WEDNESDAY)
    finally:
        s.close()
    assert (tmp_path / "xdg" / "hamstring-coach" / "progress.sqlite3").exists()

    monkeypatch.setenv("SKILL_DATABASE_URL", f"sqlite:///{tmp_path / 'env.sqlite3'}")
    s = ProgressStore()
    try:
        assert s.backend == "sqlite"
        s.save("u", sessions=1, day=WEDNESDAY)
    finally:
        s.close()
    assert (tmp_path / "env.sqlite3").exists()


def test_url_mapping_and_rejection() -> None:
    for raw in ("postgresql://u@127.0.0.1:1/db", "postgres://u@127.0.0.1:1/db"):
        s = ProgressStore(raw)
        assert s._connections.engine.url.drivername == "postgresql+psycopg"
        s.close()
    with pytest.raises(ValueError, match="in-memory"):
        ProgressStore("sqlite://")
    with pytest.raises(ValueError, match="unsupported"):
        ProgressStore("mysql://u@localhost/db")
