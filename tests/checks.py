"""Checks every response the suite produces against the limits in docs/alexa-platform.md and
our timing rules."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from typing import Any

from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import ResponseEnvelope

from skill.core.content import load_content
from skill.core.timeline import estimate_speech_ms
from skill.voice import apla

MAX_RESPONSE_BYTES = 120 * 1024
_serializer = DefaultSerializer()


def ssml_tokens(ssml: str) -> list[tuple[str, Any]]:
    """SSML as a flat list of ("text", str), ("break", ms), ("audio", src), ("phone", digits)."""
    root = ET.fromstring(ssml)
    assert root.tag == "speak", "SSML must be wrapped in <speak>"
    tokens: list[tuple[str, Any]] = []

    def text(value: str | None) -> None:
        if value and value.strip():
            tokens.append(("text", " ".join(value.split())))

    def walk(element: ET.Element) -> None:
        text(element.text)
        for child in element:
            if child.tag == "break":
                match = re.fullmatch(r"(\d+)ms", child.get("time", ""))
                assert match, f"break needs a time in ms: {ET.tostring(child)!r}"
                tokens.append(("break", int(match.group(1))))
            elif child.tag == "audio":
                tokens.append(("audio", child.get("src")))
            elif child.tag == "say-as":
                assert child.get("interpret-as") == "telephone"
                tokens.append(("phone", child.text))
            else:
                walk(child)
            text(child.tail)

    walk(root)
    return tokens


def check_ssml(ssml: str) -> list[tuple[str, Any]]:
    assert len(ssml) < 8000, f"SSML has {len(ssml)} characters"
    tokens = ssml_tokens(ssml)
    for kind, value in tokens:
        if kind == "break":
            assert 0 < value <= 10_000, f"break of {value} ms"
    assert sum(1 for kind, _ in tokens if kind == "audio") <= 5
    return tokens


def hold_lengths(ssml: str) -> list[float]:
    """Seconds from each hold's start cue to its release cue, by the timing model."""
    cues = load_content().cues
    tokens = ssml_tokens(ssml)
    lengths = []
    start = None
    total_ms = 0
    for kind, value in tokens:
        if kind == "text" and value in cues.start:
            start, total_ms = True, 0
        if start is None:
            continue
        if kind == "text" and value in cues.release:
            lengths.append(total_ms / 1000)
            start = None
            continue
        if kind == "text":
            total_ms += estimate_speech_ms(value)
        elif kind == "break":
            total_ms += value
    return lengths


def apla_directives(response: dict[str, Any]) -> list[dict[str, Any]]:
    return [d for d in response.get("directives") or [] if d.get("type") == apla.DIRECTIVE_TYPE]


def _component_text(component: dict[str, Any]) -> str:
    content = str(component.get("content", ""))
    return " ".join(re.sub(r"<[^>]+>", " ", content).split())


def apla_lines(directive: dict[str, Any]) -> list[str]:
    """What the document says, in playing order (a Mixer's cues by their offsets)."""
    lines: list[str] = []

    def play(component: dict[str, Any]) -> None:
        kind = component.get("type")
        kids = component.get("items", component.get("item", []))
        kids = kids if isinstance(kids, list) else [kids]
        if kind == "Speech":
            lines.append(_component_text(component))
        elif kind == "Audio":
            lines.append(f"[audio {component.get('source')}]")
        elif kind == "Sequencer":
            for kid in kids:
                play(kid)
        elif kind == "Mixer":
            for _, text in sorted(mixer_cues(component)):
                lines.append(text)

    for item in directive["document"]["mainTemplate"]["items"][:1]:
        play(item)
    return [line for line in lines if line]


def _track_text(component: dict[str, Any]) -> str:
    if component["type"] == "Audio":
        return f"[audio {component['source']}]"
    assert component["type"] == "Speech", component
    return _component_text(component)


def mixer_cues(mixer: dict[str, Any]) -> list[tuple[int, str]]:
    """(offset_ms, text) of each Mixer track: Speech or Audio, or Sequencer [Silence, that];
    an Audio track reads "[audio <source>]"."""
    cues = []
    for track in mixer["items"]:
        if track["type"] in ("Speech", "Audio"):
            cues.append((0, _track_text(track)))
        else:
            silence, sound = track["items"]
            assert silence["type"] == "Silence", track
            cues.append((silence["duration"], _track_text(sound)))
    return cues


def apla_hold_lengths(directive: dict[str, Any]) -> list[float]:
    """Seconds from each hold's start cue to its release cue: exact, from the offsets."""
    cues = load_content().cues
    lengths = []
    for _, component in apla._walk(directive["document"]["mainTemplate"]["items"][0], "r"):
        if component.get("type") != "Mixer":
            continue
        placed = sorted(mixer_cues(component))
        starts = [at for at, text in placed if text in cues.start]
        releases = [at for at, text in placed if text in cues.release]
        lengths += [(end - begin) / 1000 for begin, end in zip(starts, releases, strict=False)]
    return lengths


def check_response(body: dict[str, Any]) -> None:
    """Deserializes with ask-sdk-model, SSML inside limits, an open session has a reprompt."""
    raw = json.dumps(body)
    assert len(raw.encode()) <= MAX_RESPONSE_BYTES
    envelope = _serializer.deserialize(raw, ResponseEnvelope)
    assert envelope.response is not None
    response = body["response"]
    speech = response.get("outputSpeech")
    if speech:
        assert speech["type"] == "SSML"
        check_ssml(speech["ssml"])
    reprompt = (response.get("reprompt") or {}).get("outputSpeech")
    if reprompt:
        check_ssml(reprompt["ssml"])
    documents = apla_directives(response)
    assert len(documents) <= 1, "one APL-A document per response"
    for directive in documents:
        assert apla.validate_document(directive) == [], apla.validate_document(directive)
        # docs/alexa-platform.md: the 240 s limit applies to the rendered result, outputSpeech
        # included.
        said = apla.estimate_seconds(apla.speech_ssml(speech["ssml"])) if speech else 0.0
        played = apla.estimate_seconds(directive["document"]["mainTemplate"]["items"][0])
        assert said + played <= 240, f"{said:.0f} s said + {played:.0f} s played"
    if response.get("shouldEndSession") is False:
        assert reprompt, "an open session must have a reprompt"
        assert speech or documents, "an open session must say something"
    card = response.get("card")
    if card:
        assert len(card.get("content", "") + card.get("text", "") + card.get("title", "")) <= 8000
