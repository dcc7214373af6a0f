"""The store's health probe: can progress be saved now?

A read, or a write that is rolled back, proves little: SQLite reads on while another process
holds the write lock, and a rolled-back write never needs room on the disk. So the probe
commits a real write (this host's row in `health_probe`, migration 4): it fails when the write
lock cannot be had within the deadline, when the file or database is read-only, and when the
server (PostgreSQL) cannot write. SQLite reuses free pages, so a small write can still succeed
on a full disk while someone new's first day (a new page) fails; for SQLite the probe therefore
also checks that the file can grow: pages left under `max_page_count` plus free pages, and the
free space of its file system, at least `MIN_ROOM_BYTES`.
"""

from __future__ import annotations

import os
import socket
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

# /healthz answers within 1 s: the probe's deadline leaves room for the rest of the page
# (and for one probe already running, which a second caller waits for, see ProgressStore.health).
HEALTH_DEADLINE_S = 0.4
# All of one /healthz's store work: the wait for a running probe, or the probe, and then owed
# deletions (outside the probe lock, in what is left of this).
HEALTH_TOTAL_S = 0.8
# A caller that waited HEALTH_DEADLINE_S for a running probe gets the last answer if it is this
# recent, not a 503 for a healthy host.
HEALTH_REUSE_S = 5.0
# Less room than this to grow and progress may not be saved: someone new needs pages.
MIN_ROOM_BYTES = 1 << 20
HOST = socket.gethostname()[:200] or "unknown"


def probe_write(cursor: Any, statements: Any, sqlite_path: Path | None) -> str | None:
    """Write this host's probe row in the caller's transaction; what stops progress being
    saved (None: nothing found)."""
    checked_at = datetime.now(UTC).replace(tzinfo=None)
    statements.health_upsert.run(cursor, {"host": HOST, "checked_at": checked_at})
    if sqlite_path is None:
        return None
    return sqlite_room(cursor, sqlite_path)


def sqlite_room(cursor: Any, path: Path) -> str | None:
    """Why the SQLite file cannot grow by MIN_ROOM_BYTES, or None."""

    def pragma(name: str) -> int:
        return int(cursor.execute(f"PRAGMA {name}").fetchone()[0])

    page_size = pragma("page_size")
    pages_left = pragma("max_page_count") - pragma("page_count") + pragma("freelist_count")
    if pages_left * page_size < MIN_ROOM_BYTES:
        return f"database full: room for {pages_left} more pages of {page_size} bytes"
    stats = os.statvfs(path.parent)
    free = stats.f_bavail * stats.f_frsize
    if free < MIN_ROOM_BYTES:
        return f"disk full: {free} bytes free where the database is"
    return None
