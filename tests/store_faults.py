"""Faults a database can have, made for real, and a timed conversation through the endpoint.

- frozen PostgreSQL: its postmaster and every backend SIGSTOPped (the kernel still accepts
  TCP connections and acknowledges data; nothing answers);
- a held SQLite write lock: another connection in BEGIN IMMEDIATE;
- a full disk: SQLite's `max_page_count` set to the pages the file has, so a write that needs
  a new page gets SQLITE_FULL while reads and in-place updates still work (as on a full disk,
  where SQLite reuses free pages).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import sqlalchemy as sa
from flask.testing import FlaskClient

from skill.store.progress_store import ProgressStore
from tests import pg
from tests.builders import RequestBuilder
from tests.conversation import Conversation, Reply

SEATED = ("seated hamstring stretch", "seated")
FILLER = ".disk-full-filler"


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        with contextlib.suppress(OSError):
            stat = Path(f"/proc/{entry}/stat").read_text()
            # comm may hold spaces: the fields after the last ')' are fixed
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
    return found


def server_pids(url: str) -> list[int]:
    """The postmaster of the server at `url` and all its children (it must run here)."""
    with psycopg.connect(**pg.psycopg_conninfo(url)) as conn:
        backend = conn.execute("SELECT pg_backend_pid()").fetchone()[0]  # type: ignore[index]
    stat = Path(f"/proc/{backend}/stat").read_text()
    postmaster = int(stat.rsplit(")", 1)[1].split()[1])
    return [postmaster, *_children(postmaster)]


@contextlib.contextmanager
def frozen_postgres(url: str) -> Iterator[None]:
    """SIGSTOP the whole server (postmaster and backends), SIGCONT it afterwards."""
    pids = server_pids(url)
    try:
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):  # a backend that just ended
                os.kill(pid, signal.SIGSTOP)
        yield
    finally:
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)


@contextlib.contextmanager
def sqlite_write_lock(path: Path) -> Iterator[None]:
    """Another process's writer: holds SQLite's write lock until the block ends."""
    locker = sqlite3.connect(path, isolation_level=None)
    try:
        locker.execute("BEGIN IMMEDIATE")
        yield
        locker.execute("ROLLBACK")
    finally:
        locker.close()


@contextlib.contextmanager
def sqlite_disk_full(store: ProgressStore, path: Path) -> Iterator[None]:
    """The file cannot grow and its pages are full: what a full disk does to SQLite. Every
    connection the store opens meanwhile gets `max_page_count` (a per-connection limit) at
    the file's size; a filler table takes the room left in its pages first, so any write
    that needs room fails with SQLITE_FULL, while reads and some in-place updates still work
    (as on a real full disk, where SQLite reuses the space it has)."""
    filler = sqlite3.connect(path, isolation_level=None)
    try:
        pages = filler.execute("PRAGMA page_count").fetchone()[0]
        filler.execute("CREATE TABLE IF NOT EXISTS filler (x BLOB)")
        pages = max(pages, filler.execute("PRAGMA page_count").fetchone()[0])
        filler.execute(f"PRAGMA max_page_count = {pages}")
        for size in (2000, 400, 80, 16, 1):
            with contextlib.suppress(sqlite3.OperationalError):
                for _ in range(100_000):
                    filler.execute("INSERT INTO filler VALUES (randomblob(?))", (size,))
        # The store's own tables too: someone new then needs a page, as on a full disk.
        for sql in (
            "INSERT INTO profiles (user_id) VALUES (?)",
            "INSERT INTO daily_progress (user_id, day) VALUES (?, '2024-01-01')",
        ):
            with contextlib.suppress(sqlite3.OperationalError):
                for _ in range(100_000):
                    filler.execute(sql, (f"amzn1.ask.account.{uuid.uuid4().hex}{FILLER}",))
    finally:
        filler.close()

    def limit(dbapi_conn: object, _record: object) -> None:
        dbapi_conn.execute(f"PRAGMA max_page_count = {pages}")  # type: ignore[attr-defined]

    engine = store._connections.engine
    sa.event.listen(engine, "connect", limit)
    store.close()  # the connections it has were opened without the limit
    try:
        yield
    finally:
        sa.event.remove(engine, "connect", limit)
        store.close()
        with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as cleaner:
            for table in ("profiles", "daily_progress"):
                cleaner.execute(f"DELETE FROM {table} WHERE user_id LIKE '%{FILLER}'")
            cleaner.execute("DROP TABLE filler")


@dataclass
class Timings:
    """Wall time of each request, in seconds."""

    seconds: list[float] = field(default_factory=list)

    @property
    def max(self) -> float:
        return max(self.seconds, default=0.0)

    def p(self, q: float) -> float:
        ordered = sorted(self.seconds)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


class TimedConversation(Conversation):
    """A Conversation that times every request."""

    def __init__(self, client: FlaskClient, builder: RequestBuilder) -> None:
        super().__init__(client, builder)
        self.timings = Timings()

    def post(self, envelope: dict[str, Any]) -> Reply:
        started = time.perf_counter()
        try:
            return super().post(envelope)
        finally:
            self.timings.seconds.append(time.perf_counter() - started)


def stretch_once(talk: Conversation) -> int:
    """Launch, start the seated stretch, say ready after each set, no to the summary: the
    number of requests sent."""
    before = len(talk.replies)
    talk.launch()
    reply = talk.say("StartStretchIntent", Stretch=SEATED)
    for _ in range(10):
        if "You've finished" in reply.text:
            break
        reply = talk.say("AMAZON.NextIntent")
    assert "You've finished" in reply.text, reply.text
    talk.say("AMAZON.NoIntent")
    return len(talk.replies) - before


def new_talk(client: FlaskClient, user_id: str) -> TimedConversation:
    return TimedConversation(client, RequestBuilder(user_id=user_id))
