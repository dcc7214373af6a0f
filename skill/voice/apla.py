"""APL for Audio documents: a hold in Alexa's own voice with every cue at its exact offset.

SSML can only approximate cue timing with breaks after estimated speech; APL-A's Mixer plays
one Sequencer per cue, each a Silence of exactly the cue's offset followed by the cue's Speech,
so the timing no longer depends on how fast Alexa talks. Documents are plain JSON-ready dicts
(no SDK model classes) so they can be tested, logged and stored as they are.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from xml.etree import ElementTree

from skill.core.timeline import HoldTimeline, estimate_speech_seconds
from skill.voice.ssml import MAX_AUDIO_SECONDS


class JsonReady(dict[str, Any]):
    """A dict that is already JSON all the way down (str, int, float, bool, None, lists and
    plain dicts), e.g. a validated APL-A document. The codec (skill.alexa.codec) writes it as
    it is, without a walk; the SDK's serializer would walk it and get an equal value."""


DIRECTIVE_TYPE = "Alexa.Presentation.APLA.RenderDocument"
APLA_VERSION = "0.91"
# A real ASK sound-library bell (no hosting needed); played once after the release cue.
CHIME_SOURCE = "soundbank://soundlibrary/musical/amzn_sfx_bell_short_chime_01"
SOUNDBANK_SECONDS = 2.0  # duration assumed for a sound-library effect when estimating
CLIP_SECONDS_UNKNOWN = 0.0

COMPONENT_TYPES = {"Speech", "Silence", "Audio", "Sequencer", "Mixer", "Selector"}
MULTI_CHILD = {"Sequencer", "Mixer", "Selector"}
BASE_DURATIONS = {"auto", "trimToParent"}

Component = dict[str, Any]


# --- building -----------------------------------------------------------------------------


def speech(text: str) -> Component:
    """Plain text: Alexa escapes it itself, so no XML escaping is needed."""
    return {"type": "Speech", "contentType": "PlainText", "content": text}


def speech_ssml(ssml: str) -> Component:
    """SSML content must be wrapped in <speak> (APL-A rejects bare SSML fragments)."""
    ssml = ssml.strip()
    if not ssml.startswith("<speak>"):
        ssml = f"<speak>{ssml}</speak>"
    return {"type": "Speech", "contentType": "SSML", "content": ssml}


def silence(ms: int) -> Component:
    return {"type": "Silence", "duration": int(ms)}


def audio(source: str) -> Component:
    return {"type": "Audio", "source": source}


def sequencer(*items: Component) -> Component:
    return {"type": "Sequencer", "items": list(items)}


def mixer(*items: Component) -> Component:
    return {"type": "Mixer", "items": list(items)}


def cue_mixer(timeline: HoldTimeline) -> Component:
    """One Sequencer per cue: Silence(offset_ms) then the cue; at offset 0 just the Speech."""
    tracks = [
        speech(c.text) if c.offset_ms == 0 else sequencer(silence(c.offset_ms), speech(c.text))
        for c in timeline.cues
    ]
    return mixer(*tracks)


def render_directive(token: str, root: Component) -> dict[str, Any]:
    return {
        "type": DIRECTIVE_TYPE,
        "token": token,
        "document": {
            "type": "APLA",
            "version": APLA_VERSION,
            "mainTemplate": {"parameters": ["payload"], "items": [root]},
        },
        "datasources": {},
    }


def hold_document(
    timeline: HoldTimeline,
    intro_ssml: str | None = None,
    outro_ssml: str | None = None,
    chime: bool = True,
) -> dict[str, Any]:
    """RenderDocument directive for one hold: intro, the timed cues, a bell, the outro."""
    items = [speech_ssml(intro_ssml)] if intro_ssml else []
    items.append(cue_mixer(timeline))
    if chime:
        items.append(audio(CHIME_SOURCE))
    if outro_ssml:
        items.append(speech_ssml(outro_ssml))
    return render_directive(timeline.clip_id, sequencer(*items))


def clip_document(
    url: str,
    intro_ssml: str | None = None,
    outro_ssml: str | None = None,
    token: str = "clip",
    chime: bool = False,
) -> dict[str, Any]:
    """RenderDocument directive playing a rendered clip (HTTPS URL) between intro and outro."""
    items = [speech_ssml(intro_ssml)] if intro_ssml else []
    items.append(audio(url))
    if chime:
        items.append(audio(CHIME_SOURCE))
    if outro_ssml:
        items.append(speech_ssml(outro_ssml))
    return render_directive(token, sequencer(*items))


# --- validation ---------------------------------------------------------------------------


def _children(component: Component) -> list[Any]:
    """A multi-child component's children: `items` (array) or `item` (one or an array)."""
    kids = component.get("items", component.get("item", []))
    return kids if isinstance(kids, list) else [kids]


def _walk(component: Any, path: str) -> Iterator[tuple[str, Any]]:
    yield path, component
    if isinstance(component, dict) and component.get("type") in MULTI_CHILD:
        for i, child in enumerate(_children(component)):
            yield from _walk(child, f"{path}.items[{i}]")


def _audible(component: Any) -> bool:
    """True if anything other than silence can play in this subtree."""
    if not isinstance(component, dict):
        return False
    kind = component.get("type")
    if kind in ("Speech", "Audio"):
        return True
    return kind in MULTI_CHILD and any(_audible(c) for c in _children(component))


_BREAK = re.compile(r"<break\s+time=[\"'](\d+(?:\.\d+)?)(ms|s)[\"']\s*/>")
_TAG = re.compile(r"<[^>]+>")


def _speech_seconds(content: str) -> float:
    breaks = sum(float(v) / (1000 if unit == "ms" else 1) for v, unit in _BREAK.findall(content))
    return estimate_speech_seconds(_TAG.sub(" ", content)) + breaks


def estimate_seconds(component: Any, clip_seconds: dict[str, float] | None = None) -> float:
    """Playing time by the timing model: Sequencer adds up, Mixer/Selector take the longest."""
    if not isinstance(component, dict):
        return 0.0
    kind = component.get("type")
    if kind == "Speech":
        return _speech_seconds(str(component.get("content", "")))
    if kind == "Silence":
        duration = component.get("duration", 0)
        return duration / 1000 if isinstance(duration, int) else 0.0
    if kind == "Audio":
        source = str(component.get("source", ""))
        if source.startswith("soundbank://"):
            return SOUNDBANK_SECONDS
        return (clip_seconds or {}).get(source, CLIP_SECONDS_UNKNOWN)
    parts = [estimate_seconds(c, clip_seconds) for c in _children(component)]
    if kind == "Sequencer":
        return sum(parts)
    return max(parts, default=0.0)


def _check_ssml(path: str, content: str) -> list[str]:
    """Malformed SSML makes Alexa fail the whole response, so catch it here."""
    if not (content.startswith("<speak>") and content.endswith("</speak>")):
        return [f"{path}: SSML content must be wrapped in <speak>"]
    try:
        # amazon:* tags use an undeclared prefix; make it a plain name for the parser.
        ElementTree.fromstring(content.replace("amazon:", "amazon-"))
    except ElementTree.ParseError as exc:
        return [f"{path}: SSML is not well-formed XML ({exc})"]
    return []


def _check_component(path: str, c: Any) -> list[str]:
    if not isinstance(c, dict):
        return [f"{path}: not an object"]
    kind = c.get("type")
    if kind not in COMPONENT_TYPES:
        return [f"{path}: component type {kind!r} is not allowed"]
    problems = []
    if kind == "Silence":
        d = c.get("duration")
        if not isinstance(d, int) or isinstance(d, bool) or d < 0:
            problems.append(f"{path}: Silence duration must be an int >= 0 ms, got {d!r}")
    elif "duration" in c and c["duration"] not in BASE_DURATIONS:
        problems.append(f"{path}: duration must be auto or trimToParent, got {c['duration']!r}")
    if kind == "Speech":
        content, ctype = c.get("content"), c.get("contentType", "PlainText")
        if not isinstance(content, str) or not content.strip():
            problems.append(f"{path}: Speech needs non-empty content")
        elif ctype == "SSML":
            problems += _check_ssml(path, content)
        if ctype not in ("PlainText", "SSML"):
            problems.append(f"{path}: contentType must be PlainText or SSML")
    if kind == "Audio":
        source = c.get("source")
        if not isinstance(source, str) or not source.startswith(("https://", "soundbank://")):
            problems.append(f"{path}: Audio source must be https:// or soundbank://")
    if kind in MULTI_CHILD:
        if not _children(c):
            problems.append(f"{path}: {kind} has no children")
        elif not _audible(c):
            problems.append(f"{path}: {kind} holds only Silence (Silence may never be alone)")
    return problems


def _cue_track(track: Any) -> tuple[Any, Any]:
    """(offset_ms, text) of one Mixer track: Speech, or Sequencer [Silence, Speech]."""
    if not isinstance(track, dict):
        return None, None
    kids = _children(track) if track.get("type") == "Sequencer" else [track]
    offset: Any = 0
    if len(kids) == 2 and isinstance(kids[0], dict) and kids[0].get("type") == "Silence":
        offset, kids = kids[0].get("duration"), kids[1:]
    ok = len(kids) == 1 and isinstance(kids[0], dict) and kids[0].get("type") == "Speech"
    return offset, kids[0].get("content") if ok else None


def _check_cues(root: Any, timeline: HoldTimeline) -> list[str]:
    """The Mixer's tracks must be exactly the timeline's cues at exactly their offsets."""
    mixers = [c for _, c in _walk(root, "root") if isinstance(c, dict) and c.get("type") == "Mixer"]
    if len(mixers) != 1:
        return [f"cues: expected one Mixer, found {len(mixers)}"]
    found = [_cue_track(t) for t in _children(mixers[0])]
    wanted = [(c.offset_ms, c.text) for c in timeline.cues]
    if len(found) != len(wanted):
        return [f"cues: {len(found)} tracks for {len(wanted)} cues"]
    return [
        f"cues[{i}]: {f[1]!r} at {f[0]!r} ms, timeline says {w[1]!r} at {w[0]} ms"
        for i, (f, w) in enumerate(zip(found, wanted, strict=True))
        if f != w
    ]


def validate_document(
    directive: dict[str, Any],
    timeline: HoldTimeline | None = None,
    clip_seconds: dict[str, float] | None = None,
) -> list[str]:
    """Problems with a RenderDocument directive; [] when it is fine.

    Checks the envelope, allowed components, Silence never alone, integer durations, the
    240 s audio limit (estimated; `clip_seconds` maps clip URLs to their lengths) and, given
    the `timeline`, that every cue sits at exactly its offset.
    """
    problems: list[str] = []
    try:
        json.dumps(directive)
    except (TypeError, ValueError) as exc:
        problems.append(f"not JSON-serialisable: {exc}")
    if directive.get("type") != DIRECTIVE_TYPE:
        problems.append(f"directive type must be {DIRECTIVE_TYPE}")
    doc = directive.get("document")
    if not isinstance(doc, dict):
        return [*problems, "document missing"]
    if doc.get("type") != "APLA":
        problems.append("document type must be APLA")
    if doc.get("version") != APLA_VERSION:
        problems.append(f"document version must be {APLA_VERSION!r}")
    template = doc.get("mainTemplate")
    if not isinstance(template, dict) or not _children(template):
        return [*problems, "mainTemplate needs item or items"]
    roots = _children(template)
    for i, root in enumerate(roots):
        for path, component in _walk(root, f"mainTemplate.items[{i}]"):
            problems += _check_component(path, component)
        if not _audible(root):
            problems.append(f"mainTemplate.items[{i}]: nothing audible (Silence alone)")
    # mainTemplate renders the first item whose `when` holds; estimate each, check the longest.
    seconds = max(estimate_seconds(r, clip_seconds) for r in roots)
    if seconds > MAX_AUDIO_SECONDS:
        problems.append(f"estimated {seconds:.0f} s of audio; at most {MAX_AUDIO_SECONDS:.0f} s")
    if timeline is not None:
        problems += _check_cues(roots[0], timeline)
    return problems


def audio_sources(directive: dict[str, Any]) -> list[str]:
    """Every Audio source in the document, in document order."""
    found = []
    for root in _children(directive.get("document", {}).get("mainTemplate", {})):
        for _, component in _walk(root, "root"):
            if isinstance(component, dict) and component.get("type") == "Audio":
                found.append(str(component.get("source", "")))
    return found
