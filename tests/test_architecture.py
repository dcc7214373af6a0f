"""The architecture is enforced, not just drawn: layer contracts, dead code, declared
dependencies and module size, each checked by the tool that owns the question."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MAX_MODULE_LINES = 400
MAX_TOP_LEVEL_MODULES = 8


def run_tool(*command: str) -> subprocess.CompletedProcess[str]:
    tool = shutil.which(command[0]) or str(Path(sys.executable).parent / command[0])
    return subprocess.run(
        [tool, *command[1:]], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


def test_import_linter_contracts_are_kept() -> None:
    result = run_tool("lint-imports", "--no-cache")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_vulture_finds_no_dead_code() -> None:
    result = run_tool("vulture")
    assert result.returncode == 0, result.stdout + result.stderr


def test_deptry_finds_declared_and_used_dependencies_agree() -> None:
    result = run_tool("deptry", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def python_modules(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


@pytest.mark.parametrize("folder", ["skill", "tests", "bench"])
def test_no_module_is_over_400_lines(folder: str) -> None:
    long = {
        str(path.relative_to(ROOT)): n
        for path in python_modules(folder)
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}


def test_the_skill_package_keeps_its_modules_in_layer_packages() -> None:
    top = [p.name for p in (ROOT / "skill").glob("*.py")]
    assert len(top) <= MAX_TOP_LEVEL_MODULES, top
