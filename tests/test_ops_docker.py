"""The Dockerfile and .dockerignore, checked without a Docker daemon (there is none where the
tests run, so the image itself is never built): the Dockerfile parsed with dockerfile-parse,
its command checked by the CLI's own parser, its health check run against a real server, the
build context worked out with docker-py's .dockerignore rules, and its steps replayed on this
machine (the copied files installed with pip into a fresh venv, run with the image's settings).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from docker.utils.build import exclude_paths
from dockerfile_parse import DockerfileParser

from skill.cli import build_parser
from skill.store import engines
from skill.store.progress_store import ProgressStore
from tests.ops_files import (
    DOCKERIGNORE,
    ROOT,
    STATE_DIR,
    console_script,
    exec_form,
    healthcheck_command,
    instructions,
    plain_env,
    read_dockerfile,
    running,
    wait_healthy,
)
from tests.pg import free_port


def test_dockerfile_runs_as_a_non_root_user_from_a_slim_python_311() -> None:
    parser = read_dockerfile()
    assert re.fullmatch(r"python:3\.11(\.\d+)?-slim(-\w+)?", parser.baseimage)
    order = [i["instruction"] for i in parser.structure]
    assert "USER" in order
    last_user = len(order) - 1 - order[::-1].index("USER")
    assert last_user < order.index("ENTRYPOINT")
    assert last_user < order.index("CMD")
    user = instructions(parser, "USER")[-1].split(":")[0]
    assert user not in ("root", "0")
    assert any(re.search(rf"useradd --system .*\b{user}$", r) for r in instructions(parser, "RUN"))


def test_dockerfile_installs_the_checkout_with_pip_not_editable() -> None:
    runs = instructions(read_dockerfile(), "RUN")
    installs = [r for r in runs if "pip install" in r]
    assert len(installs) == 1
    assert re.search(r"pip install \.(\s|$)", installs[0])
    assert "-e" not in installs[0].split()


def test_docker_command_is_serve_on_every_interface_in_production_mode() -> None:
    parser = read_dockerfile()
    (entrypoint,) = instructions(parser, "ENTRYPOINT")
    (cmd,) = instructions(parser, "CMD")
    argv = exec_form(entrypoint) + exec_form(cmd)
    assert argv[0] == "hamstring-coach"
    args = build_parser().parse_args(argv[1:])
    assert args.command == "serve"
    assert args.host == "0.0.0.0"
    assert not args.dev
    assert not args.accept_any_skill
    assert instructions(parser, "EXPOSE") == [str(args.port)]
    assert instructions(parser, "STOPSIGNAL") == ["SIGTERM"]


def test_docker_volume_holds_the_database_and_owed_deletions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    parser = read_dockerfile()
    (volume,) = instructions(parser, "VOLUME")
    (volume_dir,) = exec_form(volume)
    assert volume_dir == STATE_DIR
    for name, value in parser.envs.items():
        monkeypatch.setenv(name, value)
    database = engines.default_database_url().removeprefix("sqlite:///")
    assert Path(database).parent == Path(volume_dir)
    store = ProgressStore(engines.default_database_url())
    assert store.deletions.path.parent == Path(volume_dir)
    assert instructions(parser, "WORKDIR")[-1] == volume_dir


def test_docker_healthcheck_passes_on_a_real_server_and_fails_without_one(
    tmp_path: Path,
) -> None:
    parser = read_dockerfile()
    command, options = healthcheck_command(parser)
    assert command[0] == "python"  # the image's interpreter: no curl needed
    port = build_parser().parse_args(exec_form(instructions(parser, "CMD")[0])).port
    assert f"http://127.0.0.1:{port}/healthz" in command[-1]
    timeout = int(options["timeout"].removesuffix("s"))
    assert timeout < int(options["interval"].removesuffix("s"))
    here = free_port()
    check = [sys.executable, *command[1:-1], command[-1].replace(f":{port}/", f":{here}/")]

    def healthcheck() -> int:
        return subprocess.run(check, capture_output=True, timeout=timeout).returncode

    argv = [str(console_script()), "serve", "--dev", "--port", str(here), "--workers", "1"]
    with running(argv, plain_env(XDG_DATA_HOME=str(tmp_path)), tmp_path, here) as server:
        wait_healthy(server)
        assert healthcheck() == 0
    assert healthcheck() != 0  # nothing listening


def test_dockerignore_sends_what_the_build_copies_and_no_junk(tmp_path: Path) -> None:
    needed = [
        "pyproject.toml",
        "README.md",
        "skill/__init__.py",
        "skill/core/content/stretches.yaml",
        "interaction_model/en-US.json",
        "audio/__init__.py",
        "audio/manifest.json",
    ]
    junk = [
        ".git/HEAD",
        ".venv/bin/python",
        "venv/bin/python",
        "skill/__pycache__/cli.cpython-311.pyc",
        "skill/store/__pycache__/engines.cpython-311.pyc",
        ".pytest_cache/v/cache/lastfailed",
        ".ruff_cache/content",
        ".hypothesis/examples/x",
        ".coverage",
        "htmlcov/index.html",
        "coverage.xml",
        "hamstring_coach.egg-info/PKG-INFO",
        "build/lib/skill/cli.py",
        "dist/hamstring_coach-0.1.0-py3-none-any.whl",
        "audio/get-ready.mp3",
        "progress.sqlite3",
        "tests/test_cli.py",
    ]
    for name in needed + junk:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    patterns = [
        line.strip()
        for line in DOCKERIGNORE.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    context = exclude_paths(str(tmp_path), patterns, dockerfile="Dockerfile")
    assert not [j for j in junk if j in context]
    assert [n for n in needed if n not in context] == []
    for copy in instructions(read_dockerfile(), "COPY"):  # each source is sent, and needed
        *sources, _dest = copy.split()
        for source in sources:
            assert source in context or any(c.startswith(f"{source}/") for c in context), source
            assert any(n == source or n.startswith(f"{source}/") for n in needed), source


def dockerignore_patterns() -> list[str]:
    lines = DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def replay_copies(parser: DockerfileParser, rootfs: Path) -> Path:
    """The Dockerfile's WORKDIR and COPY steps with Docker's rules (a folder's contents go into
    the destination; a file goes into it if it ends in / or there are several sources, else
    becomes it), from the build context .dockerignore lets through, into `rootfs`. Returns the
    folder the pip install runs in."""
    context = set(exclude_paths(str(ROOT), dockerignore_patterns(), dockerfile="Dockerfile"))
    workdir = Path("/")
    for step in parser.structure:
        if step["instruction"] == "WORKDIR":
            workdir = workdir / step["value"]
        elif step["instruction"] == "COPY":
            *sources, dest = step["value"].split()
            target = rootfs / (workdir / dest).relative_to("/")
            into_folder = dest.endswith("/") or len(sources) > 1
            for source in sources:
                assert source in context, f"COPY {source}: not in the build context"
                if (ROOT / source).is_dir():
                    inside = [c for c in context if c.startswith(f"{source}/")]
                    pairs = [(c, target / c[len(source) + 1 :]) for c in inside]
                else:
                    pairs = [(source, target / Path(source).name if into_folder else target)]
                for name, to in pairs:
                    if (ROOT / name).is_file():
                        to.parent.mkdir(parents=True, exist_ok=True)
                        shutil.copy2(ROOT / name, to)
        elif step["instruction"] == "RUN" and "pip install" in step["value"]:
            return rootfs / workdir.relative_to("/")
    raise AssertionError("the Dockerfile never runs pip install")


@pytest.mark.slow
def test_the_image_steps_replayed_here_serve_and_pass_the_health_check(tmp_path: Path) -> None:
    """As close to building and running the image as this machine allows: the files the
    Dockerfile copies, installed with pip (not editable) into a fresh venv, started with the
    image's ENV, WORKDIR, ENTRYPOINT and CMD, and its HEALTHCHECK passing."""
    parser = read_dockerfile()
    rootfs = tmp_path / "rootfs"
    build = replay_copies(parser, rootfs)
    venv = tmp_path / "venv"  # the image's site-packages: dependencies from this interpreter's
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", venv], check=True)
    pip = [venv / "bin" / "pip", "install", "-q", "--no-deps", "."]
    done = subprocess.run(pip, cwd=build, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    shutil.rmtree(build)  # as the image does: nothing is read from the copied checkout

    env = {k: v.replace("/var/lib", f"{rootfs}/var/lib").replace("/run", f"{rootfs}/run")
           for k, v in parser.envs.items()}  # fmt: skip
    for folder in (STATE_DIR, "/run/hamstring-coach"):  # the image's `install -d`
        (rootfs / folder.lstrip("/")).mkdir(parents=True, mode=0o700)
    env.update(
        PATH=f"{venv / 'bin'}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        HOME=f"{rootfs}{STATE_DIR}",
        SKILL_ID="amzn1.ask.skill.6f1e3a52-8c0d-4b7e-9d55-2f4c1a0b7e93",  # docker run -e
    )
    argv = exec_form(instructions(parser, "ENTRYPOINT")[0])
    argv += exec_form(instructions(parser, "CMD")[0])
    port = build_parser().parse_args(argv[1:]).port
    here = free_port()
    argv[argv.index("--port") + 1] = str(here)
    argv[0] = shutil.which(argv[0], path=env["PATH"]) or argv[0]
    assert argv[0] == str(venv / "bin" / "hamstring-coach")
    workdir = rootfs / instructions(parser, "WORKDIR")[-1].lstrip("/")
    where = subprocess.run(
        [venv / "bin" / "python", "-c", "import skill; print(skill.__file__)"],
        env=env, cwd=workdir, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert where.stdout.startswith(str(venv / "lib")), where.stdout  # the installed copy

    command, _options = healthcheck_command(parser)
    check = [venv / "bin" / command[0], *command[1:-1]]
    check.append(command[-1].replace(f":{port}/", f":{here}/"))
    with running(argv, env, workdir, here) as server:
        health = wait_healthy(server)
        assert (health["verification"], health["skill_id"]) == ("on", "set")
        done = subprocess.run(check, env=env, capture_output=True, text=True, timeout=10)
        assert done.returncode == 0, done.stderr
        assert (rootfs / STATE_DIR.lstrip("/") / "progress.sqlite3").is_file()
        assert (rootfs / "run" / "hamstring-coach" / "gunicorn.ctl").exists()
    assert server.proc.returncode == 0, server.stderr
