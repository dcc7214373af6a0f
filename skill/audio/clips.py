"""What the skill needs pre-rendered, and how one clip is laid out from its timeline.

A clip is a list of (offset_ms, text) cues plus optional synthesised tones. Hold clips come
from `build_hold_timeline`, the same timeline the SSML and APL-A renderers use, so a rendered
clip and a spoken hold can never disagree about when "Halfway" comes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

import numpy as np

from skill.audio.mixing import (
    SAMPLE_RATE,
    chime,
    mix,
    ms_to_samples,
    normalize,
    resample,
    samples_to_ms,
    trim_silence,
)
from skill.audio.tts import Engine
from skill.core.content import Content
from skill.core.timeline import VARIANTS, HoldTimeline, build_hold_timeline, count_in

RENDER_VERSION = 2  # bump when mixing/encoding changes so every clip's key changes (2: no Xing)
HOLD_CLIP_SECONDS = (30, 45, 60)  # the hold lengths offered as rendered clips
TAIL_MS = 250  # silence after the last sound, so a clip never ends mid-decay
SYNTH_ENGINE = "synth"  # the "engine" of clips made only of synthesised tones
GET_READY_ID = "get-ready"
CHIME_SWITCH_ID = "chime-switch"
CHIME_END_ID = "chime-end"


class Voice:
    """An engine's speech at 24 kHz, edges trimmed, peak-normalised, cached per text.

    Trimming makes the sound start exactly at a cue's offset; the common peak keeps every clip
    equally loud. The cache matters: the count words recur in every clip.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._cache: dict[str, np.ndarray] = {}

    @property
    def name(self) -> str:
        return self.engine.name

    @property
    def note(self) -> str:
        return self.engine.note

    def speak(self, text: str) -> np.ndarray:
        if text not in self._cache:
            samples, rate = self.engine.synthesize(text)
            self._cache[text] = normalize(trim_silence(resample(samples, rate, SAMPLE_RATE)))
        return self._cache[text]

    def seconds(self, text: str) -> float:
        return samples_to_ms(self.speak(text).size) / 1000


@dataclass(frozen=True)
class ClipSpec:
    """One clip to render: cues to speak and tones to play, each at an exact offset."""

    id: str
    kind: str  # "hold" | "count" | "chime"
    cues: tuple[tuple[int, str], ...] = ()
    tones: tuple[tuple[int, float], ...] = ()  # (offset_ms, chime base frequency)
    min_length_ms: int = 0
    timeline: HoldTimeline | None = field(default=None, compare=False)

    @property
    def text(self) -> str:
        return " ".join(t for _, t in self.cues) or "(chime)"

    @property
    def offsets_ms(self) -> list[int]:
        return [at for at, _ in self.cues]

    def engine_for(self, voice_name: str) -> str:
        return voice_name if self.cues else SYNTH_ENGINE

    def key(self, voice_name: str) -> str:
        """Cache key: a clip is re-rendered only when its words, timing or engine change."""
        blob = {
            "v": RENDER_VERSION,
            "text": [t for _, t in self.cues],
            "offsets": self.offsets_ms,
            "engine": self.engine_for(voice_name),
            "tones": [list(t) for t in self.tones],
            "min_length": self.min_length_ms,
        }
        data = json.dumps(blob, sort_keys=True, separators=(",", ":")).encode()
        return hashlib.sha256(data).hexdigest()


def hold_spec(timeline: HoldTimeline) -> ClipSpec:
    """A hold clip: starts at the start cue, ends after the release cue's speech."""
    cues = tuple((c.offset_ms, c.text) for c in timeline.cues)
    return ClipSpec(timeline.clip_id, "hold", cues, timeline=timeline)


def count_spec(content: Content) -> ClipSpec:
    """The get-ready count, one word per second, lasting a whole second per word."""
    words = count_in(content)
    cues = tuple((i * 1000, w) for i, w in enumerate(words))
    return ClipSpec(GET_READY_ID, "count", cues, min_length_ms=len(words) * 1000)


CHIMES = (
    ClipSpec(CHIME_SWITCH_ID, "chime", tones=((0, 660.0),)),
    ClipSpec(CHIME_END_ID, "chime", tones=((0, 880.0), (350, 660.0))),
)


def hold_seconds_options(content: Content) -> list[int]:
    r = content.routine
    wanted = set(HOLD_CLIP_SECONDS) | {r.hold_seconds_default}
    return sorted(s for s in wanted if r.hold_seconds_min <= s <= r.hold_seconds_max)


def clip_specs(content: Content) -> list[ClipSpec]:
    """Every clip the skill can ask for: each stretch × hold length × variant, count, chimes."""
    specs = [
        hold_spec(build_hold_timeline(content, stretch_id, seconds, variant))
        for stretch_id in content.stretches
        for seconds in hold_seconds_options(content)
        for variant in range(VARIANTS)
    ]
    return [*specs, count_spec(content), *CHIMES]


@dataclass
class RenderedClip:
    samples: np.ndarray
    warnings: list[str]

    @property
    def duration_ms(self) -> int:
        return round(samples_to_ms(self.samples.size))


def render_clip(spec: ClipSpec, voice: Voice) -> RenderedClip:
    """Mix the clip: every cue's speech and every tone placed at its exact sample offset."""
    placed: list[tuple[int, np.ndarray]] = []
    warnings: list[str] = []
    for i, (at, text) in enumerate(spec.cues):
        speech = voice.speak(text)
        placed.append((ms_to_samples(at), speech))
        if i + 1 < len(spec.cues):
            overrun = at + samples_to_ms(speech.size) - spec.cues[i + 1][0]
            if overrun > 0:
                warnings.append(
                    f"{spec.id}: {text!r} at {at} ms runs {overrun:.0f} ms into the next cue"
                )
    placed += [(ms_to_samples(at), chime(hz)) for at, hz in spec.tones]
    end = max((start + s.size for start, s in placed), default=0)
    length = max(end + ms_to_samples(TAIL_MS), ms_to_samples(spec.min_length_ms))
    return RenderedClip(mix(placed, length), warnings)


def expected_length_ms(spec: ClipSpec, voice: Voice) -> float:
    """The clip's length by its layout: last sound's end + tail (or the minimum length)."""
    ends = [at + samples_to_ms(voice.speak(t).size) for at, t in spec.cues]
    ends += [at + samples_to_ms(chime(hz).size) for at, hz in spec.tones]
    return max(max(ends, default=0.0) + TAIL_MS, float(spec.min_length_ms))
