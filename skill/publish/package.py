"""Writes the skill package in ASK CLI's layout and checks what was written.

    DIR/skill-package/skill.json
    DIR/skill-package/interactionModels/custom/en-US.json   (the project's model, byte for byte)
    DIR/skill-package/assets/images/en-US_smallIcon.png     (108 x 108)
    DIR/skill-package/assets/images/en-US_largeIcon.png     (512 x 512)

The interaction model is copied from the one place the skill reads it (skill/resources.py), so
the package can never drift from what the skill understands. `validate_package` reads the files
back from disk, as ASK CLI will, and checks them against Amazon's rules.
"""

from __future__ import annotations

import json
import os
import tempfile
from importlib import resources
from pathlib import Path
from typing import Any

from skill.publish.manifest import LARGE_ICON, SMALL_ICON
from skill.publish.phrases import SampleIndex, check_example_phrases
from skill.publish.png import PngError, read_png
from skill.publish.rules import check_manifest
from skill.resources import interaction_model_path

PACKAGE_DIR = "skill-package"
MANIFEST_FILE = "skill.json"
ICON_SIZES = {SMALL_ICON: 108, LARGE_ICON: 512}
_ICON_SOURCES = {SMALL_ICON: "small.png", LARGE_ICON: "large.png"}


def model_file(locale: str) -> str:
    return f"interactionModels/custom/{locale}.json"


def _write(path: Path, data: bytes) -> None:
    """Write via a temporary file and rename, so a failed run never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(fd, 0o644)  # mkstemp's 0600 would keep the ASK CLI of another account out
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_package(out: Path, manifest: dict[str, Any], locale: str) -> Path:
    """Write the package under out/skill-package (replacing only these files); its path."""
    root = out / PACKAGE_DIR
    text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    _write(root / MANIFEST_FILE, text.encode("utf-8"))
    _write(root / model_file(locale), interaction_model_path(locale).read_bytes())
    icons = resources.files("skill.publish").joinpath("icons")
    for target, source in _ICON_SOURCES.items():
        _write(root / target, icons.joinpath(source).read_bytes())
    return root


def _icon_problems(root: Path, info: dict[str, Any]) -> list[str]:
    problems = []
    for key, path in (("smallIconUri", SMALL_ICON), ("largeIconUri", LARGE_ICON)):
        if info.get(key) != f"file://{path}":
            problems.append(f"{key}: expected file://{path}, found {info.get(key)!r}")
            continue
        size = ICON_SIZES[path]
        try:
            png = read_png(root / path)
        except (OSError, PngError) as exc:
            problems.append(f"{path}: {exc}")
            continue
        if (png.width, png.height) != (size, size):
            problems.append(f"{path}: {png.width}x{png.height}; Amazon needs {size}x{size}")
    return problems


def validate_package(root: Path, *, endpoint: str, locale: str) -> list[str]:
    """Every problem with the package at `root` (a skill-package folder); [] when it is good."""
    try:
        manifest = json.loads((root / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return [f"{MANIFEST_FILE}: cannot read it: {exc}"]
    problems = check_manifest(manifest, endpoint=endpoint)
    model_path = root / model_file(locale)
    try:
        packaged = model_path.read_bytes()
        model = json.loads(packaged)
        index = SampleIndex(model)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return [*problems, f"{model_file(locale)}: cannot read it: {exc}"]
    if packaged != interaction_model_path(locale).read_bytes():
        problems.append(f"{model_file(locale)}: differs from the project's interaction model")
    info = manifest.get("manifest", {}).get("publishingInformation", {})
    info = info.get("locales", {}).get(locale)
    if not isinstance(info, dict):
        return [*problems, f"publishingInformation.locales.{locale}: missing"]
    phrases = info.get("examplePhrases")
    if isinstance(phrases, list) and all(isinstance(p, str) for p in phrases):
        problems.extend(check_example_phrases(phrases, index))
    problems.extend(_icon_problems(root, info))
    return problems
