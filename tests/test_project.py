"""Operator contracts: the README's commands, CI, and `serve` on a real port."""

from __future__ import annotations

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


@pytest.fixture
def dev_server(tmp_path: Path) -> Iterator[tuple[int, subprocess.Popen[str]]]:
    port = free_port()
    env = {**os.environ, "SKILL_DATABASE_URL": f"sqlite:///{tmp_path}/progress.db"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "skill.cli",
            "serve",
            "--dev",
            "--port",
            str(port),
            "--workers",
            "1",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield port, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout:
            proc.stdout.close()


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
