"""Speech composer: what one turn says, as segments, rendered to SSML inside Alexa's limits.

Handlers never write SSML. They build a `Speech` from segments (text, pauses, phone numbers,
hold timelines, audio clips); renderers turn the same segments into SSML (here), APL for Audio
or rendered clips. All text is XML-escaped here, in one place.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from skill.core.timeline import HoldTimeline, estimate_speech_ms, estimate_speech_seconds

MAX_BREAK_MS = 10_000
MAX_SSML_CHARS = 8000
MAX_AUDIO_TAGS = 5
MAX_AUDIO_SECONDS = 240.0
MAX_REPROMPT_AUDIO_SECONDS = 90.0


class SpeechLimitError(ValueError):
    """A response would break one of Alexa's speech limits (ALEXA.md)."""


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


Segment = Text | Pause | PhoneNumber | Hold | AudioClip


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

    def estimated_seconds(self) -> float:
        """Estimated playing time by the timing model (speech estimate + pauses + clips)."""
        return sum(_segment_seconds(s) for s in self.segments)


def _segment_seconds(segment: Segment) -> float:
    if isinstance(segment, Text):
        return estimate_speech_seconds(segment.text)
    if isinstance(segment, Pause):
        return segment.ms / 1000
    if isinstance(segment, PhoneNumber):
        return len(segment.digits) * 0.35
    if isinstance(segment, AudioClip):
        return segment.seconds
    return hold_ssml_seconds(segment.timeline)


# --- SSML ---------------------------------------------------------------------------------


def break_tags(ms: int) -> Iterator[str]:
    """Silence of `ms` as breaks of at most 10 s each (Alexa's per-break limit)."""
    while ms > 0:
        chunk = min(ms, MAX_BREAK_MS)
        yield f'<break time="{chunk}ms"/>'
        ms -= chunk


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


def hold_ssml_seconds(timeline: HoldTimeline) -> float:
    """Estimated playing time of the SSML hold, including the release cue."""
    return sum(estimate_speech_ms(text) + gap for text, gap in hold_plan(timeline)) / 1000


def hold_length_seconds(timeline: HoldTimeline) -> float:
    """Estimated time from the start cue's onset to the release cue's onset."""
    plan = hold_plan(timeline)
    return sum(estimate_speech_ms(text) + gap for text, gap in plan[:-1]) / 1000


def _segment_ssml(segment: Segment) -> str:
    if isinstance(segment, Text):
        return escape(segment.text)
    if isinstance(segment, Pause):
        return "".join(break_tags(segment.ms))
    if isinstance(segment, PhoneNumber):
        number = f'<say-as interpret-as="telephone">{escape(segment.digits)}</say-as>'
        return number + escape(segment.end)
    if isinstance(segment, AudioClip):
        return f"<audio src={quoteattr(segment.src)}/>"
    return " ".join(
        escape(text) + "".join(break_tags(gap)) for text, gap in hold_plan(segment.timeline)
    )


def to_ssml(speech: Speech, *, reprompt: bool = False) -> str:
    """Render to `<speak>…</speak>`, enforcing ALEXA.md's limits."""
    return _ssml(tuple(speech.segments), reprompt)


def _ssml(segments: tuple[Segment, ...], reprompt: bool) -> str:
    clips = [s for s in segments if isinstance(s, AudioClip)]
    if len(clips) > MAX_AUDIO_TAGS:
        raise SpeechLimitError(f"{len(clips)} audio clips; at most {MAX_AUDIO_TAGS}")
    limit = MAX_REPROMPT_AUDIO_SECONDS if reprompt else MAX_AUDIO_SECONDS
    if sum(c.seconds for c in clips) > limit:
        raise SpeechLimitError(f"audio longer than {limit:.0f} s")
    ssml = "<speak>" + " ".join(_segment_ssml(s) for s in segments) + "</speak>"
    if len(ssml) >= MAX_SSML_CHARS:
        raise SpeechLimitError(f"SSML is {len(ssml)} characters; must be under {MAX_SSML_CHARS}")
    return ssml


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
    return " ".join(parts)


def _pretty_phone(digits: str) -> str:
    if len(digits) == 10:
        return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"
    return digits
