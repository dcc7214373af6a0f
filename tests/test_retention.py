"""Retention: people not seen for SKILL_RETENTION_MONTHS months are forgotten, all their rows,
by one worker a day, in batches; recent people keep everything. Both backends."""

from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from skill.cli import main
from skill.config import Config, ConfigError
from skill.store import retention
from skill.store.progress_store import ProgressStore
from skill.store.retention import cutoff_day, forget_inactive
from skill.web import retention_job
from skill.web.app import create_app
from skill.web.retention_job import RetentionJob, start_in_worker
from tests.stores import migrate_to, raw_engine

# The real UTC day: the clock checks compare the host's day with the newest last_seen (and on
# PostgreSQL with the server's day, faked by `database_clock` below unless a test wants it).
TODAY = datetime.now(UTC).date()
LONG_AGO = cutoff_day(TODAY, 13)
ON_THE_EDGE = cutoff_day(TODAY, 12)  # exactly 12 months: still recent
LAST_MONTH = cutoff_day(TODAY, 1) - timedelta(days=3)


@pytest.fixture(autouse=True)
def database_clock(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The database server's UTC day as the retention run reads it: by default none (as on
    SQLite), so a test's host clock may walk ahead on PostgreSQL too; `real` gives the real
    server's, `day` a fixed one."""
    clock: dict[str, Any] = {"real": False, "day": None}
    real = retention.database_today

    def fake(backend: str, cursor: Any, st: Any) -> date | None:
        return real(backend, cursor, st) if clock["real"] else clock["day"]

    monkeypatch.setattr(retention, "database_today", fake)
    return clock


def store_on(url: str, day: date) -> ProgressStore:
    """A store whose clock says `day` (the day a save marks the person as seen)."""
    return ProgressStore(url, today=lambda: day)


def use_skill(url: str, day: date, user_id: str, *, holds: int = 3) -> None:
    """What a session leaves behind: a setting, a resume point, and a day of progress."""
    store = store_on(url, day)
    try:
        store.save(user_id, day=day, holds=holds, sessions=1, hold_seconds=30)
        store.save(user_id, resume_point={"routine": {"pos": 2}})
    finally:
        store.close()


def rows_of(url: str, user_id: str) -> dict[str, int]:
    engine = raw_engine(url)
    try:
        with engine.connect() as conn:
            return {
                table: conn.execute(
                    sa.text(f"SELECT COUNT(*) FROM {table} WHERE user_id = :u"), {"u": user_id}
                ).scalar_one()
                for table in ("profiles", "daily_progress")
            }
    finally:
        engine.dispose()


def runs(url: str) -> list[tuple[Any, ...]]:
    engine = raw_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.exec_driver_sql("SELECT day, forgotten FROM retention_runs"))
    finally:
        engine.dispose()


def add_orphan_progress(url: str, user_id: str, day: date) -> None:
    """Progress with no profile row (from before migration 5, or a deletion that raced a save)."""
    engine = raw_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO daily_progress (user_id, day, holds, sessions) "
                    "VALUES (:u, :day, 2, 1)"
                ).bindparams(sa.bindparam("day", type_=sa.Date)),
                {"u": user_id, "day": day},
            )
    finally:
        engine.dispose()


def test_people_not_seen_for_the_retention_months_are_forgotten_with_all_their_rows(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(retention, "BATCH_USERS", 2)  # five stale people: three batches
    stale = [f"gone-{i}" for i in range(5)]
    for user_id in stale:
        use_skill(db_url, LONG_AGO, user_id)
    use_skill(db_url, LONG_AGO, "back-again")
    use_skill(db_url, LAST_MONTH, "back-again")  # an old first day, seen recently
    use_skill(db_url, ON_THE_EDGE, "edge")
    use_skill(db_url, LAST_MONTH, "regular")
    add_orphan_progress(db_url, "orphan-old", LONG_AGO)
    add_orphan_progress(db_url, "orphan-recent", LAST_MONTH)

    store = store_on(db_url, TODAY)
    try:
        assert forget_inactive(store, 12, dry_run=True).people == 6
        assert rows_of(db_url, "gone-0") == {"profiles": 1, "daily_progress": 1}
        run = forget_inactive(store, 12, max_share=None)  # the cap has a test of its own
    finally:
        store.close()

    assert (run.claimed, run.people, run.progress_rows) == (True, 6, 6)
    assert run.cutoff == ON_THE_EDGE
    for user_id in [*stale, "orphan-old"]:
        assert rows_of(db_url, user_id) == {"profiles": 0, "daily_progress": 0}, user_id
    assert rows_of(db_url, "back-again") == {"profiles": 1, "daily_progress": 2}
    assert rows_of(db_url, "edge") == {"profiles": 1, "daily_progress": 1}
    assert rows_of(db_url, "regular") == {"profiles": 1, "daily_progress": 1}
    assert rows_of(db_url, "orphan-recent") == {"profiles": 0, "daily_progress": 1}
    assert [forgotten for _day, forgotten in runs(db_url)] == [6]


def test_a_second_worker_the_same_day_does_nothing_and_the_next_day_runs_again(
    db_url: str,
) -> None:
    """Two workers (two stores: two processes or hosts on one database) try the same day: one
    runs, the other finds the day claimed; someone gone stale meanwhile waits for tomorrow."""
    use_skill(db_url, LONG_AGO, "gone")
    first, second = store_on(db_url, TODAY), store_on(db_url, TODAY)
    try:
        assert RetentionJob(first, 12).run_due() is True
        use_skill(db_url, LONG_AGO, "gone-later")
        assert RetentionJob(second, 12).run_due() is False
        assert rows_of(db_url, "gone-later") == {"profiles": 1, "daily_progress": 1}
    finally:
        first.close()
        second.close()
    tomorrow = store_on(db_url, TODAY + timedelta(days=1))
    try:
        assert RetentionJob(tomorrow, 12).run_due() is True
    finally:
        tomorrow.close()
    assert rows_of(db_url, "gone-later") == {"profiles": 0, "daily_progress": 0}
    assert sorted(forgotten for _day, forgotten in runs(db_url)) == [1, 1]


def test_a_save_marks_the_person_seen_once_a_day_without_a_statement_per_hold(
    db_url: str,
) -> None:
    """The first save of the day writes last_seen; later saves that day do not touch it (a
    hold adds no statement); the next day's first save moves it on."""
    store = store_on(db_url, LAST_MONTH)
    try:
        store.save("anna", day=LAST_MONTH, holds=1)  # counts only: the profile row is made
        engine = raw_engine(db_url)
        with engine.begin() as conn:  # behind the store's back: proves the next save skips it
            conn.execute(
                sa.text("UPDATE profiles SET last_seen = :d").bindparams(
                    sa.bindparam("d", type_=sa.Date)
                ),
                {"d": LONG_AGO},
            )
        store.save("anna", day=LAST_MONTH, holds=1)
        with engine.connect() as conn:
            seen = conn.execute(sa.text("SELECT last_seen FROM profiles")).scalar_one()
        assert str(seen) == LONG_AGO.isoformat()
        store.seen.today = lambda: TODAY
        store.save("anna", day=TODAY, holds=1)
        with engine.connect() as conn:
            seen = conn.execute(sa.text("SELECT last_seen FROM profiles")).scalar_one()
        engine.dispose()
        assert str(seen) == TODAY.isoformat()
        assert store.summary("anna", TODAY).total_holds == 3
    finally:
        store.close()


def test_months_are_calendar_months() -> None:
    assert cutoff_day(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert cutoff_day(date(2026, 3, 31), 12) == date(2025, 3, 31)
    assert cutoff_day(date(2024, 2, 29), 12) == date(2023, 2, 28)


def test_the_retention_setting_defaults_to_12_and_rejects_what_is_not_a_month_count() -> None:
    assert Config.from_env({}).retention_months == 12
    assert Config.from_env({"SKILL_RETENTION_MONTHS": "0"}).retention_months == 0
    assert Config.from_env({"SKILL_RETENTION_MONTHS": " 24 "}).retention_months == 24
    for bad in ("-1", "1.5", "twelve", "1201", "١٢"):
        with pytest.raises(ConfigError, match="SKILL_RETENTION_MONTHS"):
            Config.from_env({"SKILL_RETENTION_MONTHS": bad})


def test_zero_months_never_forgets(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    url = f"sqlite:///{tmp_path}/p.sqlite3"
    use_skill(url, LONG_AGO, "gone")
    store = store_on(url, TODAY)
    try:
        job = RetentionJob(store, 0)
        with caplog.at_level("INFO"):
            job.start()
        assert "retention off" in caplog.text
        assert not [t for t in threading.enumerate() if t.name == "retention"]
        with pytest.raises(ValueError, match="never forget"):
            forget_inactive(store, 0)
    finally:
        store.close()
    assert rows_of(url, "gone") == {"profiles": 1, "daily_progress": 1}


def test_each_worker_starts_its_job_after_the_fork_and_it_runs_by_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """gunicorn calls post_worker_init with the worker, whose `wsgi` is our app: the hook
    starts that app's job, which runs shortly after (here: at once) and logs one line."""
    url = f"sqlite:///{tmp_path}/p.sqlite3"
    use_skill(url, date(2000, 1, 1), "gone")
    monkeypatch.setattr(retention_job, "FIRST_RUN_AFTER_S", (0.0, 0.0))
    app = create_app(Config(verify_requests=False, database_url=url, retention_months=12))
    job = app.extensions["retention_job"]

    class Worker:  # what gunicorn hands the hook: the worker, its loaded app as `wsgi`
        wsgi = app

    with caplog.at_level("INFO", logger="skill.store.retention"):
        start_in_worker(Worker())
        try:
            deadline = time.monotonic() + 20
            while not runs(url) or rows_of(url, "gone")["profiles"]:
                assert time.monotonic() < deadline, "the retention thread did not run"
                time.sleep(0.05)
        finally:
            job.stop()
    assert rows_of(url, "gone") == {"profiles": 0, "daily_progress": 0}
    deadline = time.monotonic() + 5
    while "retention: 1 people forgotten" not in caplog.text and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "retention: 1 people forgotten, not seen since" in caplog.text


def test_operators_command_counts_then_forgets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path}/p.sqlite3"
    use_skill(url, date(2000, 1, 1), "gone")
    use_skill(url, date.today(), "here")
    monkeypatch.setenv("SKILL_DATABASE_URL", url)
    monkeypatch.setenv("SKILL_RETENTION_MONTHS", "6")
    assert main(["forget-inactive", "--dry-run"]) == 0
    assert "1 people would be forgotten, not seen since" in capsys.readouterr().out
    assert rows_of(url, "gone")["profiles"] == 1
    assert main(["forget-inactive"]) == 0
    assert "1 people forgotten, not seen since" in capsys.readouterr().out
    assert rows_of(url, "gone")["profiles"] == 0
    assert rows_of(url, "here")["profiles"] == 1
    monkeypatch.setenv("SKILL_RETENTION_MONTHS", "0")
    assert main(["forget-inactive"]) == 0
    assert "nobody is forgotten" in capsys.readouterr().out


def test_a_version_4_database_gains_last_seen_set_to_the_day_of_the_upgrade(
    db_url: str,
) -> None:
    """The release before issue 18 (schema 4): on first use profiles gain last_seen, set to the
    day of the migration for everyone (the retention period starts with the upgrade: nobody is
    forgotten on a guess from old progress); progress without a profile gets a profile row;
    everything the person had is kept, and a run that day forgets nobody."""
    from skill.store.schema import SCHEMA_VERSION

    if db_url.startswith("sqlite:///"):
        Path(db_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = raw_engine(db_url)
    with engine.begin() as conn:
        migrate_to(conn, 4)
        conn.exec_driver_sql(
            "INSERT INTO profiles (user_id, hold_seconds, last_stretch, disclaimer_heard,"
            " resume_point, preferences) VALUES"
            " ('anna', 45, 'seated', TRUE, NULL, '{\"pace\":\"step\"}'),"
            " ('ben', NULL, NULL, TRUE, NULL, NULL)"
        )
        progress = sa.text(
            "INSERT INTO daily_progress (user_id, day, holds, sessions) VALUES (:u, :day, 4, 1)"
        ).bindparams(sa.bindparam("day", type_=sa.Date))
        for user_id, day in [("anna", LONG_AGO), ("anna", LAST_MONTH), ("cleo", LONG_AGO)]:
            conn.execute(progress, {"u": user_id, "day": day})
    engine.dispose()

    store = store_on(db_url, TODAY)
    try:
        anna = store.get_profile("anna")  # the first use migrates
        assert (anna.hold_seconds, anna.preferences) == (45, {"pace": "step"})
        assert store.summary("anna", TODAY).total_holds == 8
    finally:
        store.close()
    engine = raw_engine(db_url)
    with engine.connect() as conn:
        seen = dict(conn.exec_driver_sql("SELECT user_id, last_seen FROM profiles").all())
        migrated_on = conn.exec_driver_sql("SELECT CURRENT_DATE").scalar_one()
        version = conn.exec_driver_sql("SELECT MAX(version) FROM schema_version").scalar_one()
    engine.dispose()
    assert version == SCHEMA_VERSION >= 5
    assert {user: str(day) for user, day in seen.items()} == {
        "anna": str(migrated_on),
        "ben": str(migrated_on),
        "cleo": str(migrated_on),  # progress only, and LONG_AGO: kept a full period from now
    }
    store = store_on(db_url, TODAY)
    try:
        assert forget_inactive(store, 12).people == 0
    finally:
        store.close()
    assert rows_of(db_url, "cleo") == {"profiles": 1, "daily_progress": 1}
    assert rows_of(db_url, "anna") == {"profiles": 1, "daily_progress": 2}


def test_starting_a_stretch_marks_the_person_seen_and_a_year_later_they_are_forgotten(
    talk: Any, config: Config, builder: Any
) -> None:
    """Through the real app: a launch and a stretch save the person's day as seen (the save the
    stretch makes anyway); a retention run a year and more later forgets all of it."""
    talk.launch()
    talk.say("StartStretchIntent", Stretch=("seated hamstring stretch", "seated"))
    url = str(config.database_url)
    engine = raw_engine(url)
    with engine.connect() as conn:
        seen = conn.execute(
            sa.text("SELECT last_seen FROM profiles WHERE user_id = :u"), {"u": builder.user_id}
        ).scalar_one()
    engine.dispose()
    today = date.fromisoformat(str(seen))
    assert abs(today - datetime.now(UTC).date()) <= timedelta(days=1)  # the server's UTC day
    later = store_on(url, cutoff_day(today, -13))
    try:
        assert forget_inactive(later, 12).people == 1
    finally:
        later.close()
    assert rows_of(url, builder.user_id) == {"profiles": 0, "daily_progress": 0}
