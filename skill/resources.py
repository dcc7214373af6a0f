"""Where the skill's own files are: the one place that locates them.

Read-only files ship inside the package and are found with `importlib.resources`, never by
walking up from a source file, so a wheel, a pipx or container install, an editable install and
a plain checkout all read the same files:

- the interaction models: the checkout's top-level `interaction_model/` (the folder the Alexa
  console gets) is the package `skill.interaction_model` (pyproject `package-dir`);
- the committed audio manifest: the checkout's `audio/manifest.json` is the package data of
  `skill.audio_manifest`, mapped the same way (the MP3s never ship: they are build output);
- the content YAML lives in `skill.core.content` and is read by its loader.

When the code runs from a checkout (editable install, or none: `python -m skill.cli` or pytest
from the checkout), the folders are read at the top of that checkout, where the mapping points.
That is the same place for an editable install of this checkout, and the right one for a second
checkout or git worktree run with `PYTHONPATH=.` beside an editable install of the first (the
installed mapping would hand it the first checkout's model).

The audio *directory* is different: build-audio writes clips there, so it must be writable.
`default_audio_dir()` is the checkout's `audio/` when the code runs from a checkout (editable
or not), else `<user data dir>/hamstring-coach/audio`; SKILL_AUDIO_DIR overrides both.
"""

from __future__ import annotations

import atexit
import contextlib
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

import platformdirs

APP_NAME = "hamstring-coach"
MODEL_PACKAGE = "skill.interaction_model"  # <- interaction_model/ in a checkout
AUDIO_MANIFEST_PACKAGE = "skill.audio_manifest"  # <- audio/ in a checkout
_FOLDERS = {MODEL_PACKAGE: "interaction_model", AUDIO_MANIFEST_PACKAGE: "audio"}
AUDIO_MANIFEST_NAME = "manifest.json"

_extracted = contextlib.ExitStack()  # files unpacked from a zipped install, kept until exit
atexit.register(_extracted.close)


def checkout_root() -> Path | None:
    """The source checkout this code runs from (editable install or none), else None."""
    root = Path(__file__).resolve().parent.parent
    if (root / "pyproject.toml").is_file() and (root / "interaction_model").is_dir():
        return root
    return None


def package_files(package: str) -> Traversable:
    """A mapped package's files: at the top of the checkout this code runs from, else installed."""
    root = checkout_root()
    if root is not None:
        return root / _FOLDERS[package]
    return resources.files(package)


def _as_path(item: Traversable) -> Path:
    if isinstance(item, Path):
        return item
    return _extracted.enter_context(resources.as_file(item))


def interaction_model_locales() -> list[str]:
    return sorted(
        f.name.removesuffix(".json")
        for f in package_files(MODEL_PACKAGE).iterdir()
        if f.name.endswith(".json")
    )


def interaction_model_path(locale: str = "en-US") -> Path:
    """The interaction model's JSON file for `locale` (FileNotFoundError if there is none)."""
    item = package_files(MODEL_PACKAGE).joinpath(f"{locale}.json")
    if not item.is_file():
        have = ", ".join(interaction_model_locales()) or "none"
        raise FileNotFoundError(f"no interaction model for locale {locale!r} (have: {have})")
    return _as_path(item)


def audio_manifest_path() -> Path:
    """The committed audio manifest (the reference build's clip list; it has no MP3s)."""
    return _as_path(package_files(AUDIO_MANIFEST_PACKAGE).joinpath(AUDIO_MANIFEST_NAME))


def default_audio_dir() -> Path:
    """Where build-audio writes and the skill serves clips when SKILL_AUDIO_DIR is unset."""
    root = checkout_root()
    if root is not None:
        return root / "audio"
    return platformdirs.user_data_path(APP_NAME) / "audio"
