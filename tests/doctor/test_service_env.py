"""docs/doctor.md's "Run it as the service sees it" command, run as written (paths moved into
a temporary folder): doctor then examines the service's database under the unit's
XDG_DATA_HOME, not the one in the caller's home; a plain run names where it looked instead."""

from __future__ import annotations

import grp
import os
import pwd
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from skill.store.progress_store import ProgressStore
from tests.doctor.conftest import SKILL_ID, line

ROOT = Path(__file__).resolve().parents[2]
UNIT = ROOT / "deploy" / "hamstring-coach.service"
DOC = ROOT / "docs" / "doctor.md"
USER = "hamstring-coach"


def unit_setting(key: str) -> str:
    """The value of `key=` in the systemd unit (the first line that sets it)."""
    found = re.search(rf"^{key}=(.*)$", UNIT.read_text(), re.MULTILINE)
    assert found, f"{key}= not in {UNIT}"
    return found.group(1).strip()


def documented_command() -> list[str]:
    """The command line docs/doctor.md gives, split as the shell would."""
    lines = [t for t in DOC.read_text().splitlines() if t.startswith("sudo sh -c '")]
    assert len(lines) == 1, "docs/doctor.md should give exactly one `sudo sh -c '...'` line"
    return shlex.split(lines[0])


@pytest.fixture
def machine(tmp_path: Path) -> dict[str, Path]:
    """A host laid out like the unit's: the env file, /var/lib with the service's database
    (made by the real store, as `serve` makes it), and a caller's home without one."""
    var_lib = tmp_path / "var" / "lib"
    database = var_lib / "hamstring-coach" / "progress.sqlite3"
    database.parent.mkdir(parents=True)
    store = ProgressStore(f"sqlite:///{database}")
    try:
        assert store.health()["status"] == "ok"
    finally:
        store.close()
    env_file = tmp_path / "etc" / "hamstring-coach.env"
    env_file.parent.mkdir()
    env_file.write_text(
        f"# as deploy/hamstring-coach.env.example, filled in\nSKILL_ID={SKILL_ID}\n"
    )
    home = tmp_path / "home"
    home.mkdir()
    return {"var_lib": var_lib, "database": database, "env_file": env_file, "home": home}


def caller_environment(home: Path) -> dict[str, str]:
    """An operator's login shell: no SKILL_* settings, no XDG_DATA_HOME."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SKILL_", "XDG_"))}
    env.update(HOME=str(home), PYTHONPATH=str(ROOT))
    return env


def test_the_documented_command_matches_the_unit() -> None:
    sudo, shell, dash_c, script = documented_command()
    assert (sudo, shell, dash_c) == ("sudo", "sh", "-c")
    assert f". {unit_setting('EnvironmentFile')};" in script
    assert f"export {unit_setting('Environment')};" in script  # XDG_DATA_HOME=/var/lib
    executable = unit_setting("ExecStart").split()[0]
    assert f"--reuid={unit_setting('User')} --regid={unit_setting('Group')} " in script
    assert f" {executable} doctor --url https://" in script


def test_the_documented_command_finds_the_services_database(machine: dict[str, Path]) -> None:
    _, shell, dash_c, script = documented_command()  # `sudo`: this test runs as the caller
    executable = unit_setting("ExecStart").split()[0]
    script = (
        script.replace(executable, f"{shlex.quote(sys.executable)} -m skill.cli")
        .replace(unit_setting("EnvironmentFile"), str(machine["env_file"]))
        .replace("/var/lib", str(machine["var_lib"]))
        .replace("--url https://coach.example.org/alexa", "--offline")
    )
    me = pwd.getpwuid(os.geteuid()).pw_name
    group = grp.getgrgid(os.getegid()).gr_name
    if os.geteuid() == 0:  # setpriv as written, to this (root) user instead of the service's
        script = script.replace(f"--reuid={USER} --regid={USER}", f"--reuid={me} --regid={group}")
        assert f"exec setpriv --reuid={me} --regid={group} --init-groups " in script
    else:  # only root may set groups: drop setpriv, the caller is the "service user"
        script = re.sub(r"setpriv --reuid=\S+ --regid=\S+ --init-groups ", "", script)
    done = subprocess.run(
        [shell, dash_c, script],
        env=caller_environment(machine["home"]),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "Traceback" not in done.stderr, done.stderr
    found = line(done.stdout, "database")
    assert found.startswith(f"ok    database           sqlite:///{machine['database']}: "), found
    assert "write probe ok" in found
    assert line(done.stdout, "skill id").startswith("ok "), done.stdout
    assert not (machine["home"] / ".local").exists()
    assert done.returncode == 0, done.stdout


def test_a_plain_run_says_where_it_looked(machine: dict[str, Path]) -> None:
    """The mistake the section prevents: the env file read, but not the unit's XDG_DATA_HOME."""
    doctor = f"{shlex.quote(sys.executable)} -m skill.cli doctor --offline"
    script = f"set -a; . {machine['env_file']}; set +a; exec {doctor}"
    done = subprocess.run(
        ["sh", "-c", script],
        env=caller_environment(machine["home"]),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    looked = machine["home"] / ".local" / "share" / "hamstring-coach" / "progress.sqlite3"
    found = line(done.stdout, "database")
    assert found.startswith(f"warn  database           no database yet at {looked}, the default")
    assert "XDG_DATA_HOME unset: ~/.local/share" in found
    advice = done.stdout.split("What to do:", 1)[1]
    assert "sets XDG_DATA_HOME=/var/lib" in advice
    assert "Run it as the service sees it" in advice
    assert done.returncode == 0
