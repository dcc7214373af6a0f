"""What a device would play for a response, as sounds placed on a timeline.

Both outputs of a response land here: `outputSpeech` SSML (speech, breaks, `<audio>`,
`say-as telephone`) plays in order; an APL for Audio document plays as its components say
(Sequencer one after another, Mixer all at once, Selector the first that applies). Every sound
gets an offset, computed with a `Measure`: the skill's own speaking-rate estimate by default,
or the real length of the synthesised audio when the simulator speaks, so printed offsets,
real-time waits and mixed audio all come from one timeline.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal
from xml.etree import ElementTree

from skill.core.timeline import estimate_speech_ms
from skill.voice.apla import DIRECTIVE_TYPE, SOUNDBANK_SECONDS

BREAK_STRENGTH_MS = {"none": 0, "x-weak": 100, "weak": 250, "medium": 400, "strong": 700,
                     "x-strong": 1000}  # fmt: skip
PHONE_SECONDS_PER_DIGIT = 0.35  # as skill/speech.py estimates a telephone say-as


@dataclass(frozen=True)
class Sound:
    """One thing played: words, a silence or an audio clip."""

    kind: Literal["speech", "pause", "audio"]
    text: str = ""
    ms: int = 0  # pauses only
    source: str = ""  # audio only
    phone: bool = False  # speech from <say-as interpret-as="telephone">


@dataclass(frozen=True)
class Cue:
    at_ms: int
    sound: Sound
    duration_ms: int


@dataclass(frozen=True)
class Playback:
    """Cues in playing order (by offset) and the total length."""

    cues: tuple[Cue, ...]
    length_ms: int


Measure = Callable[[Sound], int]


def estimate_measure(clip_ms: Callable[[str], int | None] | None = None) -> Measure:
    """Durations by the skill's timing model; `clip_ms` knows rendered clips' real lengths."""

    def measure(sound: Sound) -> int:
        if sound.kind == "pause":
            return sound.ms
        if sound.kind == "audio":
            known = clip_ms(sound.source) if clip_ms else None
            if known is not None:
                return known
            return int(SOUNDBANK_SECONDS * 1000) if sound.source.startswith("soundbank://") else 0
        if sound.phone:
            return int(len(re.sub(r"\D", "", sound.text)) * PHONE_SECONDS_PER_DIGIT * 1000)
        return estimate_speech_ms(sound.text)

    return measure


# --- SSML ---------------------------------------------------------------------------------


def _break_ms(element: ElementTree.Element) -> int:
    time = element.get("time", "")
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(ms|s)\s*", time)
    if m:
        return round(float(m.group(1)) * (1 if m.group(2) == "ms" else 1000))
    return BREAK_STRENGTH_MS.get(element.get("strength", "medium"), 400)


def format_phone(digits: str) -> str:
    """Ten digits read as 904-858-7045; anything else as given."""
    d = re.sub(r"\D", "", digits)
    return f"{d[:3]}-{d[3:6]}-{d[6:]}" if len(d) == 10 else digits.strip()


def ssml_sounds(ssml: str) -> list[Sound]:
    """SSML as sounds in order; text runs merged, adjacent breaks summed into one pause."""
    out: list[Sound] = []

    def add_text(text: str | None) -> None:
        words = " ".join((text or "").split())
        if not words:
            return
        if out and out[-1].kind == "speech" and not out[-1].phone:
            out[-1] = Sound("speech", f"{out[-1].text} {words}")
        else:
            out.append(Sound("speech", words))

    def add(sound: Sound) -> None:
        if sound.kind == "pause" and out and out[-1].kind == "pause":
            out[-1] = Sound("pause", ms=out[-1].ms + sound.ms)
        elif sound.kind != "pause" or sound.ms > 0:
            out.append(sound)

    def walk(element: ElementTree.Element) -> None:
        add_text(element.text)
        for child in element:
            tag = child.tag
            if tag == "break":
                add(Sound("pause", ms=_break_ms(child)))
            elif tag == "audio":
                add(Sound("audio", source=child.get("src", "")))
            elif tag == "say-as" and child.get("interpret-as") == "telephone":
                add(Sound("speech", format_phone("".join(child.itertext())), phone=True))
            else:
                walk(child)
            add_text(child.tail)

    try:
        # amazon:* tags use an undeclared prefix; make it a plain name for the parser.
        root = ElementTree.fromstring(ssml.replace("amazon:", "amazon-"))
    except ElementTree.ParseError:
        add_text(re.sub(r"<[^>]+>", " ", ssml))  # show what we can rather than nothing
        return out
    walk(root)
    return out


def sequence(sounds: Iterable[Sound], measure: Measure, start_ms: int = 0) -> Playback:
    """Sounds one after another from `start_ms`."""
    cues, at = [], start_ms
    for sound in sounds:
        duration = measure(sound)
        cues.append(Cue(at, sound, duration))
        at += duration
    return Playback(tuple(cues), at)


def ssml_playback(ssml: str, measure: Measure) -> Playback:
    return sequence(ssml_sounds(ssml), measure)


# --- APL for Audio ------------------------------------------------------------------------


def _applies(component: dict[str, Any]) -> bool:
    """`when`: false / "false" / "${false}" skip a component; data bindings count as true."""
    when = component.get("when", True)
    if isinstance(when, str):
        return when.strip().strip("${}").strip().lower() not in ("false", "0", "")
    return bool(when)


def _children(component: dict[str, Any]) -> list[Any]:
    kids = component.get("items", component.get("item", []))
    return kids if isinstance(kids, list) else [kids]


def _place(component: Any, at: int, measure: Measure) -> tuple[list[Cue], int]:
    """Cues of `component` played from `at`, and where it ends."""
    if not isinstance(component, dict) or not _applies(component):
        return [], at
    kind = component.get("type")
    if kind == "Speech":
        content = str(component.get("content", ""))
        if component.get("contentType") == "SSML":
            sounds = ssml_sounds(content)
        else:
            sounds = [Sound("speech", " ".join(content.split()))] if content.strip() else []
        played = sequence(sounds, measure, at)
        return list(played.cues), played.length_ms
    if kind == "Silence":
        duration = component.get("duration", 0)
        ms = duration if isinstance(duration, int) and duration > 0 else 0
        return ([Cue(at, Sound("pause", ms=ms), ms)] if ms else []), at + ms
    if kind == "Audio":
        sound = Sound("audio", source=str(component.get("source", "")))
        duration = measure(sound)
        return [Cue(at, sound, duration)], at + duration
    children = [c for c in _children(component) if isinstance(c, dict) and _applies(c)]
    if kind == "Sequencer":
        cues, end = [], at
        for child in children:
            placed, end = _place(child, end, measure)
            cues += placed
        return cues, end
    if kind == "Selector":
        return _place(children[0], at, measure) if children else ([], at)
    if kind == "Mixer":
        cues, ends, trimmed = [], [], []
        for child in children:
            placed, end = _place(child, at, measure)
            cues += placed
            (trimmed if child.get("duration") == "trimToParent" else ends).append(end)
        end = max(ends or trimmed or [at])
        return [c for c in cues if c.at_ms < end or c.at_ms == at], end
    return [], at  # unknown component: a device plays nothing for it


def apla_playback(directive: dict[str, Any], measure: Measure) -> Playback:
    """A RenderDocument directive played from 0: mainTemplate plays its first applicable item."""
    document = directive.get("document")
    template = document.get("mainTemplate") if isinstance(document, dict) else None
    items = _children(template) if isinstance(template, dict) else []
    chosen = next((i for i in items if isinstance(i, dict) and _applies(i)), None)
    cues, end = _place(chosen, 0, measure)
    return Playback(tuple(sorted(cues, key=lambda c: c.at_ms)), end)


def apla_directives(response: dict[str, Any]) -> list[dict[str, Any]]:
    """The APL-A RenderDocument directives of a response's `directives`, in order."""
    directives = response.get("directives") or []
    return [d for d in directives if isinstance(d, dict) and d.get("type") == DIRECTIVE_TYPE]


def format_offset(ms: int) -> str:
    """Offsets as a device timer shows them: m:ss.t ("0:15.0", "1:02.5")."""
    tenths = round(ms / 100)
    minutes, rest = divmod(tenths, 600)
    return f"{minutes}:{rest // 10:02d}.{rest % 10}"
