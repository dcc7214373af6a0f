"""Deletions owed to people who disabled the skill while the database was down.

A SkillDisabled event comes once. If the database cannot be reached then, the person's user id
is kept in a small local file (owner-only) until the deletion succeeds; the store retries
after its next successful transaction. Alexa gives a new user id when someone enables the skill
again, so a late deletion never removes a returning person's new progress.

The file is shared by a host's worker processes: every change is a read-modify-write under an
exclusive lock, written to a temporary file and renamed into place.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import threading
from collections.abc import Iterator
from pathlib import Path

log = logging.getLogger(__name__)

FORMAT_VERSION = 1


class PendingDeletions:
    """User ids whose data must still be deleted, kept in `path` across restarts."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self.waiting = False  # this process queued, or found, ids: cheap to check per request
        self.checked = False  # the file has been looked at since this process started

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock_path = self.path.with_name(self.path.name + ".lock")
        with self._lock:
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                yield
            finally:
                os.close(fd)

    def _read(self) -> list[str]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except (OSError, ValueError) as exc:
            log.error("pending deletions file unreadable, left as is: %s", type(exc).__name__)
            raise
        ids = data.get("user_ids") if isinstance(data, dict) else None
        return [i for i in ids if isinstance(i, str) and i] if isinstance(ids, list) else []

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

    def add(self, user_id: str) -> None:
        """Remember that `user_id`'s data must still be deleted (raises OSError if it cannot)."""
        with self._locked():
            user_ids = self._read()
            if user_id not in user_ids:
                self._write([*user_ids, user_id])
        self.waiting = True
        self.checked = True

    def pending(self) -> list[str]:
        """The ids still owed a deletion (and whether any are, in `waiting`)."""
        if not self.path.exists():  # the usual case: no lock file, no folder made for nothing
            self.waiting, self.checked = False, True
            return []
        with self._locked():
            user_ids = self._read()
        self.waiting = bool(user_ids)
        self.checked = True
        return user_ids

    def done(self, user_id: str) -> None:
        with self._locked():
            user_ids = [i for i in self._read() if i != user_id]
            self._write(user_ids)
        self.waiting = bool(user_ids)
