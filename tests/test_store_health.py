"""The store's health probe (/healthz's database part): a real write, a check that the SQLite
file can grow, within its deadline, one probe at a time."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from skill.store import health
from skill.store.progress_store import ProgressStore


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Any:
    store = ProgressStore(f"sqlite:///{tmp_path / 'progress.sqlite3'}")
    yield store
    store.close()


def test_a_disk_without_room_is_reported(
    sqlite_store: ProgressStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite reuses free pages, so the write alone can pass on a full disk: the file system's
    free space is checked too (statvfs; faked here, a full file system cannot be made in the
    suite)."""
    assert sqlite_store.health()["status"] == "ok"
    real = os.statvfs

    def full(path: Any) -> Any:
        found = real(path)
        return os.statvfs_result((*found[:4], 10, *found[5:]))  # 10 blocks available

    monkeypatch.setattr(health.os, "statvfs", full)
    sqlite_store._last_health = None
    reported = sqlite_store.health()
    assert reported["status"] == "degraded"
    assert reported["detail"].startswith("disk full:")


def test_concurrent_checks_share_one_probe(
    sqlite_store: ProgressStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    probes: list[float] = []
    real = sqlite_store._probe

    def slow_probe() -> dict[str, Any]:
        probes.append(time.monotonic())
        time.sleep(0.2)
        return real()

    monkeypatch.setattr(sqlite_store, "_probe", slow_probe)
    answers: list[dict[str, Any]] = []
    callers = [
        threading.Thread(target=lambda: answers.append(sqlite_store.health())) for _ in range(4)
    ]
    started = time.monotonic()
    for caller in callers:
        caller.start()
    for caller in callers:
        caller.join()
    assert time.monotonic() - started < health.HEALTH_DEADLINE_S * 2 + 0.2
    assert len(probes) == 1
    assert [a["status"] for a in answers] == ["ok"] * 4
