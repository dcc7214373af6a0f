"""What the audio manifest's live reload saves per use (docs/caches.md): `LiveManifest.get` (one
stat of manifest.json) against reading and parsing the manifest every time (`load_manifest`),
with a manifest of the size a full `build-audio` writes (every clip spec of the content).

    python -m bench.manifest_reload

The benchmark's requests never ask (it serves no clips: no audio base URL); a deployment with
clips asks once per hold response.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from skill.audio.clips import clip_specs
from skill.core.content import load_content
from skill.voice.manifest import ClipEntry, LiveManifest, Manifest, load_manifest


def cpu_seconds_per_call(fn: Callable[[], Any], calls: int = 200, rounds: int = 7) -> float:
    times = []
    for _ in range(rounds):
        started = time.process_time()
        for _ in range(calls):
            fn()
        times.append((time.process_time() - started) / calls)
    return statistics.median(times)


def main() -> int:
    specs = clip_specs(load_content())
    with tempfile.TemporaryDirectory(prefix="hamstring-manifest-") as name:
        directory = Path(name)
        manifest = Manifest(directory)
        for spec in specs:
            manifest.clips[spec.id] = ClipEntry(
                id=spec.id,
                file=f"{spec.id}.mp3",
                text="x" * 400,
                engine="espeak-ng",
                engine_note="",
                duration_ms=31_000,
                cue_offsets_ms=list(range(0, 30_000, 2_000)),
                sha256="0" * 64,
                key="k" * 64,
            )
            (directory / f"{spec.id}.mp3").write_bytes(b"")
        manifest.save()
        live = LiveManifest(directory)
        live.get()
        kept = cpu_seconds_per_call(live.get)
        reread = cpu_seconds_per_call(lambda: load_manifest(directory))
    print(
        f"{len(specs)} clips: LiveManifest.get {kept * 1e6:.1f} us, "
        f"load_manifest {reread * 1e6:.1f} us per use"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
