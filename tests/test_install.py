"""A plain install works: the packaged files are found through the package, never the checkout.

The slow test builds the wheel, installs it into a fresh venv and runs the CLI from a folder
outside the checkout, as pipx or a container image would.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from setuptools import find_packages

from skill import resources
from skill.cli import main
from skill.config import Config, audio_dir_from_env
from skill.voice.manifest import load_manifest

ROOT = Path(__file__).resolve().parent.parent
MAPPED = {"skill.interaction_model": "interaction_model", "skill.audio_manifest": "audio"}


def test_pyproject_lists_every_package_and_maps_the_data_folders() -> None:
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    found = find_packages(str(ROOT), include=["skill", "skill.*"])
    assert sorted(setuptools["packages"]) == sorted([*found, *MAPPED])
    assert setuptools["package-dir"] == MAPPED
    for folder in MAPPED.values():
        # The editable install's finder imports a mapped folder only if it is a regular package.
        assert (ROOT / folder / "__init__.py").is_file()


def test_resources_in_a_checkout() -> None:
    assert resources.checkout_root() == ROOT
    assert resources.interaction_model_locales() == ["en-US"]
    model = resources.interaction_model_path("en-US")
    assert model.read_text(encoding="utf-8").startswith("{")
    assert model.samefile(ROOT / "interaction_model" / "en-US.json")
    assert resources.audio_manifest_path().samefile(ROOT / "audio" / "manifest.json")
    assert resources.default_audio_dir() == ROOT / "audio"


def test_a_second_checkout_reads_its_own_model(tmp_path: Path) -> None:
    """A copy of the checkout (a git worktree, say) run with PYTHONPATH beside an editable
    install of this one reads its own interaction model, not the installed mapping's."""
    copy = tmp_path / "copy"
    for name in ("skill", "interaction_model", "audio"):
        shutil.copytree(ROOT / name, copy / name, ignore=shutil.ignore_patterns("*.mp3"))
    shutil.copy(ROOT / "pyproject.toml", copy)
    code = (
        "from skill import resources; "
        "print(resources.interaction_model_path()); print(resources.audio_manifest_path())"
    )
    env = {**os.environ, "PYTHONPATH": str(copy)}
    found = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert found == [
        str(copy / "interaction_model" / "en-US.json"),
        str(copy / "audio" / "manifest.json"),
    ]


def test_check_reads_the_packaged_audio_manifest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check"]) == 0
    assert "audio manifest ok: 21 clips (" in capsys.readouterr().out
    # A content change without a rebuild: a warning, not a failure (the skill still works).
    manifest = load_manifest(resources.audio_manifest_path().parent)
    entry = manifest.clips["get-ready"]
    manifest.clips["get-ready"] = dataclasses.replace(entry, key="old")
    manifest.dir = tmp_path
    manifest.save()
    monkeypatch.setattr(resources, "audio_manifest_path", lambda: tmp_path / "manifest.json")
    assert main(["check"]) == 0
    captured = capsys.readouterr()
    assert "audio manifest ok" not in captured.out
    assert "warning: audio manifest: 1 of 21 clips missing or out of date" in captured.err


def test_unknown_locale_names_the_ones_there_are() -> None:
    with pytest.raises(FileNotFoundError, match=r"'xx-XX' \(have: en-US\)"):
        resources.interaction_model_path("xx-XX")


def test_installed_default_audio_dir_is_the_user_data_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(resources, "checkout_root", lambda: None)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert resources.default_audio_dir() == tmp_path / "hamstring-coach" / "audio"
    assert Config().audio_dir == tmp_path / "hamstring-coach" / "audio"
    assert audio_dir_from_env({"SKILL_AUDIO_DIR": "/srv/clips"}) == Path("/srv/clips")
    assert Config.from_env({"SKILL_AUDIO_DIR": "/srv/clips"}).audio_dir == Path("/srv/clips")


def run(cmd: list[str | Path], cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(
        [str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, f"{cmd}\nstdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    return done.stdout


@pytest.mark.slow
def test_wheel_installs_and_runs_outside_the_checkout(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "SKILL_"))}
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    # Build the wheel the way pip, pipx and container builds do (isolated build backend), from
    # a copy of what the build needs, so the checkout stays clean (no build/, no *.egg-info).
    source = tmp_path / "source"
    junk = shutil.ignore_patterns("__pycache__", "*.mp3", "*.wav", ".tmp*", "*.egg-info")
    for name in ("pyproject.toml", "README.md"):
        source.mkdir(exist_ok=True)
        shutil.copy2(ROOT / name, source / name)
    for folder in ("skill", "interaction_model", "audio"):
        shutil.copytree(ROOT / folder, source / folder, ignore=junk)
    wheels = tmp_path / "wheels"
    run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", wheels, source],
        tmp_path,
        env,
    )
    (wheel,) = wheels.glob("hamstring_coach-*.whl")
    venv = tmp_path / "venv"
    # A fresh venv; the dependencies come from this interpreter's site-packages.
    run([sys.executable, "-m", "venv", "--system-site-packages", venv], tmp_path, env)
    run([venv / "bin" / "pip", "install", "-q", "--no-deps", wheel], tmp_path, env)

    where = run(
        [
            venv / "bin" / "python",
            "-c",
            "import skill, skill.resources as r; print(skill.__file__); "
            "print(r.interaction_model_path()); print(r.audio_manifest_path()); "
            "print(r.checkout_root()); print(r.default_audio_dir())",
        ],
        elsewhere,
        env,
    ).splitlines()
    site = str(venv / "lib")
    assert [line.startswith(site) for line in where[:3]] == [True, True, True], where
    assert where[3] == "None"
    assert where[4] == str(tmp_path / "data" / "hamstring-coach" / "audio")

    coach = venv / "bin" / "hamstring-coach"
    out = run([coach, "check"], elsewhere, env)
    assert "content ok: 2 stretches" in out
    assert "interaction model ok: invocation 'hamstring coach'" in out
    assert "audio manifest ok: 21 clips" in out
    said = run([coach, "say", "start the seated stretch"], elsewhere, env)
    assert "seated hamstring stretch" in said
    assert "Stretch, and hold." in said
    assert list(elsewhere.iterdir()) == []
