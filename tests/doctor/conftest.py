"""An install as an operator has it: settings in the environment, a database the real store
created, and `hamstring-coach doctor` run through the real command line."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from skill.cli import main
from skill.store.progress_store import ProgressStore
from skill.voice.manifest import ClipEntry, Manifest

SKILL_ID = "amzn1.ask.skill.0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"


@dataclass
class Install:
    folder: Path
    database: Path

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.database}"


@pytest.fixture
def install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Install:
    """A healthy local install: SKILL_ID set, a SQLite file at the current schema."""
    for name in list(os.environ):
        if name.startswith("SKILL_"):
            monkeypatch.delenv(name)
    found = Install(tmp_path, tmp_path / "data" / "progress.sqlite3")
    monkeypatch.setenv("SKILL_ID", SKILL_ID)
    monkeypatch.setenv("SKILL_DATABASE_URL", found.database_url)
    store = ProgressStore(found.database_url)
    try:
        assert store.health()["status"] == "ok"  # creates the file and the schema, as serve does
    finally:
        store.close()
    return found


Doctor = Callable[..., tuple[int, str]]


@pytest.fixture
def doctor(capsys: pytest.CaptureFixture[str]) -> Doctor:
    """Run `hamstring-coach doctor ARGS`: (exit status, what it printed)."""

    def run(*args: str) -> tuple[int, str]:
        status = main(["doctor", *args])
        return status, capsys.readouterr().out

    return run


def line(out: str, name: str) -> str:
    """The report line of one check (status, name, detail)."""
    for text in out.splitlines():
        if text[6:].startswith(name + " "):
            return text
    raise AssertionError(f"no {name!r} line in:\n{out}")


def advice(out: str, name: str) -> str:
    """The "What to do" line of one check."""
    for text in out.split("What to do:", 1)[-1].splitlines():
        if text.startswith(f"- {name} ("):
            return text
    raise AssertionError(f"no advice for {name!r} in:\n{out}")


def clip_folder(folder: Path, data: bytes = b"ID3" + bytes(range(256)) * 4) -> Path:
    """An audio folder as build-audio leaves it: one clip and a manifest with its hash."""
    folder.mkdir()
    (folder / "get-ready.mp3").write_bytes(data)
    manifest = Manifest(folder)
    manifest.clips["get-ready"] = ClipEntry(
        id="get-ready",
        file="get-ready.mp3",
        text="Three. Two. One.",
        engine="espeak",
        engine_note="",
        duration_ms=3048,
        cue_offsets_ms=[0, 1000, 2000],
        sha256=hashlib.sha256(data).hexdigest(),
        key="k",
        kind="count",
    )
    manifest.save()
    return folder
