"""Render every clip the skill needs into a directory with a manifest; skip what is current."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from tqdm import tqdm

from skill.audio.clips import SYNTH_ENGINE, ClipSpec, Voice, clip_specs, render_clip
from skill.audio.mixing import encode_mp3
from skill.audio.mp3 import playing_ms
from skill.audio.tts import pick_engine
from skill.core.content import Content, load_content
from skill.voice.manifest import ClipEntry, Manifest, load_manifest, sha256_file


class WouldReplace(RuntimeError):
    """An automatic fallback engine would overwrite clips another engine rendered."""

    def __init__(self, out_dir: Path, voice: Voice, replaced: dict[str, int]) -> None:
        engines = ", ".join(f"{n} by {engine}" for engine, n in sorted(replaced.items()))
        super().__init__(
            f"{voice.note}; {out_dir / 'manifest.json'} lists clips rendered by another "
            f"engine ({engines}), which this build would replace with {voice.name} ones"
        )
        self.replaced = replaced


@dataclass
class BuildReport:
    out_dir: Path
    engine: str
    engine_note: str
    rendered: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    total_bytes: int = 0  # all clips in the manifest, rendered now or before

    @property
    def clip_count(self) -> int:
        return len(self.rendered) + len(self.skipped)

    def summary(self) -> str:
        note = f" ({self.engine_note})" if self.engine_note else ""
        return (
            f"{len(self.rendered)} rendered, {len(self.skipped)} up to date, "
            f"{self.total_bytes / 1e6:.1f} MB in {self.out_dir}, engine {self.engine}{note}, "
            f"{self.seconds:.1f} s"
        )


def _current(manifest: Manifest, spec: ClipSpec, key: str) -> bool:
    """Up to date = same key, and the file on disk is exactly the one recorded."""
    entry = manifest.clip(spec.id)
    if entry is None or entry.key != key or not manifest.has_file(spec.id):
        return False
    return sha256_file(manifest.dir / entry.file) == entry.sha256


def build_audio(
    out_dir: Path,
    engine: str = "auto",
    force: bool = False,
    progress: bool = True,
    only: Iterable[str] | Callable[[str], bool] | None = None,
    content: Content | None = None,
) -> BuildReport:
    """Render every clip (or those `only` selects) into `out_dir`, plus manifest.json.

    Idempotent: a clip is re-rendered only if its words, offsets or engine changed, or its
    MP3 is missing or altered. The manifest is saved after each clip, so an interrupted build
    keeps its work. With `only`, entries of other clips are kept as they were.

    With engine "auto", a fallback (gTTS unreachable, so espeak-ng) raises WouldReplace before
    rendering anything if the manifest has clips by another speech engine: an offline build
    must not quietly turn the committed gTTS manifest into an espeak-ng one. Asking for the
    engine (`engine="espeak"`) replaces them; another `out_dir` leaves them alone.
    """
    started = time.monotonic()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)  # the clip folder, e.g. in the user data dir
    content = content or load_content()
    voice = Voice(pick_engine(engine))
    specs = clip_specs(content)
    if only is not None:
        keep = only if callable(only) else set(only).__contains__
        specs = [s for s in specs if keep(s.id)]
    manifest = load_manifest(out_dir)
    if engine == "auto" and voice.note:  # fell back: never replace better clips unasked
        replaced: dict[str, int] = {}
        for spec in specs:
            entry = manifest.clip(spec.id)
            if entry is not None and entry.engine not in (SYNTH_ENGINE, voice.name):
                replaced[entry.engine] = replaced.get(entry.engine, 0) + 1
        if replaced:
            raise WouldReplace(out_dir, voice, replaced)
    if only is None:  # drop entries of clips the content no longer has
        wanted = {s.id for s in specs}
        manifest.clips = {k: v for k, v in manifest.clips.items() if k in wanted}
    report = BuildReport(out_dir, voice.name, voice.note)
    show = progress and sys.stderr.isatty()
    for spec in tqdm(specs, desc="clips", unit="clip", disable=not show):
        key = spec.key(voice.name)
        if not force and _current(manifest, spec, key):
            report.skipped.append(spec.id)
            entry = manifest.clips[spec.id]
            note = "" if not spec.cues else voice.note
            if entry.engine_note != note:  # same audio, but say how it was chosen this time
                manifest.clips[spec.id] = replace(entry, engine_note=note)
            continue
        clip = render_clip(spec, voice)
        path = out_dir / f"{spec.id}.mp3"
        encode_mp3(clip.samples, path)
        is_synth = not spec.cues
        manifest.clips[spec.id] = ClipEntry(
            id=spec.id,
            file=path.name,
            text=spec.text,
            engine=spec.engine_for(voice.name),
            engine_note="" if is_synth else voice.note,
            duration_ms=round(playing_ms(path)),  # what a device plays, delay included
            cue_offsets_ms=spec.offsets_ms,
            sha256=sha256_file(path),
            key=key,
            kind=spec.kind,
            warnings=clip.warnings,
        )
        report.rendered.append(spec.id)
        report.warnings += clip.warnings
        manifest.save()
    manifest.save()
    report.total_bytes = sum(
        (out_dir / e.file).stat().st_size for e in manifest.clips.values() if e.file
    )
    report.seconds = time.monotonic() - started
    return report
