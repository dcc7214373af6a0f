"""The command line's rough edges: a busy port, help with defaults."""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from skill.cli import build_parser, main, port_problem
from skill.config import Config

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A loopback port some other process is listening on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def test_serve_on_a_busy_port_says_so_in_one_line_before_gunicorn_starts(
    busy_port: int, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def run_server(*args: object, **kwargs: object) -> int:
        raise AssertionError("gunicorn must not start")

    monkeypatch.setattr("skill.web.server.run_server", run_server)
    assert main(["serve", "--dev", "--port", str(busy_port)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"error: port {busy_port} on 127.0.0.1 is already in use (another `hamstring-coach "
        f"serve`?); stop that process or choose another port with --port.\n"
    )


def test_serve_on_a_busy_port_from_the_shell(busy_port: int, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "SKILL_DATABASE_URL": f"sqlite:///{tmp_path}/p.db",
        "SKILL_ID": "amzn1.ask.skill.test",
    }
    result = subprocess.run(
        [sys.executable, "-m", "skill.cli", "serve", "--port", str(busy_port)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1  # not gunicorn's five JSON lines of retries
    assert lines[0].startswith(f"error: port {busy_port} on 127.0.0.1 is already in use")


@pytest.fixture
def no_skill_id(monkeypatch: pytest.MonkeyPatch) -> list[Config]:
    """SKILL_ID and SKILL_ACCEPT_ANY_SKILL unset; the configs run_server was called with."""
    monkeypatch.delenv("SKILL_ID", raising=False)
    monkeypatch.delenv("SKILL_ACCEPT_ANY_SKILL", raising=False)
    started: list[Config] = []

    def run_server(config: Config, **kwargs: object) -> int:
        started.append(config)
        return 0

    monkeypatch.setattr("skill.web.server.run_server", run_server)
    return started


def test_production_without_skill_id_refuses_to_start(
    no_skill_id: list[Config], capsys: pytest.CaptureFixture[str]
) -> None:
    """Amazon requires the skill id check; a missing SKILL_ID is an error, not a warning."""
    assert main(["serve", "--port", "1"]) == 2  # refused before the port is even looked at
    assert no_skill_id == []
    err = capsys.readouterr().err
    assert err.startswith("error: SKILL_ID is not set")
    for says in ("amzn1.ask.skill.", "Copy Skill ID", "Endpoint page", "SKILL_ACCEPT_ANY_SKILL=1"):
        assert says in err
    assert "--accept-any-skill" in err
    assert len(err.splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "env"),
    [(["--accept-any-skill"], None), ([], "1"), ([], "yes")],
)
def test_accepting_any_skill_must_be_asked_for_and_is_announced(
    no_skill_id: list[Config],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    env: str | None,
) -> None:
    if env is not None:
        monkeypatch.setenv("SKILL_ACCEPT_ANY_SKILL", env)
    assert main(["serve", *args]) == 0
    [config] = no_skill_id
    assert config.skill_id_status == "any (SKILL_ACCEPT_ANY_SKILL)"
    err = capsys.readouterr().err
    assert "WARNING: SKILL_ID is not set and SKILL_ACCEPT_ANY_SKILL is on" in err


def test_dev_needs_no_skill_id(
    no_skill_id: list[Config], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", "--dev"]) == 0
    [config] = no_skill_id
    assert config.verify_requests is False
    assert "DEV MODE" in capsys.readouterr().err


def test_a_bad_accept_any_skill_value_is_refused(
    no_skill_id: list[Config], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SKILL_ACCEPT_ANY_SKILL", "maybe")
    assert main(["serve"]) == 2
    assert capsys.readouterr().err.startswith("error: SKILL_ACCEPT_ANY_SKILL must be 1 or 0")


def test_serve_accepting_any_skill_logs_it_at_start(tmp_path: Path) -> None:
    """The real server: starts without SKILL_ID when asked to, and its log says so."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k not in ("SKILL_ID", "SKILL_ACCEPT_ANY_SKILL")}
    env["SKILL_DATABASE_URL"] = f"sqlite:///{tmp_path}/p.db"
    command = [sys.executable, "-m", "skill.cli", "serve", "--port", str(port), "--workers", "1"]
    proc = subprocess.Popen(
        [*command, "--accept-any-skill"], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                    break
            except OSError:
                assert proc.poll() is None
                assert time.monotonic() < deadline
                time.sleep(0.1)
    finally:
        proc.terminate()
        stderr = proc.communicate(timeout=15)[1]
    records = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    [serving] = [r for r in records if r["msg"] == "serving Hamstring Coach"]
    assert serving["skill_id"] == "any (SKILL_ACCEPT_ANY_SKILL)"
    warnings = [r["msg"] for r in records if r["level"] == "warning"]
    assert any(
        w.startswith("SKILL_ID is not set and SKILL_ACCEPT_ANY_SKILL is on") for w in warnings
    )


def test_port_problem_for_a_free_port_and_an_unknown_host() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        free = sock.getsockname()[1]
    assert port_problem("127.0.0.1", free) is None
    problem = port_problem("no-such-host.invalid", free)
    assert problem is not None
    assert problem.startswith("cannot listen on no-such-host.invalid port")


@pytest.mark.parametrize("value", ["0", "65536", "http"])
def test_serve_rejects_a_port_that_is_not_one(
    value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        main(["serve", "--port", value])
    assert info.value.code == 2
    assert "argument --port" in capsys.readouterr().err


def _subcommand(name: str) -> argparse.ArgumentParser:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return sub.choices[name]


@pytest.mark.parametrize("name", ["serve", "chat", "say"])
def test_every_option_has_help_and_shows_its_default(name: str) -> None:
    command = _subcommand(name)
    text = command.format_help()
    assert command.description
    for action in command._actions:
        assert action.help, f"{name} {action.option_strings or action.dest} has no help"
        if action.default not in (None, False, [], argparse.SUPPRESS):
            assert f"(default: {action.default})" in " ".join(text.split()), action.dest


def test_serve_help_names_its_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    for default in ("(default: 127.0.0.1)", "(default: 8000)", "(default: 2)"):
        assert default in help_text
    assert "request verification off" in help_text


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("{not json", "JSONDecodeError"),
        ('{"interactionModel": {}}', "KeyError"),
        (
            '{"interactionModel": {"languageModel": {"invocationName": "x", "intents": []}}}',
            "lacks intents the skill handles: ",
        ),
    ],
)
def test_check_reports_a_broken_interaction_model_in_one_line(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    text: str,
    says: str,
) -> None:
    broken = tmp_path / "en-US.json"
    broken.write_text(text)
    monkeypatch.setattr("skill.resources.interaction_model_path", lambda locale: broken)
    assert main(["check"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("interaction model error: ")
    assert says in err
    assert len(err.splitlines()) == 1
