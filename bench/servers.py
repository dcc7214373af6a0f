"""The benchmark's servers: each app under gunicorn on a free port, timed to its first 200,
driven by wrk with the request mix; and the import time of the skill's web app."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LUA = Path(__file__).with_name("mix.lua")
APPS = ("skill", "skill-dev", "sdk-plain", "reference")
FLOOR_APPS = ("skill", "skill-dev", "dev-nosqlite", "sdk-plain", "reference")


@dataclass
class Server:
    name: str
    port: int
    proc: subprocess.Popen[bytes]
    ready_s: float = 0.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def post(port: int, body: bytes, headers: dict[str, str] | None = None) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/alexa",
        data=body,
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        exc.close()
        return exc.code


def wait_first_200(server: Server, first: tuple[bytes, dict[str, str]], started: float) -> float:
    """Seconds from starting the process to its first 200 on POST /alexa."""
    body, headers = first
    deadline_s = 60
    while time.monotonic() - started < deadline_s:
        if server.proc.poll() is not None:
            raise SystemExit(f"{server.name} exited with {server.proc.returncode}")
        with contextlib.suppress(OSError):
            status = post(server.port, body, headers)
            if status == 200:
                return time.monotonic() - started
            raise SystemExit(f"{server.name} answered {status}")
        time.sleep(0.01)
    raise SystemExit(f"{server.name} did not answer within {deadline_s} s")


@contextlib.contextmanager
def servers(
    tmp: Path,
    env: dict[str, str],
    workers: int,
    first: tuple[bytes, dict[str, str]],
    apps: tuple[str, ...] = APPS,
) -> Iterator[dict[str, Server]]:
    """Starts the apps one after another (so each start is timed alone)."""
    started: dict[str, Server] = {}
    commands = {
        "skill-dev": ["-m", "skill.cli", "serve", "--dev", "--workers", str(workers)],
        "skill": ["-m", "bench.serve", "skill", "--workers", str(workers)],
        "dev-nosqlite": ["-m", "bench.serve", "dev-nosqlite", "--workers", str(workers)],
        "sdk-plain": ["-m", "bench.serve", "sdk", "--workers", str(workers)],
        "reference": ["-m", "bench.serve", "reference", "--workers", str(workers)],
    }
    try:
        for name, args in commands.items():
            if name not in apps:
                continue
            port = free_port()
            log = (tmp / f"{name}.log").open("wb")
            app_env = env | {"SKILL_DATABASE_URL": f"sqlite:///{tmp}/{name}.db"}
            launched = time.monotonic()
            proc = subprocess.Popen(
                [sys.executable, *args, "--port", str(port)],
                cwd=ROOT,
                env=app_env,
                stdout=log,
                stderr=log,
            )
            started[name] = Server(name, port, proc)
            started[name].ready_s = wait_first_200(started[name], first, launched)
        yield started
    finally:
        for server in started.values():
            server.proc.terminate()
        for server in started.values():
            try:
                server.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.proc.kill()


def run_wrk(port: int, conc: int, seconds: float, mix: Path) -> dict[str, float]:
    threads = 1 if conc == 1 else 2
    out = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{conc}",
            f"-d{max(1, round(seconds))}s",
            "-s",
            str(LUA),
            f"http://127.0.0.1:{port}",
            "--",
            str(mix),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith("BENCH "))
    return json.loads(line[6:])


@dataclass
class ImportTimes:
    cached_s: float  # bytecode cached, as after `pip install` (the deployed case)
    from_source_s: float  # the project's own modules compiled on import (an editable checkout)
    create_s: float  # create_app, once imported


def measure_import(tmp: Path, repeats: int = 3) -> ImportTimes:
    """Import of skill.web.app and create_app, each best of `repeats` in fresh interpreters
    (a second or two each, so --smoke runs one): once with bytecode cached (a primed cache
    under `tmp`, like an installed package), once as this checkout runs when nothing may write
    bytecode (PYTHONDONTWRITEBYTECODE)."""
    code = (
        "import time; t0 = time.perf_counter(); import skill.web.app; t1 = time.perf_counter(); "
        "from skill.config import Config; import tempfile; d = tempfile.mkdtemp(); "
        "skill.web.app.create_app(Config(verify_requests=False, "
        "database_url=f'sqlite:///{d}/i.db')); t2 = time.perf_counter(); print(t1 - t0, t2 - t1)"
    )

    def best_of(env: dict[str, str]) -> tuple[float, float]:
        best = (float("inf"), float("inf"))
        for _ in range(repeats):
            out = subprocess.run(
                [sys.executable, "-c", code],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                check=True,
            ).stdout.split()
            best = (min(best[0], float(out[0])), min(best[1], float(out[1])))
        return best

    from_source = best_of(dict(os.environ, PYTHONDONTWRITEBYTECODE="1"))
    cached_env = dict(os.environ, PYTHONPYCACHEPREFIX=str(tmp / "bytecode"))
    cached_env.pop("PYTHONDONTWRITEBYTECODE", None)
    best_of(cached_env)  # primes the cache
    cached = best_of(cached_env)
    return ImportTimes(cached[0], from_source[0], cached[1])
