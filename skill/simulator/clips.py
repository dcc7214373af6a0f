"""Rendered clips the skill may reference in `<audio>` or APL-A `Audio`, found by URL.

The skill points at `{SKILL_AUDIO_BASE_URL}/<file>`; the simulator knows the same files from
the audio manifest, so it can time them exactly and, when speaking, play the real clip.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from skill.voice.manifest import ClipEntry, Manifest, load_manifest

AUDIO_DIR = Path(__file__).resolve().parents[2] / "audio"


class ClipLookup:
    """Manifest entries by the file name at the end of a source URL."""

    def __init__(self, manifest: Manifest | None = None) -> None:
        self.manifest = manifest if manifest is not None else load_manifest(AUDIO_DIR)
        self._by_file = {e.file: e for e in self.manifest.clips.values()}

    def entry(self, source: str) -> ClipEntry | None:
        if source.startswith("soundbank://"):
            return None
        return self._by_file.get(PurePosixPath(urlsplit(source).path).name)

    def ms(self, source: str) -> int | None:
        """The clip's length from the manifest, or None if unknown."""
        entry = self.entry(source)
        return entry.duration_ms if entry else None

    def path(self, source: str) -> Path | None:
        """The rendered file on disk, if it has been built (MP3s are not in git)."""
        entry = self.entry(source)
        if entry is None:
            return None
        path = self.manifest.dir / entry.file
        return path if path.is_file() else None
