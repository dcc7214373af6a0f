"""The backups in docs/deploy.md, run as written there: people with progress, a backup while the
database is in use, the database wiped, the documented restore, the same progress for everyone.

Only what must differ on a test machine is changed in the documented commands: the paths
(/var/lib and /var/backups go to a temporary folder), the service user (the one running the
tests) and the PostgreSQL URL. `systemctl stop` is closing the store, `systemctl start` is a new
store that, as `serve` does at start, checks the database (and settles owed deletions).
"""

from __future__ import annotations

import contextlib
import grp
import os
import pwd
import re
import shutil
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from skill.store.profile import UserProfile
from skill.store.progress_store import ProgressStore
from tests import pg
from tests.ops_files import DEPLOY_DOC, tool

TODAY = date(2026, 11, 27)
SERVICE_STEPS = ("systemctl stop", "systemctl start", "curl ")  # the test's own steps


def documented(section: str) -> list[list[str]]:
    """The sh code blocks under `### {section}` in the deploy guide's Backups section."""
    text = DEPLOY_DOC.read_text(encoding="utf-8")
    backups = text[text.index("\n## Backups\n") :]
    backups = backups[: backups.index("\n## ", 1)]
    part = backups[backups.index(f"\n### {section}\n") :]
    part = part[: part.find("\n### ", 1)] if "\n### " in part[1:] else part
    return [block.splitlines() for block in re.findall(r"```sh\n(.*?)```", part, re.DOTALL)]


def run_documented(lines: list[str], replace: dict[str, str]) -> str:
    """The block's commands in bash (-e -u: any failing command fails the test), minus the
    service's stop/start, with `replace` applied; stdout."""
    kept = [line for line in lines if not line.startswith(SERVICE_STEPS)]
    script = "\n".join(kept)
    for old in replace:
        assert old in script, f"{old!r} is no longer in the documented commands"
    # one pass, longest first: a replacement is never replaced again
    pattern = re.compile("|".join(map(re.escape, sorted(replace, key=len, reverse=True))))
    script = pattern.sub(lambda found: replace[found.group(0)], script)
    done = subprocess.run(
        ["bash", "-e", "-u", "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, f"{script}\n---\n{done.stdout}\n{done.stderr}"
    return done.stdout


def the_service_user() -> str:
    return f"-o {pwd.getpwuid(os.getuid()).pw_name} -g {grp.getgrgid(os.getgid()).gr_name}"


def record_progress(store: ProgressStore) -> dict[str, tuple[UserProfile, object]]:
    """Three people with a few weeks of progress and a profile each; what the skill would
    read back for them today."""
    people = {f"amzn1.ask.account.BACKUP{n}{uuid.uuid4().hex.upper()}": n for n in range(3)}
    for user, n in people.items():
        for back in range(0, 20, n + 1):
            store.save(user, day=TODAY - timedelta(days=back), holds=3 + n, sessions=1)
        store.save(
            user,
            hold_seconds=30 + 5 * n,
            last_stretch="standing" if n else "seated",
            disclaimer_heard=True,
            resume_point={"stretch": "seated", "set": n + 1, "side": "left"},
            preferences={"pace": "slow"} if n == 2 else None,
        )
    return {user: (store.get_profile(user), store.summary(user, TODAY)) for user in people}


def owed_deletion(store: ProgressStore) -> str:
    """Someone with progress who disabled the skill while the database was down."""
    user = f"amzn1.ask.account.GONE{uuid.uuid4().hex.upper()}"
    store.save(user, day=TODAY, holds=2, sessions=1, last_stretch="seated")
    store.deletions.add(user)
    return user


def assert_restored(
    store: ProgressStore, before: dict[str, tuple[UserProfile, object]], gone: str
) -> None:
    health = store.health()  # `serve` at start: schema checked, owed deletions settled
    assert health["status"] == "ok", health
    assert health["pending_deletions"] == 1  # found at start...
    assert store.deletions.count() == 0  # ...and done
    after = {user: (store.get_profile(user), store.summary(user, TODAY)) for user in before}
    assert after == before
    assert before[next(iter(before))][1].total_holds > 0  # there was progress to lose
    assert store.get_profile(gone) == UserProfile()
    assert store.summary(gone, TODAY).total_holds == 0


BUSY = "amzn1.ask.account.BUSYSTRETCHER"


@contextlib.contextmanager
def busy_person(store: ProgressStore) -> Iterator[list[int]]:
    """Saves a set (3 holds, 1 session) for BUSY over and over from another thread, as the
    server's workers would; yields [sets saved], complete once the block ends. A failed save
    fails the test."""
    stop = threading.Event()
    saved = [0]
    errors: list[BaseException] = []

    def stretch() -> None:
        while not stop.is_set():
            try:
                store.save(BUSY, day=TODAY, holds=3, sessions=1)
            except Exception as exc:  # reported below, in the test's thread
                errors.append(exc)
                return
            saved[0] += 1

    thread = threading.Thread(target=stretch)
    thread.start()
    try:
        while saved[0] == 0 and not errors:  # it is stretching before the backup starts
            time.sleep(0.001)
        yield saved
    finally:
        stop.set()
        thread.join(timeout=10)
    assert errors == []


@pytest.fixture
def layout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """/var/lib/hamstring-coach and /var/backups/hamstring-coach, as the unit sets them up."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "var" / "lib"))  # as the unit does
    state = tmp_path / "var" / "lib" / "hamstring-coach"
    return state, tmp_path / "var" / "backups" / "hamstring-coach"


def test_sqlite_backup_while_serving_and_restore_as_documented(layout: tuple[Path, Path]) -> None:
    tool("sqlite3")
    state, backups = layout
    backup_block, restore_block = documented("SQLite")
    store = ProgressStore()  # the default database: the state directory's SQLite file
    before = record_progress(store)
    gone = owed_deletion(store)
    # In use: the store's connection is open and recent commits are still in the -wal file.
    assert (state / "progress.sqlite3-wal").stat().st_size > 0
    paths = {"/var/lib/hamstring-coach": str(state), "/var/backups/hamstring-coach": str(backups)}
    with busy_person(store) as saved:  # someone stretching while the backup runs
        at_start = saved[0]
        out = run_documented(backup_block, paths)
        during = saved[0] - at_start
    assert out.strip() == "ok"  # PRAGMA integrity_check
    assert during > 0  # the skill's writes went on during the backup (none failed)
    (made,) = backups.iterdir()
    assert sorted(p.name for p in made.iterdir()) == ["pending-deletions.json", "progress.sqlite3"]
    assert oct(made.stat().st_mode & 0o777) == "0o700"  # umask 077: health data

    store.close()  # systemctl stop
    shutil.rmtree(state)  # the disk is lost: a new, empty state directory
    state.mkdir()
    run_documented(
        restore_block,
        {
            "/var/backups/hamstring-coach/20261127-0300": str(made),
            **paths,
            "-o hamstring-coach -g hamstring-coach": the_service_user(),
        },
    )
    assert oct((state / "progress.sqlite3").stat().st_mode & 0o777) == "0o600"
    restored = ProgressStore()  # systemctl start
    assert_restored(restored, before, gone)
    # The busy person's sets are each whole (3 holds, 1 session, one transaction): a copy torn
    # between transactions would break that.
    busy = restored.summary(BUSY, TODAY)
    assert busy.total_sessions >= 1
    assert busy.total_holds == 3 * busy.total_sessions


def test_sqlite_restore_keeps_the_hosts_owed_deletions_and_the_replaced_files(
    layout: tuple[Path, Path],
) -> None:
    """Restoring over a damaged database on the same host: the old files are kept aside, and
    the host's own pending-deletions file (newer than the backup's) wins."""
    tool("sqlite3")
    state, backups = layout
    backup_block, restore_block = documented("SQLite")
    store = ProgressStore()
    before = record_progress(store)
    paths = {"/var/lib/hamstring-coach": str(state), "/var/backups/hamstring-coach": str(backups)}
    run_documented(backup_block, paths)
    (made,) = backups.iterdir()
    assert not (made / "pending-deletions.json").exists()  # no outage before this backup
    gone = owed_deletion(store)  # after the backup: only this host's file knows
    store.close()
    (state / "progress.sqlite3").write_bytes(b"not a database any more")
    run_documented(
        restore_block,
        {
            "/var/backups/hamstring-coach/20261127-0300": str(made),
            **paths,
            "-o hamstring-coach -g hamstring-coach": the_service_user(),
        },
    )
    (replaced,) = state.glob("replaced-*")
    assert (replaced / "progress.sqlite3").read_bytes() == b"not a database any more"
    restored = ProgressStore()
    assert restored.deletions.pending() == [gone]
    assert_restored(restored, before, gone)


@pytest.mark.postgres
def test_postgres_backup_while_serving_and_restore_as_documented(
    layout: tuple[Path, Path], postgres_server_url: str
) -> None:
    tool("pg_dump")
    state, backups = layout
    backup_block, restore_block = documented("PostgreSQL")
    name = f"hc_backup_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(pg.with_driver(postgres_server_url), isolation_level="AUTOCOMMIT")
    url = sa.make_url(postgres_server_url).set(database=name).render_as_string(False)
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"CREATE DATABASE {name}")
        store = ProgressStore(url)  # owed deletions: the state directory, as on a host
        assert store.deletions.path.parent == state
        before = record_progress(store)
        gone = owed_deletion(store)
        paths = {
            "postgresql://coach@db.internal:5432/coach": url,
            "/var/lib/hamstring-coach": str(state),
            "/var/backups/hamstring-coach": str(backups),
        }
        run_documented(backup_block, paths)  # while the store's connections are open
        (made,) = backups.iterdir()
        assert sorted(p.name for p in made.iterdir()) == ["coach.dump", "pending-deletions.json"]

        store.close()  # systemctl stop, on every host
        with admin.connect() as conn:  # the database is lost: a new, empty one
            conn.exec_driver_sql(f"DROP DATABASE {name}")
            conn.exec_driver_sql(f"CREATE DATABASE {name}")
        shutil.rmtree(state)
        replace = {**paths, "/var/backups/hamstring-coach/20261127-0300": str(made)}
        del replace["/var/lib/hamstring-coach"]  # the restore block does not touch it
        run_documented(restore_block, replace)
        # the host keeps or gets back its pending-deletions file (as the guide says)
        state.mkdir()
        shutil.copy2(made / "pending-deletions.json", state / "pending-deletions.json")
        restored = ProgressStore(url)
        assert_restored(restored, before, gone)
        restored.close()
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.dispose()
