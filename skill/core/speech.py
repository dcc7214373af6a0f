"""Speech composer: what one turn says, as segments, with the timing model and plain text.

Handlers never write SSML. They build a `Speech` from segments (text, pauses, phone numbers,
hold timelines, audio clips); the voice layer turns the same segments into SSML
(skill/voice/ssml.py, where all text is XML-escaped), APL for Audio or rendered clips.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from skill.core.timeline import HoldTimeline, estimate_speech_ms

if TYPE_CHECKING:
    from skill.core.sets import SetTimeline


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Pause:
    ms: int


@dataclass(frozen=True)
class PhoneNumber:
    digits: str
    end: str = "."  # the number usually ends a sentence; the full stop gives the pause


@dataclass(frozen=True)
class Hold:
    timeline: HoldTimeline


@dataclass(frozen=True)
class AudioClip:
    src: str
    seconds: float


@dataclass(frozen=True)
class Set:
    """Several holds with the words between them, on one clock (skill/core/sets.py)."""

    timeline: SetTimeline


Segment = Text | Pause | PhoneNumber | Hold | AudioClip | Set


@dataclass
class Speech:
    """An ordered list of speech segments with a fluent builder."""

    segments: list[Segment] = field(default_factory=list)

    def say(self, *texts: str) -> Speech:
        for text in texts:
            if text.strip():
                self.segments.append(Text(" ".join(text.split())))
        return self

    def pause(self, seconds: float) -> Speech:
        ms = round(seconds * 1000)
        if ms > 0:
            self.segments.append(Pause(ms))
        return self

    def phone(self, digits: str) -> Speech:
        self.segments.append(PhoneNumber(digits))
        return self

    def hold(self, timeline: HoldTimeline) -> Speech:
        self.segments.append(Hold(timeline))
        return self

    def audio(self, src: str, seconds: float) -> Speech:
        self.segments.append(AudioClip(src, seconds))
        return self

    def extend(self, other: Speech) -> Speech:
        self.segments.extend(other.segments)
        return self

    @property
    def holds(self) -> list[HoldTimeline]:
        return [s.timeline for s in self.segments if isinstance(s, Hold)]


# --- the timing model of a hold --------------------------------------------------------


def hold_plan(timeline: HoldTimeline) -> list[tuple[str, int]]:
    """The hold as (cue text, silence after it in ms), by the timing model.

    Each silence fills the gap to the next cue's offset. When the estimated speech runs past
    the next offset, the next cue starts late: the hold grows, it never shrinks.
    """
    plan = []
    at_ms = 0
    cues = timeline.cues
    for i, cue in enumerate(cues):
        at_ms = max(at_ms, cue.offset_ms) + estimate_speech_ms(cue.text)
        gap_ms = max(0, cues[i + 1].offset_ms - at_ms) if i + 1 < len(cues) else 0
        plan.append((cue.text, gap_ms))
        at_ms += gap_ms
    return plan


def hold_length_seconds(timeline: HoldTimeline) -> float:
    """Estimated time from the start cue's onset to the release cue's onset."""
    plan = hold_plan(timeline)
    return sum(estimate_speech_ms(text) + gap for text, gap in plan[:-1]) / 1000


def to_text(speech: Speech) -> str:
    """Plain text of what is said (cards, logs, the simulator); holds as their cues."""
    parts: list[str] = []
    for segment in speech.segments:
        if isinstance(segment, Text):
            parts.append(segment.text)
        elif isinstance(segment, PhoneNumber):
            parts.append(_pretty_phone(segment.digits) + segment.end)
        elif isinstance(segment, Hold):
            parts.extend(cue.text for cue in segment.timeline.cues)
        elif isinstance(segment, Set):
            parts.append(to_text(Speech(list(segment.timeline.lead))))
            parts.extend(cue.text for cue in segment.timeline.all_cues())
    return " ".join(p for p in parts if p)


def _pretty_phone(digits: str) -> str:
    if len(digits) == 10:
        return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"
    return digits
