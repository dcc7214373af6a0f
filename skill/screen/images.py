"""The committed PNG card pictures (`skill/screen/images/`) and their manifest.

Standard cards carry two picture URLs, a small and a large one; Amazon recommends 720 x 480 and
1200 x 800 pixels. The PNGs are drawn from the same AVG source as the Echo Show screens by
`hamstring-coach build-images` (skill/preview/images.py, offline, with Chromium) and committed,
so the server needs no browser. The manifest lists every file with its size and SHA-256 (the
web layer serves only listed files, with the hash as ETag) and the hash of the drawings it was
built from, so a stale build is caught (`build-images --check`, and the tests).
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from skill.screen.art import STRETCHES, graphic_name, source_text

IMAGES_FOLDER = "images"
MANIFEST_NAME = "manifest.json"
MANIFEST_VERSION = 1
# Amazon's recommended Standard card picture sizes (docs/pictures.md cites the page).
CARD_SIZES: dict[str, tuple[int, int]] = {"small": (720, 480), "large": (1200, 800)}

_extracted = contextlib.ExitStack()  # files unpacked from a zipped install, kept until exit
atexit.register(_extracted.close)


@dataclass(frozen=True)
class ImageEntry:
    """One PNG the manifest lists."""

    file: str
    width: int
    height: int
    sha256: str
    stretch_id: str
    leg: str
    size: str


def image_file_name(stretch_id: str, leg: str, size: str) -> str:
    """ "pose_seated_right_small.png": the drawing's APL name and the card size."""
    if size not in CARD_SIZES:
        raise ValueError(f"size must be one of {', '.join(CARD_SIZES)}, not {size!r}")
    return f"{graphic_name(stretch_id, leg)}_{size}.png"


def art_source_sha256() -> str:
    """The SHA-256 of every drawing's source (name and text), in a fixed order."""
    digest = hashlib.sha256()
    for stretch_id in STRETCHES:
        digest.update(f"{stretch_id}\n".encode())
        digest.update(source_text(stretch_id).encode("utf-8"))
    return digest.hexdigest()


def images_dir() -> Path:
    """The folder holding the committed PNGs and manifest (a real path, even when zipped)."""
    folder = resources.files("skill.screen").joinpath(IMAGES_FOLDER)
    if isinstance(folder, Path):
        return folder
    return _extracted.enter_context(resources.as_file(folder))


def parse_manifest(data: dict[str, Any]) -> dict[str, ImageEntry]:
    """The manifest's entries by file name (ValueError when it is not one of ours)."""
    if data.get("version") != MANIFEST_VERSION:
        version = data.get("version")
        raise ValueError(f"image manifest version {version!r} is not {MANIFEST_VERSION}")
    return {name: ImageEntry(file=name, **fields) for name, fields in data["files"].items()}


def read_manifest(folder: Path | None = None) -> dict[str, Any]:
    """The manifest as JSON data ({} when there is none)."""
    path = (folder or images_dir()) / MANIFEST_NAME
    if not path.is_file():
        return {}
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@cache
def committed_images() -> dict[str, ImageEntry]:
    """The committed PNGs by file name (read once: they change only with a new release)."""
    data = read_manifest()
    return parse_manifest(data) if data else {}


def card_image_urls(base_url: str, stretch_id: str, leg: str = "right") -> tuple[str, str] | None:
    """(small, large) HTTPS URLs of the stretch's card pictures, or None if not both are built."""
    if not base_url.startswith("https://"):
        return None
    images = committed_images()
    names = [image_file_name(stretch_id, leg, size) for size in CARD_SIZES]
    if not all(name in images for name in names):
        return None
    base = base_url.rstrip("/")
    return f"{base}/{names[0]}", f"{base}/{names[1]}"
