"""Operator contracts: the README's commands, CI, and `serve` on a real port."""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from skill.cli import is_loopback, main
from tests.builders import RequestBuilder

ROOT = Path(__file__).resolve().parent.parent


def readme_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", quick)


def test_readme_quick_start_is_two_commands_and_ci_runs_the_test_one() -> None:
    commands = readme_commands()
    assert len(commands) == 2
    assert "serve --dev" in commands[0]
    assert "pytest" in commands[1]
    ci = (ROOT / ".ci" / "run").read_text()
    assert commands[1] in ci.splitlines()


def test_no_registry_host_names_in_the_project() -> None:
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    pattern = re.compile(r"pypi\.org|files\.pythonhosted|registry\.npmjs|deb\.debian\.org")
    for name in tracked:
        path = ROOT / name
        if path.is_file() and path.stat().st_size < 1_000_000:
            assert not pattern.search(path.read_text(errors="ignore")), name


def test_loopback_detection() -> None:
    for host in ("127.0.0.1", "127.8.0.1", "::1", "localhost"):
        assert is_loopback(host)
    for host in ("0.0.0.0", "10.0.0.1", "example.org", "::"):
        assert not is_loopback(host)


def test_dev_refuses_a_public_host(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--dev", "--host", "0.0.0.0"]) == 2
    assert "loopback" in capsys.readouterr().err


def test_check_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    assert "content ok" in out
    assert "interaction model ok" in out


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Served:
    """A `hamstring-coach serve` subprocess; stdout/stderr are filled in once it has stopped."""

    port: int
    proc: subprocess.Popen[str]
    stdout: str = ""
    stderr: str = ""


@contextlib.contextmanager
def serve(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> Iterator[Served]:
    """Run `serve` on a free loopback port with `args`; `env` replaces os.environ entirely."""
    port = free_port()
    base = dict(os.environ if env is None else env)
    base.setdefault("SKILL_DATABASE_URL", f"sqlite:///{tmp_path}/progress.db")
    proc = subprocess.Popen(
        [sys.executable, "-m", "skill.cli", "serve", "--port", str(port), "--workers", "1", *args],
        cwd=ROOT,
        env=base,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    served = Served(port, proc)
    try:
        yield served
    finally:
        proc.terminate()
        try:
            served.stdout, served.stderr = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            served.stdout, served.stderr = proc.communicate()


@pytest.fixture
def dev_server(tmp_path: Path) -> Iterator[tuple[int, subprocess.Popen[str]]]:
    with serve(tmp_path, "--dev") as served:
        yield served.port, served.proc


def wait_for(url: str, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1)
    raise AssertionError(f"{url} did not come up")


def test_serve_dev_answers_a_launch_request(dev_server: tuple[int, subprocess.Popen[str]]) -> None:
    port, _proc = dev_server
    wait_for(f"http://127.0.0.1:{port}/healthz", time.monotonic() + 20)
    body = json.dumps(RequestBuilder().launch()).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/alexa", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.status == 200
        payload = json.loads(response.read())
    assert "Welcome to Hamstring Coach" in payload["response"]["outputSpeech"]["ssml"]
    bad = urllib.request.Request(
        f"http://127.0.0.1:{port}/alexa", data=b"{", headers={"Content-Type": "application/json"}
    )
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(bad, timeout=5)
    assert info.value.code == 400
    info.value.close()


def test_serve_without_dev_and_skill_id_refuses_to_start(tmp_path: Path) -> None:
    """Production with SKILL_ID unset and no SKILL_ACCEPT_ANY_SKILL: exit 2, one line."""
    env = {k: v for k, v in os.environ.items() if k not in ("SKILL_ID", "SKILL_ACCEPT_ANY_SKILL")}
    with serve(tmp_path, env=env) as served:
        served.proc.wait(timeout=30)
    assert served.proc.returncode == 2
    assert served.stderr.startswith("error: SKILL_ID is not set")
    assert "SKILL_ACCEPT_ANY_SKILL=1" in served.stderr


def test_serve_accepting_any_skill_verifies_and_warns(tmp_path: Path) -> None:
    """Production with SKILL_ID unset but SKILL_ACCEPT_ANY_SKILL=1: starts, warns loudly,
    still refuses unsigned requests."""
    env = {key: value for key, value in os.environ.items() if key != "SKILL_ID"}
    env["SKILL_ACCEPT_ANY_SKILL"] = "1"
    with serve(tmp_path, env=env) as served:
        base = f"http://127.0.0.1:{served.port}"
        wait_for(f"{base}/healthz", time.monotonic() + 20)
        with urllib.request.urlopen(f"{base}/healthz", timeout=5) as response:
            health = json.loads(response.read())
        unsigned = urllib.request.Request(
            f"{base}/alexa",
            data=json.dumps(RequestBuilder().launch()).encode(),
            headers={"Content-Type": "application/json"},
        )
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(unsigned, timeout=5)
        status, error = info.value.code, json.loads(info.value.read())["error"]
        info.value.close()
    assert health["verification"] == "on"
    assert health["skill_id"] == "any (SKILL_ACCEPT_ANY_SKILL)"
    assert any("SKILL_ACCEPT_ANY_SKILL is on" in warning for warning in health["warnings"])
    assert status == 400
    assert "missing SignatureCertChainUrl" in error
    assert "WARNING: SKILL_ID is not set and SKILL_ACCEPT_ANY_SKILL is on" in served.stderr
    assert "!!!!!!!!" in served.stderr  # the banner, not just a log line
    assert "DEV MODE" not in served.stderr


def test_gunicorn_builds_no_access_line_next_to_ours() -> None:
    """Our endpoint logs each request; gunicorn would build its own access line's fields on
    every request too (and then drop the line), because serve gives it a logging config."""
    from unittest import mock

    from gunicorn.config import Config as GunicornConfig
    from gunicorn.glogging import Logger

    from skill.web.server import NoAccessLogger, gunicorn_options

    cfg = GunicornConfig()
    for key, value in gunicorn_options(
        host="127.0.0.1", port=8000, workers=1, log_level="INFO"
    ).items():
        cfg.set(key, value)
    assert cfg.logger_class is NoAccessLogger
    with mock.patch.object(Logger, "atoms", return_value={}) as atoms:
        cfg.logger_class(cfg).access(None, None, {}, None)
        assert atoms.call_count == 0
        Logger(cfg).access(mock.Mock(), mock.Mock(), {}, mock.Mock())
        assert atoms.call_count == 1


def test_the_app_starts_without_importing_requests_or_audio_tools() -> None:
    """requests is needed only to download a certificate chain or to reach a proxied Alexa
    API; numpy and gTTS only to build audio. None of them belongs in a worker's start-up."""
    code = (
        "import sys, skill.web.app; "
        "print(sorted({'requests', 'numpy', 'gtts'} & {m.split('.')[0] for m in sys.modules}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_serve_migrates_the_database_before_it_takes_requests(tmp_path: Path) -> None:
    """An upgrade meets a database from the first release: `serve` brings the schema up to date
    at start (a large migration must not run inside somebody's request), says so in its log,
    and the person's progress is still there."""
    import sqlalchemy as sa

    from skill.store.schema import SCHEMA_VERSION, migration_1

    database = tmp_path / "progress.db"
    engine = sa.create_engine(f"sqlite:///{database}", poolclass=sa.NullPool)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE schema_version (version INTEGER NOT NULL PRIMARY KEY,"
            " applied_at TIMESTAMP NOT NULL)"
        )
        migration_1(conn)
        conn.exec_driver_sql("INSERT INTO schema_version VALUES (1, CURRENT_TIMESTAMP)")
        conn.exec_driver_sql(
            "INSERT INTO daily_progress VALUES ('amzn1.ask.account.TESTUSER', '2026-11-20', 6, 1)"
        )
    engine.dispose()
    with serve(tmp_path, "--dev") as served:
        wait_for(f"http://127.0.0.1:{served.port}/healthz", time.monotonic() + 20)
    lines = [json.loads(line) for line in served.stderr.splitlines() if line.startswith("{")]
    messages = [line["msg"] for line in lines]
    started = messages.index("serving Hamstring Coach")
    migrated = [
        i
        for i, message in enumerate(messages)
        if message.startswith("progress store schema migrated to")
    ]
    assert migrated
    assert max(migrated) < started  # before the server listens, not inside a request
    assert lines[started]["database"] == f"sqlite: schema version {SCHEMA_VERSION}"
    engine = sa.create_engine(f"sqlite:///{database}", poolclass=sa.NullPool)
    with engine.connect() as conn:
        kept = conn.exec_driver_sql("SELECT holds, sessions FROM daily_progress").all()
    engine.dispose()
    assert kept == [(6, 1)]
