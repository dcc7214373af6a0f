"""What a fault is, and the three that take the database away: a frozen PostgreSQL server, a
held SQLite write lock, a full disk.

A fault prepares what it needs (before the server starts), says how the server is set up,
starts and stops (the fault window), and may add its own load to the server in the window.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import sqlite3
import subprocess
import threading
from pathlib import Path

import sqlalchemy as sa

from tests import pg
from tests.chaos import procs
from tests.chaos.child import ServerSpec
from tests.chaos.person import Recorder, Signer, Stage


class FaultUnavailable(Exception):
    """This machine cannot stage the fault (no PostgreSQL, no mount): the reason says why."""


class Fault:
    """The defaults: SQLite in the work dir, `--dev`, the working Settings API, no extra load."""

    name = "no fault"
    postgres = False  # needs PostgreSQL binaries (the suite skips, or fails under CI=true)
    saves_blocked = False  # progress cannot be saved in the window: /healthz must say 503

    def prepare(self, workdir: Path, stack: contextlib.ExitStack) -> None:
        """Set up what must exist before the server starts; undo it through `stack`."""
        self.workdir = workdir

    def database_url(self) -> str:
        return f"sqlite:///{self.workdir / 'progress.sqlite3'}"

    def server_spec(self, port: int) -> ServerSpec:
        return ServerSpec(port=port, database_url=self.database_url())

    def api_endpoint(self) -> str | None:
        """The Settings API the devices name in the window (None: the working one)."""
        return None

    def signer(self) -> Signer | None:
        """How requests are signed (None: `--dev`, unsigned)."""
        return None

    def start(self) -> None:
        """Open the fault window."""

    def stop(self) -> None:
        """Close it: the dependency is back."""

    def load(self, base_url: str, stage: Stage, recorder: Recorder) -> list[threading.Thread]:
        """Extra traffic in the window besides the people (started and joined by the caller)."""
        return []


class HeldSqliteLock(Fault):
    """Another process holds SQLite's write lock (BEGIN EXCLUSIVE) for the whole window."""

    name = "held SQLite lock"
    saves_blocked = True

    def start(self) -> None:
        self._db = sqlite3.connect(
            self.workdir / "progress.sqlite3", isolation_level=None, timeout=10
        )
        self._db.execute("BEGIN EXCLUSIVE")

    def stop(self) -> None:
        self._db.execute("ROLLBACK")
        self._db.close()


class FullDisk(Fault):
    """The database's file system is full: a small tmpfs holds the database, and in the window a
    filler file takes every free byte (removed after). SQLite's `max_page_count` cannot stand in
    for this: it is a per-connection setting, so another process cannot set it for the server's
    connections, and it would not fail the journal or WAL writes a full disk fails."""

    name = "full disk"
    saves_blocked = True
    SIZE = "8m"

    def prepare(self, workdir: Path, stack: contextlib.ExitStack) -> None:
        super().prepare(workdir, stack)
        self.disk = workdir / "disk"
        self.disk.mkdir()
        mounted = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={self.SIZE}", "tmpfs", str(self.disk)],
            capture_output=True,
            text=True,
            check=False,
        )
        if mounted.returncode != 0:
            raise FaultUnavailable(
                "cannot mount a small tmpfs for the database (needs root with CAP_SYS_ADMIN): "
                + (mounted.stderr.strip() or f"mount exited {mounted.returncode}")
            )
        stack.callback(subprocess.run, ["umount", "-l", str(self.disk)], check=False)

    def database_url(self) -> str:
        return f"sqlite:///{self.disk / 'progress.sqlite3'}"

    def start(self) -> None:
        self.filler = self.disk / "filler"
        fd = os.open(self.filler, os.O_WRONLY | os.O_CREAT, 0o600)
        chunk = b"\0" * 65536
        try:
            while True:
                try:
                    os.write(fd, chunk)
                except OSError as exc:
                    if exc.errno != errno.ENOSPC:
                        raise
                    if len(chunk) == 1:
                        break
                    chunk = chunk[: len(chunk) // 2]  # the last free bytes too
        finally:
            os.close(fd)

    def stop(self) -> None:
        self.filler.unlink()


class FrozenPostgres(Fault):
    """A throwaway PostgreSQL server (tests/pg.py) is frozen, not down: SIGSTOP to its
    postmaster and every backend, SIGCONT after. Connections are accepted by the kernel and
    then nothing answers, as when the database host hangs."""

    name = "frozen PostgreSQL"
    saves_blocked = True
    postgres = True

    def prepare(self, workdir: Path, stack: contextlib.ExitStack) -> None:
        super().prepare(workdir, stack)
        bindir = pg.find_pg_bindir()
        if bindir is None:
            raise FaultUnavailable(
                "no PostgreSQL binaries (apt-get install postgresql): a frozen server needs a "
                "local one to SIGSTOP"
            )
        self.url = stack.enter_context(pg.throwaway_server(bindir))
        port = sa.make_url(self.url).port
        postmaster = procs.find_process("-p", str(port))
        if postmaster is None:
            raise FaultUnavailable(f"cannot find the PostgreSQL server on port {port}")
        self.postmaster = postmaster

    def database_url(self) -> str:
        return self.url

    def server_processes(self) -> list[int]:
        """The postmaster first (so it forks no new backend), then everything below it."""
        return [self.postmaster, *procs.descendants(self.postmaster)]

    def start(self) -> None:
        self.frozen = self.server_processes()
        procs.signal_all(self.frozen, signal.SIGSTOP)
        # a backend forked between the scan and the stop is caught by a second look
        procs.signal_all(self.server_processes(), signal.SIGSTOP)

    def stop(self) -> None:
        procs.signal_all(self.server_processes(), signal.SIGCONT)
