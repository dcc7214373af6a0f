"""Process trees from /proc (Linux): the fault injectors freeze a whole PostgreSQL server and
count a gunicorn worker's threads, and nothing more than this is needed (no psutil)."""

from __future__ import annotations

import contextlib
import os
import signal
from pathlib import Path

PROC = Path("/proc")


def _ppid(pid: int) -> int | None:
    """The parent of `pid`, or None if it is gone. The command name in /proc/PID/stat may hold
    spaces and parentheses, so the fields are read after its last ')'."""
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])


def all_pids() -> list[int]:
    return [int(entry.name) for entry in PROC.iterdir() if entry.name.isdigit()]


def children(pid: int) -> list[int]:
    return [child for child in all_pids() if _ppid(child) == pid]


def descendants(pid: int) -> list[int]:
    """Every process below `pid`, parents before their children."""
    found: list[int] = []
    queue = [pid]
    while queue:
        below = children(queue.pop(0))
        found += below
        queue += below
    return found


def cmdline(pid: int) -> list[str]:
    with contextlib.suppress(OSError):
        raw = (PROC / str(pid) / "cmdline").read_bytes()
        return [part.decode(errors="replace") for part in raw.split(b"\0") if part]
    return []


def find_process(*words: str) -> int | None:
    """The oldest process (lowest pid) whose command line holds every one of `words`."""
    for pid in sorted(all_pids()):
        args = cmdline(pid)
        if args and all(word in args for word in words):
            return pid
    return None


def thread_count(pid: int) -> int:
    """Threads of `pid` now (0 when it is gone)."""
    try:
        return len(list((PROC / str(pid) / "task").iterdir()))
    except OSError:
        return 0


def signal_all(pids: list[int], signum: signal.Signals) -> None:
    """Send `signum` to each pid; ones that already exited are skipped."""
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signum)
