"""`doctor --offline` on a healthy install and on broken ones: exit status and advice."""

from __future__ import annotations

import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from skill.store.progress_store import ProgressStore
from skill.store.schema import SCHEMA_VERSION
from tests import pg
from tests.doctor.conftest import SKILL_ID, Doctor, Install, advice, clip_folder, line

ROOT = Path(__file__).resolve().parents[2]


def test_a_healthy_install_passes(install: Install, doctor: Doctor) -> None:
    status, out = doctor("--offline")
    assert status == 0, out
    assert line(out, "configuration").startswith("ok ")
    assert line(out, "skill id") == f"ok    skill id           {SKILL_ID}"
    assert f"schema version {SCHEMA_VERSION}, write probe ok" in line(out, "database")
    assert line(out, "content").startswith("ok ")
    assert line(out, "interaction model").startswith("ok ")
    assert line(out, "audio clips").startswith("ok ")
    assert line(out, "clock (kernel)")[:4] in ("ok  ", "warn")  # this machine's NTP state
    assert line(out, "endpoint").startswith("skip  endpoint           --offline")
    assert "FAIL" not in out
    assert out.rstrip().splitlines()[-1].startswith("0 failed")


def test_missing_skill_id_fails_and_says_where_to_find_it(
    install: Install, doctor: Doctor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SKILL_ID")
    status, out = doctor("--offline")
    assert status == 1
    assert line(out, "skill id").startswith("FAIL  skill id           SKILL_ID is not set")
    assert "Copy Skill ID" in advice(out, "skill id")
    assert line(out, "database").startswith("ok ")  # the rest is still checked


def test_accepting_any_skill_is_a_warning(
    install: Install, doctor: Doctor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SKILL_ID")
    monkeypatch.setenv("SKILL_ACCEPT_ANY_SKILL", "1")
    status, out = doctor("--offline")
    assert status == 0
    assert line(out, "skill id").startswith("warn ")
    assert "remove SKILL_ACCEPT_ANY_SKILL" in advice(out, "skill id")


@pytest.mark.parametrize(
    ("skill_id", "status", "says"),
    [
        ("amzn1.ask.skil.0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b", "FAIL", "does not start with"),
        ("amzn1.ask.skill.0f1e2d3c-4b5a-6978", "warn", "has no UUID"),
    ],
)
def test_a_mistyped_skill_id_is_caught(
    install: Install,
    doctor: Doctor,
    monkeypatch: pytest.MonkeyPatch,
    skill_id: str,
    status: str,
    says: str,
) -> None:
    monkeypatch.setenv("SKILL_ID", skill_id)
    _, out = doctor("--offline")
    assert line(out, "skill id").startswith(status)
    assert says in line(out, "skill id")


def test_an_invalid_setting_fails_with_its_message(
    install: Install, doctor: Doctor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SKILL_AUDIO_BASE_URL", "http://coach.example.org/audio")
    status, out = doctor("--offline")
    assert status == 1
    assert "SKILL_AUDIO_BASE_URL must be an https:// address" in line(out, "configuration")
    assert "Fix that variable" in advice(out, "configuration")


def test_postgres_on_a_closed_port_fails_with_advice(
    install: Install, doctor: Doctor, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("SKILL_DATABASE_URL", f"postgresql://coach:secret@127.0.0.1:{port}/coach")
    status, out = doctor("--offline")
    assert status == 1
    found = line(out, "database")
    assert found.startswith("FAIL ")
    assert f"postgresql+psycopg://coach:***@127.0.0.1:{port}/coach" in found
    assert "Connection refused" in found
    assert "secret" not in out
    assert "psql" in advice(out, "database")


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port whose kernel accepts connections that no program ever answers (a frozen host)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield sock.getsockname()[1]


def test_a_frozen_postgres_fails_within_seconds(
    install: Install, doctor: Doctor, monkeypatch: pytest.MonkeyPatch, silent_port: int
) -> None:
    monkeypatch.setenv("SKILL_DATABASE_URL", f"postgresql://coach@127.0.0.1:{silent_port}/coach")
    started = time.monotonic()
    status, out = doctor("--offline")
    assert time.monotonic() - started < 10
    assert status == 1
    assert line(out, "database").startswith("FAIL ")


def test_sqlite_where_no_folder_can_be_made_fails(
    install: Install, doctor: Doctor, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A file where the folder should be: unwritable even for root (tests may run as root).
    blocker = install.folder / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("SKILL_DATABASE_URL", f"sqlite:///{blocker}/progress.sqlite3")
    status, out = doctor("--offline")
    assert status == 1
    assert f"{blocker} is not a folder" in line(out, "database")
    assert "chown" in advice(out, "database")


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_sqlite_in_a_read_only_folder_fails(
    install: Install, doctor: Doctor, monkeypatch: pytest.MonkeyPatch
) -> None:
    install.database.parent.chmod(0o500)
    try:
        status, out = doctor("--offline")
    finally:
        install.database.parent.chmod(0o700)
    assert status == 1
    assert "is not writable by this user" in line(out, "database")


def test_a_new_install_without_a_database_is_a_warning(
    install: Install, doctor: Doctor, monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh = install.folder / "new" / "progress.sqlite3"
    monkeypatch.setenv("SKILL_DATABASE_URL", f"sqlite:///{fresh}")
    status, out = doctor("--offline")
    assert status == 0
    assert line(out, "database").startswith(f"warn  database           no database yet at {fresh}")
    assert not fresh.parent.exists()  # doctor looks, it does not create


def _set_version(install: Install, version: int) -> None:
    with sqlite3.connect(install.database) as conn:
        conn.execute("DELETE FROM schema_version WHERE version > ?", (version,))
        if version > SCHEMA_VERSION:
            conn.execute("INSERT INTO schema_version VALUES (?, '2030-01-01 00:00:00')", (version,))


def test_an_older_schema_is_a_warning_and_left_alone(install: Install, doctor: Doctor) -> None:
    _set_version(install, SCHEMA_VERSION - 1)
    status, out = doctor("--offline")
    assert status == 0
    assert "serve migrates it at start" in line(out, "database")
    assert "Back the database up" in advice(out, "database")
    with sqlite3.connect(install.database) as conn:  # not migrated by doctor
        assert conn.execute("SELECT max(version) FROM schema_version").fetchone() == (
            SCHEMA_VERSION - 1,
        )


def test_a_newer_schema_fails(install: Install, doctor: Doctor) -> None:
    _set_version(install, SCHEMA_VERSION + 1)
    status, out = doctor("--offline")
    assert status == 1
    assert f"is newer than this code's {SCHEMA_VERSION}" in line(out, "database")


def test_a_broken_content_file_fails_and_names_file_and_key(tmp_path: Path) -> None:
    """A clinic edits its phone numbers in a copy of the project and leaves a digit out."""
    checkout = tmp_path / "checkout"
    junk = shutil.ignore_patterns("__pycache__", "*.mp3", "*.wav", ".tmp*")
    for folder in ("skill", "interaction_model", "audio"):
        shutil.copytree(ROOT / folder, checkout / folder, ignore=junk)
    shutil.copy2(ROOT / "pyproject.toml", checkout / "pyproject.toml")
    clinic = checkout / "skill" / "core" / "content" / "clinic.yaml"
    text = clinic.read_text(encoding="utf-8")
    assert 'dial: "9048587045"' in text
    clinic.write_text(text.replace('dial: "9048587045"', 'dial: "904858704"'), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "SKILL_"))}
    env |= {
        "PYTHONPATH": str(checkout),
        "SKILL_ID": SKILL_ID,
        "SKILL_DATABASE_URL": f"sqlite:///{tmp_path}/progress.sqlite3",
    }
    done = subprocess.run(
        [sys.executable, "-m", "skill.cli", "doctor", "--offline"],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    found = line(done.stdout, "content")
    assert found.startswith("FAIL  content            clinic.yaml: rehab.dial: ")
    assert "Correct clinic.yaml" in advice(done.stdout, "content")
    assert "key rehab.dial" in advice(done.stdout, "content")


def test_served_clips_must_match_the_manifest(
    install: Install, doctor: Doctor, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = clip_folder(install.folder / "audio")
    monkeypatch.setenv("SKILL_AUDIO_DIR", str(folder))
    monkeypatch.setenv("SKILL_AUDIO_BASE_URL", "https://coach.example.org/audio")
    status, out = doctor("--offline")
    assert status == 0
    assert line(out, "audio clips").endswith("1 clips match the manifest")

    (folder / "get-ready.mp3").write_bytes(b"ID3 something else")
    status, out = doctor("--offline")
    assert status == 1
    assert "1 differ from the manifest's SHA-256 (first: get-ready.mp3)" in line(out, "audio clips")
    assert "build-audio" in advice(out, "audio clips")

    (folder / "get-ready.mp3").unlink()
    status, out = doctor("--offline")
    assert "1 missing (first: get-ready.mp3)" in line(out, "audio clips")

    (folder / "manifest.json").unlink()
    status, out = doctor("--offline")
    assert "manifest.json is missing or unreadable" in line(out, "audio clips")


def test_json_output(install: Install, doctor: Doctor, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SKILL_ID")
    status, out = doctor("--offline", "--json")
    assert status == 1
    report = json.loads(out)
    assert report["ok"] is False
    by_name = {c["name"]: c for c in report["checks"]}
    assert by_name["skill id"]["status"] == "FAIL"
    assert "Copy Skill ID" in by_name["skill id"]["advice"]
    assert by_name["database"]["status"] == "ok"


@pytest.mark.postgres
def test_a_healthy_postgres_passes(
    install: Install, doctor: Doctor, monkeypatch: pytest.MonkeyPatch, postgres_server_url: str
) -> None:
    with pg.fresh_schema(postgres_server_url) as url:
        store = ProgressStore(url)
        try:
            assert store.health()["status"] == "ok"
        finally:
            store.close()
        monkeypatch.setenv("SKILL_DATABASE_URL", url)
        status, out = doctor("--offline")
    assert status == 0, out
    assert f"schema version {SCHEMA_VERSION}, write probe ok" in line(out, "database")


def test_the_command_line_loads_no_doctor_clients_until_doctor_runs() -> None:
    """`serve` builds the same parser: its workers must not carry the NTP and HTTP clients."""
    code = (
        "import sys; from skill.cli import build_parser; build_parser(); "
        "print(sorted({'ntplib', 'urllib3', 'skill.doctor.runner'} & set(sys.modules)))"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert done.stdout.strip() == "[]"
