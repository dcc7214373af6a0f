"""Deletions owed to people who disabled the skill while the database was down.

A SkillDisabled event comes once. If the database cannot be reached then, the person's user id
is kept in a small local file (owner-only) until the deletion succeeds; the store retries
after its next successful transaction. Alexa gives a new user id when someone enables the skill
again, so a late deletion never removes a returning person's new progress.

The file is shared by a host's worker processes: every change is a read-modify-write under an
exclusive lock, written to a temporary file, fsynced and renamed into place (the folder fsynced
too), so a crash leaves the old file or the new one. A file that is corrupt all the same (a
disk fault, a hand edit) must not stop a deletion from being queued: it is kept aside under a
`.corrupt-<time>` name for the operator (logged), the user ids that can still be read from it
are carried over, and a fresh queue is started.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
# A JSON string: what can be salvaged from a corrupt file (the ids are its only strings
# besides the key).
_JSON_STRING = re.compile(r'"((?:[^"\\\x00-\x1f]|\\.)*)"')


class PendingDeletions:
    """User ids whose data must still be deleted, kept in `path` across restarts."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self.waiting = False  # this process queued, or found, ids: cheap to check per request
        self.checked = False  # the file has been looked at since this process started

    @contextlib.contextmanager
    def _locked(self, wait: float | None = None) -> Iterator[None]:
        """This process's lock, then the file lock (other processes); `wait`: give up after
        that many seconds with TimeoutError (an OSError) instead of waiting on."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock_path = self.path.with_name(self.path.name + ".lock")
        until = None if wait is None else time.monotonic() + wait
        if not self._lock.acquire(timeout=-1 if wait is None else max(0.0, wait)):
            raise TimeoutError("pending deletions file busy in this process")
        try:
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                self._flock(fd, until)
                yield
            finally:
                os.close(fd)
        finally:
            self._lock.release()

    @staticmethod
    def _flock(fd: int, until: float | None) -> None:
        if until is None:
            fcntl.flock(fd, fcntl.LOCK_EX)
            return
        while True:  # flock has no timeout: poll (it is held for a file rewrite, ~ms)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() >= until:
                    raise TimeoutError("pending deletions file busy in another process") from None
                time.sleep(0.005)

    def _read(self) -> list[str]:
        """The ids in the file (under the lock). OSError if it cannot be read; a corrupt one
        is kept aside and what can be read of it returned."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return []
        try:
            data = json.loads(raw.decode("utf-8"))
            ids = data["user_ids"]
            if not isinstance(ids, list):
                raise TypeError("user_ids is not a list")
        except (ValueError, TypeError, KeyError, RecursionError) as exc:
            return self._set_aside(raw, exc)
        return [i for i in ids if isinstance(i, str) and i]

    def _set_aside(self, raw: bytes, problem: BaseException) -> list[str]:
        """Rename the corrupt file for the operator; the user ids still readable in it."""
        kept = self.path.with_name(f"{self.path.name}.corrupt-{time.time_ns()}")
        os.replace(self.path, kept)
        salvaged = []
        for match in _JSON_STRING.finditer(raw.decode("utf-8", "replace")):
            with contextlib.suppress(ValueError):
                text = json.loads(f'"{match.group(1)}"')
                if text and text not in ("user_ids", "version") and text not in salvaged:
                    salvaged.append(text)
        log.error(
            "pending deletions file corrupt (%s): kept as %s, %d user ids carried over",
            type(problem).__name__,
            kept.name,
            len(salvaged),
        )
        if salvaged:
            self._write(salvaged)
        return salvaged

    def _write(self, user_ids: list[str]) -> None:
        if not user_ids:
            self.path.unlink(missing_ok=True)
            return
        temporary = self.path.with_name(self.path.name + f".{os.getpid()}.tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump({"version": FORMAT_VERSION, "user_ids": user_ids}, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.path)
        folder = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)  # the rename itself survives a crash
        finally:
            os.close(folder)

    def add(self, user_id: str) -> None:
        """Remember that `user_id`'s data must still be deleted (raises OSError if it cannot)."""
        with self._locked():
            user_ids = self._read()
            if user_id not in user_ids:
                self._write([*user_ids, user_id])
        self.waiting = True
        self.checked = True

    def pending(self, wait: float | None = None) -> list[str]:
        """The ids still owed a deletion (and whether any are, in `waiting`); `wait`: see
        `_locked`."""
        if not self.path.exists():  # the usual case: no lock file, no folder made for nothing
            self.waiting, self.checked = False, True
            return []
        with self._locked(wait):
            user_ids = self._read()
        self.waiting = bool(user_ids)
        self.checked = True
        return user_ids

    def count(self) -> int:
        """How many ids are owed, without the file lock (a /healthz must not queue behind a
        slow writer): `_write` replaces the file whole, so an unlocked read sees a whole one.
        OSError or ValueError if it cannot be read; a corrupt file is left for `pending`."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return 0
        data = json.loads(raw.decode("utf-8"))
        ids = data.get("user_ids") if isinstance(data, dict) else None
        if not isinstance(ids, list):
            raise ValueError("pending deletions file corrupt")
        return len(ids)

    def done(self, user_id: str) -> None:
        with self._locked():
            user_ids = [i for i in self._read() if i != user_id]
            self._write(user_ids)
        self.waiting = bool(user_ids)
