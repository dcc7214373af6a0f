"""What keeps retention from forgetting people who are still here: a profile whose last_seen
is unknown (written by an older server, or after another process deleted the row) is never
stale; a host with a wrong clock does nothing; one daily run forgets at most a share of
everyone; the operator's command neither creates nor migrates a database; and a failing job
does not cost requests their saves. Both backends where the database matters."""

from __future__ import annotations

import logging
import sqlite3
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from skill.cli import main
from skill.store import retention
from skill.store.progress_store import ProgressStore
from skill.store.retention import ClockSuspect, forget_inactive
from skill.store.schema import SCHEMA_VERSION
from skill.web.retention_job import RetentionJob
from tests.stores import migrate_to, raw_engine
from tests.test_retention import (
    LAST_MONTH,
    LONG_AGO,
    TODAY,
    database_clock,
    rows_of,
    store_on,
    use_skill,
)

__all__ = ["database_clock"]  # the autouse fixture of test_retention, used here too


def execute(url: str, sql: str, **values: Any) -> list[tuple[Any, ...]]:
    engine = raw_engine(url)
    try:
        with engine.begin() as conn:
            statement = sa.text(sql)
            if "day" in values:
                statement = statement.bindparams(sa.bindparam("day", type_=sa.Date))
            result = conn.execute(statement, values)
            return [tuple(row) for row in result] if result.returns_rows else []
    finally:
        engine.dispose()


def last_seen(url: str, user_id: str) -> str:
    return str(execute(url, "SELECT last_seen FROM profiles WHERE user_id = :u", u=user_id)[0][0])


def test_a_profile_an_older_server_wrote_without_last_seen_survives_the_run(db_url: str) -> None:
    """During a rolling upgrade a server of the release before issue 18 (schema 4) keeps
    serving the migrated database and inserts profiles without last_seen: a run counts them as
    seen today, never as stale."""
    use_skill(db_url, LONG_AGO, "gone")  # migrates; someone really gone, as a control
    execute(db_url, "INSERT INTO profiles (user_id, hold_seconds) VALUES ('newbie', 30)")
    execute(
        db_url,
        "INSERT INTO daily_progress (user_id, day, holds, sessions) VALUES ('newbie', :day, 3, 1)",
        day=TODAY,
    )
    execute(db_url, "INSERT INTO profiles (user_id, disclaimer_heard) VALUES ('quiet', TRUE)")
    store = store_on(db_url, TODAY)
    try:
        run = forget_inactive(store, 12)
    finally:
        store.close()
    assert run.people == 1
    assert rows_of(db_url, "gone") == {"profiles": 0, "daily_progress": 0}
    assert rows_of(db_url, "newbie") == {"profiles": 1, "daily_progress": 1}
    assert rows_of(db_url, "quiet") == {"profiles": 1, "daily_progress": 0}
    assert last_seen(db_url, "newbie") == last_seen(db_url, "quiet") == TODAY.isoformat()


def test_a_save_after_another_process_deleted_the_row_is_not_forgotten(db_url: str) -> None:
    """A process remembers it marked anna seen today; another process (or host) deletes her
    row (she disabled the skill and enabled it again); her next save through the first process
    makes a new row without last_seen. The next run keeps her and marks her seen today."""
    first, second = store_on(db_url, TODAY), store_on(db_url, TODAY)
    try:
        first.save("anna", hold_seconds=30)
        second.delete_user("anna")
        first.save("anna", hold_seconds=45)  # "seen today" memory: no last_seen in the upsert
        assert forget_inactive(second, 1).people == 0
    finally:
        first.close()
        second.close()
    assert rows_of(db_url, "anna")["profiles"] == 1
    assert last_seen(db_url, "anna") == TODAY.isoformat()


def test_a_host_whose_clock_is_far_ahead_of_postgresql_forgets_nobody(
    db_url: str, database_clock: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    """Two years ahead, this host would forget everyone not seen in the coming year: the run
    compares its UTC day with the PostgreSQL server's and logs an error instead. A day off
    (midnight on two clocks) still runs, on the server's day."""
    if db_url.startswith("sqlite"):
        pytest.skip("SQLite has no clock of its own (see the clock-behind test)")
    database_clock["real"] = True
    use_skill(db_url, LAST_MONTH, "regular")
    ahead = store_on(db_url, TODAY + timedelta(days=730))
    try:
        with caplog.at_level(logging.ERROR):
            assert RetentionJob(ahead, 12).run_due() is False
        assert "retention not run: this host's UTC day is" in caplog.text
        assert "the database server's" in caplog.text
        with pytest.raises(ClockSuspect):
            forget_inactive(ahead, 12, claim=False)
    finally:
        ahead.close()
    assert rows_of(db_url, "regular")["profiles"] == 1
    assert execute(db_url, "SELECT COUNT(*) FROM retention_runs") == [(0,)]
    near = store_on(db_url, TODAY + timedelta(days=1))
    try:
        assert forget_inactive(near, 12).claimed
    finally:
        near.close()


def test_a_host_whose_clock_is_behind_the_latest_seen_day_forgets_nobody(
    db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    use_skill(db_url, LONG_AGO, "gone")
    use_skill(db_url, TODAY, "today")
    behind = store_on(db_url, TODAY - timedelta(days=2))
    try:
        with caplog.at_level(logging.ERROR):
            assert RetentionJob(behind, 12).run_due() is False
        assert f"earlier than the latest day someone was seen ({TODAY})" in caplog.text
    finally:
        behind.close()
    assert rows_of(db_url, "gone")["profiles"] == 1


def test_one_daily_run_forgets_at_most_a_quarter_the_oldest_first_and_warns(
    db_url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Ten people, eight of them gone (as after a clock far ahead the checks missed): the
    day's run forgets 3 (a quarter, rounded up), those gone longest, and says it stopped; the
    next day's run goes on; the operator's command forgets the rest at once."""
    monkeypatch.setattr(retention, "BATCH_USERS", 2)
    gone = [f"gone-{i}" for i in range(8)]  # gone-0 has been gone longest
    for i, user_id in enumerate(gone):
        use_skill(db_url, LONG_AGO - timedelta(days=10 - i), user_id)
    for user_id in ("here-1", "here-2"):
        use_skill(db_url, LAST_MONTH, user_id)
    store = store_on(db_url, TODAY)
    try:
        with caplog.at_level(logging.WARNING):
            assert RetentionJob(store, 12).run_due() is True
    finally:
        store.close()
    assert "retention stopped at 3 people (25% of 10)" in caplog.text
    left = [user_id for user_id in gone if rows_of(db_url, user_id)["profiles"]]
    assert left == gone[3:]
    tomorrow = store_on(db_url, TODAY + timedelta(days=1))
    try:
        run = forget_inactive(tomorrow, 12)
        assert (run.people, run.capped) == (2, True)  # a quarter of the 7 left, rounded up
        everyone = forget_inactive(tomorrow, 12, claim=False, max_share=None)
        assert (everyone.people, everyone.capped) == (3, False)
    finally:
        tomorrow.close()
    assert all(rows_of(db_url, user_id)["profiles"] == 1 for user_id in ("here-1", "here-2"))


def schema_4_file(path: Path) -> str:
    """A SQLite database as the release before issue 18 left it."""
    url = f"sqlite:///{path}"
    engine = raw_engine(url)
    with engine.begin() as conn:
        migrate_to(conn, 4)
        conn.exec_driver_sql("INSERT INTO profiles (user_id, hold_seconds) VALUES ('anna', 30)")
    engine.dispose()
    return url


@pytest.mark.parametrize("dry_run", [True, False], ids=["dry-run", "forget"])
def test_the_command_never_creates_nor_migrates_a_database(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    dry_run: bool,
) -> None:
    flags = ["--dry-run"] if dry_run else []
    missing = tmp_path / "elsewhere" / "progress.sqlite3"  # the wrong XDG_DATA_HOME, say
    monkeypatch.setenv("SKILL_DATABASE_URL", f"sqlite:///{missing}")
    assert main(["forget-inactive", *flags]) == 2
    err = capsys.readouterr().err
    assert f"no database at {missing}" in err
    assert "nothing changed" in err
    assert not missing.parent.exists()

    old = tmp_path / "old.sqlite3"
    monkeypatch.setenv("SKILL_DATABASE_URL", schema_4_file(old))
    assert main(["forget-inactive", *flags]) == 2
    err = capsys.readouterr().err
    said = f"schema version 4, this code's is {SCHEMA_VERSION}: start serve once to migrate it"
    assert said in err
    with sqlite3.connect(old) as conn:
        assert conn.execute("SELECT MAX(version) FROM schema_version").fetchone() == (4,)
        assert "last_seen" not in {row[1] for row in conn.execute("PRAGMA table_info(profiles)")}


def test_the_command_prints_the_count_before_it_forgets_and_explains_months_0(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path}/p.sqlite3"
    use_skill(url, date(2000, 1, 1), "gone")
    monkeypatch.setenv("SKILL_DATABASE_URL", url)
    assert main(["forget-inactive", "--months", "6"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("1 people to forget, not seen since")
    assert out[1].startswith("1 people forgotten, not seen since")
    assert main(["forget-inactive", "--months", "0"]) == 0
    out = capsys.readouterr().out
    assert "--months 0 means never forget" in out
    assert "SKILL_RETENTION_MONTHS" not in out


def test_a_failing_retention_job_does_not_cost_requests_their_saves(tmp_path: Path) -> None:
    """The job shares the worker's store with requests. Its claim waits for a lock another
    connection holds (a backup, an operator's command) and fails slowly: requests go on saving
    at once, as the job's failure says nothing about theirs."""
    url = f"sqlite:///{tmp_path}/p.sqlite3"
    use_skill(url, LAST_MONTH, "anna")
    store = ProgressStore(url, call_timeout_s=0.3, today=lambda: TODAY)
    holder = sqlite3.connect(tmp_path / "p.sqlite3", isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        assert RetentionJob(store, 12).run_due() is False
        holder.execute("ROLLBACK")
        assert store.breaker.closed
        store.save("anna", day=TODAY, holds=1)
        assert store.summary("anna", TODAY).total_holds == 4
    finally:
        holder.close()
        store.close()
