"""The clip manifest: which rendered clip is where, what it says and whether it is current.

Handlers read it to decide between an `<audio>` clip and spoken SSML; the builder reads it to
skip clips whose words, timing and engine have not changed. Written atomically, like the clips.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from skill.files import publish

MANIFEST_NAME = "manifest.json"
MANIFEST_VERSION = 1


@dataclass(frozen=True)
class ClipEntry:
    id: str
    file: str  # relative to the manifest's directory
    text: str
    engine: str
    engine_note: str
    duration_ms: int
    cue_offsets_ms: list[int]
    sha256: str
    key: str
    kind: str = "hold"
    warnings: list[str] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return self.duration_ms / 1000


@dataclass
class Manifest:
    dir: Path
    clips: dict[str, ClipEntry] = field(default_factory=dict)
    sample_rate: int = 24_000
    bitrate: int = 48_000

    def clip(self, clip_id: str) -> ClipEntry | None:
        return self.clips.get(clip_id)

    def path(self, clip_id: str) -> Path | None:
        entry = self.clip(clip_id)
        return self.dir / entry.file if entry else None

    def has_file(self, clip_id: str) -> bool:
        """The entry exists and its MP3 is on disk (content not re-hashed: that is build's job)."""
        path = self.path(clip_id)
        return path is not None and path.is_file()

    def url(self, clip_id: str, base_url: str) -> str | None:
        """The clip's public URL under `base_url` (must be HTTPS for Alexa), or None."""
        entry = self.clip(clip_id)
        return f"{base_url.rstrip('/')}/{entry.file}" if entry else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": MANIFEST_VERSION,
            "sample_rate": self.sample_rate,
            "bitrate": self.bitrate,
            "clips": {cid: asdict(e) for cid, e in sorted(self.clips.items())},
        }

    def save(self) -> Path:
        """Write atomically (temp file in the same directory, then os.replace), umask honoured."""
        self.dir.mkdir(parents=True, exist_ok=True)
        target = self.dir / MANIFEST_NAME
        fd, tmp = tempfile.mkstemp(prefix=".tmp-manifest-", suffix=".json", dir=self.dir)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(self.to_dict(), f, indent=2, ensure_ascii=False)
                f.write("\n")
            publish(tmp, target)  # mode 0666 & ~umask, not mkstemp's 0600
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return target


def load_manifest(directory: Path | str) -> Manifest:
    """Read `directory/manifest.json`; missing or unreadable means an empty manifest.

    Never raises for a bad file: the skill then speaks the holds as SSML, and the next build
    re-renders everything.
    """
    directory = Path(directory)
    manifest = Manifest(directory)
    try:
        data = json.loads((directory / MANIFEST_NAME).read_text(encoding="utf-8"))
        if data.get("version") != MANIFEST_VERSION:
            return manifest
        for cid, raw in data["clips"].items():
            manifest.clips[cid] = ClipEntry(**raw)
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return Manifest(directory)
    return manifest


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


class LiveManifest:
    """The manifest of a directory, re-read whenever the file changes on disk.

    The web app and the skill share one, so a `build-audio` while serving takes effect on
    the next request, without a restart. Costs one stat() per use.
    """

    def __init__(self, directory: Path | str) -> None:
        self.directory = Path(directory)
        self._manifest: Manifest | None = None
        self._stamp: tuple[int, int] | None = None

    def get(self) -> Manifest:
        try:
            stat = (self.directory / MANIFEST_NAME).stat()
            stamp: tuple[int, int] | None = (stat.st_mtime_ns, stat.st_size)
        except OSError:
            stamp = None
        if self._manifest is None or stamp != self._stamp:
            self._manifest, self._stamp = load_manifest(self.directory), stamp
        return self._manifest
