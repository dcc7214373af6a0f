"""Starts and stops the child server (tests/chaos/child.py) and reads what it logged."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.chaos import procs
from tests.chaos.child import ServerSpec

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 60.0


class ServerFailed(RuntimeError):
    """The child did not come up; the message holds the end of its log."""


class ServerProcess:
    """The skill under gunicorn in its own process group, on `spec.port`."""

    def __init__(self, spec: ServerSpec, workdir: Path) -> None:
        self.spec = spec
        self.workdir = workdir
        self.log_path = workdir / "server.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.spec.port}"

    def __enter__(self) -> ServerProcess:
        spec_path = self.workdir / "server-spec.json"
        self.spec.write(spec_path)
        env = {
            **os.environ,
            **self.spec.env,
            "PYTHONPATH": str(ROOT),
            "NO_PROXY": "*",  # every address the child talks to is local or faked
            "no_proxy": "*",
        }
        with self.log_path.open("wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "tests.chaos.child", str(spec_path)],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stopped as one
            )
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _wait_ready(self) -> None:
        assert self.proc is not None
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise ServerFailed(f"server exited at start:\n{self.log_tail()}")
            try:
                requests.get(f"{self.url}/healthz", timeout=2)
                return
            except requests.RequestException:
                time.sleep(0.1)
        waited = f"{START_TIMEOUT_S:.0f} s"
        raise ServerFailed(f"server not answering after {waited}:\n{self.log_tail()}")

    def worker_pid(self) -> int | None:
        """gunicorn's one worker (the arbiter's child)."""
        if self.proc is None:
            return None
        workers = procs.children(self.proc.pid)
        return workers[0] if workers else None

    def worker_threads(self) -> int:
        pid = self.worker_pid()
        return procs.thread_count(pid) if pid else 0

    def stop(self) -> None:
        """gunicorn's quick shutdown (SIGINT), then SIGKILL for whatever is left of the group."""
        if self.proc is None or self.proc.poll() is not None:
            return
        with_group = os.getpgid(self.proc.pid)
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(with_group, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def log_tail(self, chars: int = 3000) -> str:
        return self.log_text()[-chars:]

    def tracebacks(self) -> int:
        """Tracebacks the server logged (a crash in a handler, or in gunicorn itself)."""
        return self.log_text().count("Traceback (most recent call last)")
