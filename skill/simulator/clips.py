"""Rendered clips the skill may reference in `<audio>` or APL-A `Audio`, found by URL.

The skill points at `{SKILL_AUDIO_BASE_URL}/<file>`; the simulator knows the same files from
the audio manifest, so it can time them exactly and, when speaking, play the real clip.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from skill.config import audio_dir_from_env
from skill.resources import audio_manifest_path
from skill.voice.manifest import MANIFEST_NAME, ClipEntry, Manifest, load_manifest


class ClipLookup:
    """Manifest entries by the file name at the end of a source URL."""

    def __init__(self, manifest: Manifest | None = None) -> None:
        if manifest is None:
            manifest = self.for_audio_dir(audio_dir_from_env()).manifest
        self.manifest = manifest
        self._by_file = {e.file: e for e in self.manifest.clips.values()}

    @classmethod
    def for_audio_dir(cls, directory: Path) -> ClipLookup:
        """The audio dir's manifest; without one, the packaged manifest's clip lengths.

        A skill served elsewhere (`--url`) may send clips this machine never built: the
        packaged manifest of the same release still says how long each one plays.
        """
        if (Path(directory) / MANIFEST_NAME).is_file():
            return cls(load_manifest(directory))
        packaged = audio_manifest_path()
        manifest = load_manifest(packaged.parent)
        return cls(
            Manifest(Path(directory), manifest.clips, manifest.sample_rate, manifest.bitrate)
        )

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
