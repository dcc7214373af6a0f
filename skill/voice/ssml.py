"""SSML: a turn's speech segments as `<speak>…</speak>`, inside Alexa's speech limits.

The voice layer's one writer of markup: every text is XML-escaped here. Core composes
segments (skill/core/speech.py) and never sees SSML.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from xml.sax.saxutils import escape, quoteattr

from skill.core.sets import SetTimeline
from skill.core.speech import (
    AudioClip,
    Pause,
    PhoneNumber,
    Segment,
    Set,
    Speech,
    Text,
    hold_plan,
)
from skill.core.timeline import Cue, estimate_speech_ms

MAX_BREAK_MS = 10_000
MAX_SSML_CHARS = 8000
MAX_AUDIO_TAGS = 5
MAX_AUDIO_SECONDS = 240.0
MAX_REPROMPT_AUDIO_SECONDS = 90.0


class SpeechLimitError(ValueError):
    """A response would break one of Alexa's speech limits (docs/alexa-platform.md)."""


def break_tags(ms: int) -> Iterator[str]:
    """Silence of `ms` as breaks of at most 10 s each (Alexa's per-break limit)."""
    while ms > 0:
        chunk = min(ms, MAX_BREAK_MS)
        yield f'<break time="{chunk}ms"/>'
        ms -= chunk


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
    if isinstance(segment, Set):
        return set_ssml(segment.timeline, (None,) * len(segment.timeline.holds))
    return " ".join(
        escape(text) + "".join(break_tags(gap)) for text, gap in hold_plan(segment.timeline)
    )


def voiced_cues(timeline: SetTimeline, clips: tuple[tuple[str, float] | None, ...]) -> list[Cue]:
    """A set's cues said in Alexa's voice: all but those of holds a clip stands in for."""
    cues = list(timeline.cues)
    for hold, clip in zip(timeline.holds, clips, strict=True):
        if clip is None:
            cues.extend(hold.cues())
    return sorted(cues, key=lambda c: c.offset_ms)


def to_ssml(speech: Speech, *, reprompt: bool = False) -> str:
    """Render to `<speak>…</speak>`, enforcing docs/alexa-platform.md's limits."""
    return _ssml(tuple(speech.segments), reprompt)


@functools.lru_cache(maxsize=1024)
def _ssml(segments: tuple[Segment, ...], reprompt: bool) -> str:
    """Cached: most turns are said, word for word, to many people (segments are frozen, so
    equal segments give equal SSML; a limit error is raised again every time). On the
    benchmark's mix it saves about 30 µs a request (docs/caches.md)."""
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


SPEAK_OPEN, SPEAK_CLOSE = "<speak>", "</speak>"


def _inner(ssml: str | None) -> str:
    """The markup inside <speak>…</speak>."""
    if not ssml:
        return ""
    return ssml.removeprefix(SPEAK_OPEN).removesuffix(SPEAK_CLOSE).strip()


def join_ssml(*parts: str | None) -> str:
    """Several <speak> documents as one, inside the 8000-character limit."""
    ssml = SPEAK_OPEN + " ".join(p for p in map(_inner, parts) if p) + SPEAK_CLOSE
    if len(ssml) >= MAX_SSML_CHARS:
        raise SpeechLimitError(f"SSML is {len(ssml)} characters; must be under {MAX_SSML_CHARS}")
    return ssml


def set_ssml(timeline: SetTimeline, clips: tuple[tuple[str, float] | None, ...]) -> str:
    """The set as SSML markup (inside <speak>): lead-in, then each cue after a break that
    fills the time to its offset; a clip as <audio> in place of its hold's cues."""
    parts = []
    at = 0
    if timeline.lead:
        parts.append(" ".join(_segment_ssml(s) for s in timeline.lead))
        at = sum(estimate_speech_ms(s.text) for s in timeline.lead if isinstance(s, Text))
        at += sum(s.ms for s in timeline.lead if isinstance(s, Pause))
    events: list[tuple[int, str, float]] = [
        (c.offset_ms, escape(c.text), -1.0) for c in voiced_cues(timeline, clips)
    ]
    for hold, clip in zip(timeline.holds, clips, strict=True):
        if clip is not None:
            events.append((hold.start_ms, f"<audio src={quoteattr(clip[0])}/>", clip[1]))
    for offset, markup, clip_seconds in sorted(events, key=lambda e: e[0]):
        parts.append("".join(break_tags(offset - at)))
        parts.append(markup)
        at = max(at, offset)
        at += int(clip_seconds * 1000) if clip_seconds >= 0 else estimate_speech_ms(markup)
    return " ".join(p for p in parts if p)
