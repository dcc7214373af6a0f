"""Reading the ops files as systemd and Docker do, and running what they run.

The systemd unit and its environment file are read with systemd's own rules for the parts they
use (sections, `Key=value`, keys that repeat, `#` comments); the Dockerfile with
dockerfile-parse. A missing system tool skips a test locally and fails it when `CI=true`, as
tests/pg.py does for PostgreSQL.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sysconfig
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dockerfile_parse import DockerfileParser

from tests.pg import skip_or_fail

ROOT = Path(__file__).resolve().parent.parent
UNIT = ROOT / "deploy" / "hamstring-coach.service"
ENV_EXAMPLE = ROOT / "deploy" / "hamstring-coach.env.example"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
DEPLOY_DOC = ROOT / "docs" / "deploy.md"
STATE_DIR = "/var/lib/hamstring-coach"  # StateDirectory=hamstring-coach, and the image's volume


def tool(name: str) -> str:
    """A system tool's path, or skip (fail under CI=true) saying which package has it."""
    found = shutil.which(name)
    if found is None:
        packages = {"systemd-analyze": "systemd", "sqlite3": "sqlite3", "pg_dump": "postgresql"}
        skip_or_fail(f"{name} not found (apt-get install {packages.get(name, name)})")
    return found


def console_script() -> Path:
    """The installed `hamstring-coach` console script (pip puts it beside the interpreter's
    scripts), the one a virtual environment's bin/ holds."""
    script = Path(sysconfig.get_path("scripts")) / "hamstring-coach"
    if not script.is_file():
        skip_or_fail(f"no console script at {script}: pip install -e . first")
    return script


class Unit:
    """A unit file's settings: {section: [(key, value), ...]} in file order."""

    def __init__(self, text: str) -> None:
        self.sections: dict[str, list[tuple[str, str]]] = {}
        current: list[tuple[str, str]] | None = None
        for raw in text.splitlines():
            line = raw.strip()
            if not line or line.startswith(("#", ";")):
                continue
            if line.startswith("[") and line.endswith("]"):
                current = self.sections.setdefault(line[1:-1], [])
                continue
            assert current is not None, f"setting outside a section: {line!r}"
            key, _, value = line.partition("=")
            current.append((key.strip(), value.strip()))

    def values(self, section: str, key: str) -> list[str]:
        return [v for k, v in self.sections.get(section, []) if k == key]

    def value(self, section: str, key: str) -> str:
        (found,) = self.values(section, key)
        return found

    def environment(self) -> dict[str, str]:
        """The Environment= assignments (space-separated, shell-like quoting)."""
        env: dict[str, str] = {}
        for line in self.values("Service", "Environment"):
            for word in shlex.split(line):
                name, _, value = word.partition("=")
                env[name] = value
        return env

    def exec_start(self) -> list[str]:
        return shlex.split(self.value("Service", "ExecStart"))


def read_unit() -> Unit:
    return Unit(UNIT.read_text(encoding="utf-8"))


ASSIGNMENT = re.compile(r"^(#?)([A-Z][A-Z0-9_]*)=(.*)$")


def env_file_settings(text: str) -> tuple[dict[str, str], dict[str, str]]:
    """(set, shown commented out) `NAME=value` lines of an EnvironmentFile."""
    active: dict[str, str] = {}
    commented: dict[str, str] = {}
    for line in text.splitlines():
        found = ASSIGNMENT.match(line.strip())
        if found:
            (commented if found.group(1) else active)[found.group(2)] = found.group(3)
    return active, commented


def read_dockerfile() -> DockerfileParser:
    parser = DockerfileParser(path=str(DOCKERFILE))  # reads it, never writes
    assert parser.structure, "the Dockerfile parsed to nothing"
    return parser


def instructions(parser: DockerfileParser, name: str) -> list[str]:
    return [i["value"] for i in parser.structure if i["instruction"] == name]


def exec_form(value: str) -> list[str]:
    """A JSON-array (exec form) instruction value; anything else fails the test."""
    words = json.loads(value)
    assert isinstance(words, list), value
    assert all(isinstance(w, str) for w in words), value
    return words


def healthcheck_command(parser: DockerfileParser) -> tuple[list[str], dict[str, str]]:
    """HEALTHCHECK's CMD (exec form) and its --options."""
    (value,) = instructions(parser, "HEALTHCHECK")
    options, sep, command = value.partition("CMD ")
    assert sep, f"HEALTHCHECK without CMD: {value!r}"
    flags = dict(word.lstrip("-").split("=", 1) for word in options.split())
    return exec_form(command.strip()), flags


@dataclass
class Running:
    """A started server process and what it wrote, once stopped."""

    proc: subprocess.Popen[str]
    port: int
    stderr: str = ""


@contextlib.contextmanager
def running(argv: list[str], env: dict[str, str], cwd: Path, port: int) -> Iterator[Running]:
    """Run a server command; on leaving, SIGTERM (as systemd and `docker stop` do) and
    collect its log."""
    proc = subprocess.Popen(
        argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    run = Running(proc, port)
    try:
        yield run
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        try:
            run.stderr = proc.communicate(timeout=30)[1]
        except subprocess.TimeoutExpired:
            proc.kill()
            run.stderr = proc.communicate()[1]


def wait_healthy(run: Running, seconds: float = 30.0) -> dict[str, Any]:
    """GET /healthz until it answers 200; its JSON body."""
    deadline = time.monotonic() + seconds
    url = f"http://127.0.0.1:{run.port}/healthz"
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                body: dict[str, Any] = json.loads(response.read())
                return body
        except (urllib.error.URLError, ConnectionError):
            if run.proc.poll() is not None:
                raise AssertionError(
                    f"server exited with {run.proc.returncode}: {run.proc.communicate()[1]}"
                ) from None
            assert time.monotonic() < deadline, f"{url} did not answer in {seconds} s"
            time.sleep(0.1)


def plain_env(**extra: str) -> dict[str, str]:
    """What systemd gives a service: a PATH and nothing of the caller's settings. Plus
    PYTHONPATH, so that the console script runs this checkout's code (the code under test)
    whichever checkout the editable install points at."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "PYTHONPATH": str(ROOT),
        **extra,
    }
