"""The systemd unit and its environment file: read as systemd reads them (systemd-analyze
verify and security), calling the real command with settings the skill has, and that command
run with the unit's environment until /healthz answers, then stopped the way systemd stops it.
"""

from __future__ import annotations

import json
import re
import subprocess
import time
import tomllib
from pathlib import Path
from typing import Any

import pytest

from skill import resources
from skill.cli import build_parser, is_loopback
from skill.config import Config
from skill.store import engines
from skill.store.progress_store import PENDING_DELETIONS_FILE, ProgressStore
from skill.web.server import gunicorn_options
from tests.ops_files import (
    DEPLOY_DOC,
    ENV_EXAMPLE,
    ROOT,
    STATE_DIR,
    UNIT,
    console_script,
    env_file_settings,
    plain_env,
    read_unit,
    running,
    tool,
    wait_healthy,
)
from tests.pg import free_port

VENV_SCRIPT = "/opt/hamstring-coach/venv/bin/hamstring-coach"  # where docs/deploy.md installs it


def nginx_upstream() -> tuple[str, int]:
    """The address the deploy guide's nginx forwards to (`server HOST:PORT;`)."""
    found = re.search(r"upstream coach \{\s*server ([\d.]+):(\d+);", DEPLOY_DOC.read_text())
    assert found, "docs/deploy.md has no nginx upstream"
    return found.group(1), int(found.group(2))


def settings_read_by_config() -> set[str]:
    """Every variable Config.from_env looks at: the skill's settings, found by asking it."""
    seen: set[str] = set()

    class Recording(dict[str, str]):
        def get(self, key: str, default: Any = None) -> Any:
            seen.add(key)
            return super().get(key, default)

    Config.from_env(Recording())
    return seen


def test_unit_passes_systemd_analyze_verify(tmp_path: Path) -> None:
    analyze = tool("systemd-analyze")
    text = UNIT.read_text(encoding="utf-8")
    assert VENV_SCRIPT in text
    # verify wants ExecStart's program to exist: the real console script stands in for the venv's
    unit = tmp_path / UNIT.name
    unit.write_text(text.replace(VENV_SCRIPT, str(console_script())), encoding="utf-8")
    done = subprocess.run(
        [analyze, "verify", unit.name], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    # verify only warns about a setting it ignores; the check above catches a warning too:
    unit.write_text(unit.read_text().replace("ProtectHome=yes", "ProtectHome=sure"))
    done = subprocess.run(
        [analyze, "verify", unit.name], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert "Failed to parse" in done.stderr


def test_unit_is_hardened(tmp_path: Path) -> None:
    """systemd's own exposure score (0 best, 10 worst) stays at 2.0 or below."""
    analyze = tool("systemd-analyze")
    unit = tmp_path / UNIT.name
    unit.write_text(UNIT.read_text().replace(VENV_SCRIPT, str(console_script())))
    command = [analyze, "security", "--offline=yes", "--threshold=20", unit.name]
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    service = read_unit()
    assert service.value("Service", "User") == "hamstring-coach"
    for setting in ("NoNewPrivileges", "ProtectHome", "PrivateTmp"):
        assert service.value("Service", setting) == "yes"
    assert service.value("Service", "ProtectSystem") == "strict"


def test_unit_runs_serve_from_the_venv_on_the_nginx_upstream() -> None:
    unit = read_unit()
    argv = unit.exec_start()
    assert argv[0] == VENV_SCRIPT
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts[Path(VENV_SCRIPT).name] == "skill.cli:main"  # the console script pip makes
    args = build_parser().parse_args(argv[1:])
    assert args.command == "serve"
    assert not args.dev
    assert not args.accept_any_skill  # SKILL_ID is required, from the environment file
    assert is_loopback(args.host)
    assert (args.host, args.port) == nginx_upstream()


def test_unit_keeps_the_database_and_owed_deletions_in_its_state_directory(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    unit = read_unit()
    state = Path("/var/lib") / unit.value("Service", "StateDirectory")
    assert str(state) == STATE_DIR
    assert unit.value("Service", "WorkingDirectory") == STATE_DIR
    for name, value in unit.environment().items():
        monkeypatch.setenv(name, value)
    assert engines.data_dir() == state
    sqlite_url = engines.default_database_url()
    assert sqlite_url == f"sqlite:///{state}/progress.sqlite3"
    # Constructing a store touches nothing; it says where owed deletions would be kept.
    for url in (sqlite_url, "postgresql://coach@db.internal/coach"):
        store = ProgressStore(url)
        assert store.deletions.path == state / PENDING_DELETIONS_FILE
    monkeypatch.setattr(resources, "checkout_root", lambda: None)  # installed, as in the venv
    assert Config.from_env().audio_dir == state / "audio"


def test_unit_environment_is_only_real_settings() -> None:
    unit = read_unit()
    assert unit.values("Service", "EnvironmentFile") == ["/etc/hamstring-coach/hamstring-coach.env"]
    settings = settings_read_by_config()
    environment = unit.environment()
    # Two are not the skill's: platformdirs' data home (where it points: the test above), and
    # the runtime dir, where gunicorn puts its control socket (systemd makes it).
    assert environment.pop("XDG_RUNTIME_DIR") == f"/run/{unit.value('Service', 'RuntimeDirectory')}"
    for name in environment:
        assert name in settings or name == "XDG_DATA_HOME", name


def test_env_example_shows_every_setting_and_nothing_else() -> None:
    active, commented = env_file_settings(ENV_EXAMPLE.read_text(encoding="utf-8"))
    assert active == {"SKILL_ID": ""}  # to be filled in; empty, serve refuses to start
    assert set(active) | set(commented) == settings_read_by_config()
    for name, value in commented.items():  # each example value is one the skill accepts
        Config.from_env({name: value})
    url = commented["SKILL_DATABASE_URL"]
    assert engines.normalize_url(url).get_backend_name() == "postgresql"
    assert Path(commented["SKILL_AUDIO_DIR"]).is_relative_to(STATE_DIR)  # writable there


def test_unit_stops_the_way_gunicorn_stops_gracefully() -> None:
    unit = read_unit()
    assert unit.value("Service", "Type") == "notify"  # gunicorn sends READY=1 once listening
    assert unit.value("Service", "KillMode") == "mixed"  # SIGTERM to the master only
    assert unit.value("Service", "KillSignal") == "SIGTERM"
    graceful = gunicorn_options(host="127.0.0.1", port=8000, workers=1, log_level="INFO")
    assert int(unit.value("Service", "TimeoutStopSec")) > graceful["graceful_timeout"]
    assert unit.value("Service", "Restart") == "on-failure"
    assert unit.value("Service", "RestartPreventExitStatus") == "2"  # a refused setting


def unit_command(root: Path, port: int, env_file: dict[str, str]) -> tuple[list[str], dict]:
    """ExecStart and its environment as systemd would run them, with the paths of this
    machine: the console script for the venv's, folders under `root` for /var/lib and /run
    (made, as systemd makes StateDirectory and RuntimeDirectory)."""
    unit = read_unit()
    argv = [str(console_script()), *unit.exec_start()[1:]]
    argv[argv.index("--port") + 1] = str(port)
    env = {}
    for name, value in unit.environment().items():
        for system in ("/var/lib", "/run"):
            value = value.replace(system, f"{root}{system}")
        env[name] = value
    for kind in ("StateDirectory", "RuntimeDirectory"):
        top = "/var/lib" if kind == "StateDirectory" else "/run"
        (root / top.lstrip("/") / unit.value("Service", kind)).mkdir(parents=True, mode=0o700)
    return argv, plain_env(**env, **env_file)


def test_unit_with_the_example_environment_refuses_to_start_without_skill_id(
    tmp_path: Path,
) -> None:
    active, _ = env_file_settings(ENV_EXAMPLE.read_text(encoding="utf-8"))
    argv, env = unit_command(tmp_path, free_port(), active)
    done = subprocess.run(argv, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2  # RestartPreventExitStatus: no restart loop
    assert done.stderr.startswith("error: SKILL_ID is not set")


@pytest.mark.slow
def test_unit_command_serves_healthz_and_stops_on_sigterm(tmp_path: Path) -> None:
    """What systemd starts: production mode, state in the state directory, the control socket
    in the runtime directory, and a clean exit on SIGTERM within TimeoutStopSec."""
    skill_id = "amzn1.ask.skill.6f1e3a52-8c0d-4b7e-9d55-2f4c1a0b7e93"
    port = free_port()
    argv, env = unit_command(tmp_path, port, {"SKILL_ID": skill_id})
    state, runtime = tmp_path / STATE_DIR.lstrip("/"), tmp_path / "run" / "hamstring-coach"
    with running(argv, env, state, port) as server:
        health = wait_healthy(server)
        assert health["verification"] == "on"
        assert health["skill_id"] == "set"
        assert health["database"]["status"] == "ok"
        assert (state / "progress.sqlite3").is_file()
        started = time.monotonic()
    stopped_in = time.monotonic() - started
    assert server.proc.returncode == 0, server.stderr
    assert stopped_in < int(read_unit().value("Service", "TimeoutStopSec"))
    said = [json.loads(line)["msg"] for line in server.stderr.splitlines() if line[:1] == "{"]
    assert f"Control socket listening at {runtime}/gunicorn.ctl" in said
    # SIGTERM reached the master, which let both workers (--workers 2) finish, then exited
    assert said.index("Handling signal: term") < said.index("Shutting down: Master")
    assert len([m for m in said if m.startswith("Worker exiting")]) == 2
    assert said[-1] == "Shutting down: Master"
