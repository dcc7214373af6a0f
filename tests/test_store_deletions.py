"""Deletions owed to people who disabled the skill while the database was down, and how the
store's logs name people."""

from __future__ import annotations

import json
import logging
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

from skill.store.breaker import Breaker
from skill.store.deletions import PendingDeletions
from skill.store.errors import user_tag
from skill.store.progress_store import ProgressStore
from tests import pg
from tests.stores import WEDNESDAY

# --- deletions owed from an outage ------------------------------------------------------------


def test_a_deletion_refused_by_a_locked_database_is_done_once_it_is_free(
    tmp_path: Path, user: str
) -> None:
    path = tmp_path / "progress.sqlite3"
    s = ProgressStore(f"sqlite:///{path}", breaker=Breaker(0))
    other = "amzn1.ask.account.SOMEONE-ELSE"
    try:
        s.save(user, holds=1, day=WEDNESDAY)
        s.save(other, holds=1, day=WEDNESDAY)
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
    first = ProgressStore(f"sqlite:///{path}", breaker=Breaker(0))
    first.save(user, holds=1, day=WEDNESDAY)
    first.close()
    PendingDeletions(tmp_path / "pending-deletions.json").add(user)  # as a crashed worker left it
    restarted = ProgressStore(f"sqlite:///{path}", breaker=Breaker(0))
    try:
        assert restarted.health()["status"] == "ok"  # the first transaction that works
        assert not (tmp_path / "pending-deletions.json").exists()
        assert restarted.summary(user, WEDNESDAY).total_holds == 0
    finally:
        restarted.close()


def test_a_corrupt_owed_deletions_file_is_kept_aside_and_the_store_works_on(
    tmp_path: Path, user: str, caplog: pytest.LogCaptureFixture
) -> None:
    owed = tmp_path / "pending-deletions.json"
    owed.write_text("{not json")
    s = ProgressStore(f"sqlite:///{tmp_path / 'progress.sqlite3'}", breaker=Breaker(0))
    try:
        with caplog.at_level(logging.ERROR):
            s.save(user, holds=1, day=WEDNESDAY)  # the store works on
        assert s.summary(user, WEDNESDAY).total_holds == 1
        kept = list(tmp_path.glob("pending-deletions.json.corrupt-*"))
        assert [k.read_text() for k in kept] == ["{not json"]  # for the operator to look at
        assert "pending deletions file corrupt" in caplog.text
        assert s.health()["pending_deletions"] == 0  # a fresh queue
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
        s = ProgressStore(via_proxy, pending_deletions=owed, breaker=Breaker(0))
        try:
            proxy.start()
            s.save(user, holds=1, day=WEDNESDAY)
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

    tag = short_user_id(user)
    assert user_tag(user) == tag  # the store's lines and the request lines match
    assert short_user_id(user) == tag  # stable within a run
    assert tag is not None
    assert tag.startswith("u-")
    assert len(tag) == 12
    # keyed (a key made per run): not the plain hash anyone holding the database could compute
    assert tag != "u-" + hashlib.sha256(user.encode()).hexdigest()[:10]
    assert short_user_id(None) is None
    assert short_user_id("") is None


def test_skill_disabled_with_the_database_down_and_a_corrupt_queue_is_still_queued(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Finding 9: the deletion was neither done nor queued (JSONDecodeError). Now the corrupt
    file is kept aside, what can be read of it carried over, and the deletion queued."""
    from skill.config import Config
    from skill.web.app import create_app
    from tests.builders import RequestBuilder

    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the database folder should be: the database is down")
    owed = tmp_path / "pending-deletions.json"
    earlier = "amzn1.ask.account.EARLIER"
    owed.write_text('{"version": 1, "user_ids": ["' + earlier + '", "amzn1.ask.acc')  # cut short
    config = Config(verify_requests=False, database_url=f"sqlite:///{blocker}/db.sqlite3")
    app = create_app(config)
    app.extensions["progress_store"].deletions.path = owed
    builder = RequestBuilder(user_id="amzn1.ask.account.LEAVING")
    with caplog.at_level(logging.ERROR):
        result = app.test_client().post("/alexa", json=builder.skill_event())
    assert result.status_code == 200
    assert json.loads(owed.read_text())["user_ids"] == [earlier, "amzn1.ask.account.LEAVING"]
    kept = list(tmp_path.glob("pending-deletions.json.corrupt-*"))
    assert len(kept) == 1
    assert kept[0].read_text().endswith("amzn1.ask.acc")
    assert "pending deletions file corrupt (JSONDecodeError)" in caplog.text
    assert "1 user ids carried over" in caplog.text


def test_the_owed_deletions_file_is_replaced_whole(tmp_path: Path) -> None:
    """Written to a temporary file, fsynced, renamed: no reader ever sees half a file, and no
    temporary file is left behind."""
    owed = PendingDeletions(tmp_path / "owed.json")
    for n in range(20):
        owed.add(f"amzn1.ask.account.{n}")
    assert owed.pending() == [f"amzn1.ask.account.{n}" for n in range(20)]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["owed.json", "owed.json.lock"]
