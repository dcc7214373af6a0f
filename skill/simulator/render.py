"""A response as readable text: what Alexa says, the reprompt, the card, APL-A timelines.

SSML becomes prose with its silences made visible ("[pause 10 s]"), phone numbers as digits
and clips as "[audio: name]"; an APL-A document becomes a timeline of cues at their offsets,
so a reader sees when "Halfway" comes, not only that it comes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from skill.simulator.playback import (
    Measure,
    Playback,
    Sound,
    apla_directives,
    apla_playback,
    estimate_measure,
    format_offset,
    ssml_playback,
)

INDENT = "  "
NOTHING = "Alexa: (nothing)"  # a response with nothing to play or show
PERMISSION_CARD = "AskForPermissionsConsent"
_SCOPE_NAMES = {"alexa::alerts:reminders:skill:readwrite": "reminders"}


def seconds_label(ms: int) -> str:
    """1850 -> "1.9 s", 10000 -> "10 s"."""
    text = f"{ms / 1000:.1f}".removesuffix(".0")
    return f"{text} s"


def audio_name(source: str) -> str:
    """The clip's file name without extension (URL or soundbank path)."""
    path = urlsplit(source).path or source
    return PurePosixPath(path).stem or source


def describe(sound: Sound) -> str:
    if sound.kind == "pause":
        return f"[pause {seconds_label(sound.ms)}]"
    if sound.kind == "audio":
        return f"[audio: {audio_name(sound.source)}]"
    return sound.text


_SPACE_BEFORE_PUNCTUATION = re.compile(r" +([.,;:!?])")


def speech_text(playback: Playback) -> str:
    """The cues as one line; punctuation after a phone number stays attached to it."""
    text = " ".join(describe(c.sound) for c in playback.cues)
    return _SPACE_BEFORE_PUNCTUATION.sub(r"\1", text)


def timeline_lines(playback: Playback, indent: str = INDENT) -> list[str]:
    """One line per speech or audio cue: offset, then what plays (silences are the gaps)."""
    return [
        f"{indent}{format_offset(c.at_ms):>6}  {describe(c.sound)}"
        for c in playback.cues
        if c.sound.kind != "pause"
    ]


def _ssml(block: dict[str, Any] | None) -> str | None:
    if not isinstance(block, dict):
        return None
    if block.get("type") == "PlainText":
        return f"<speak>{_escape(str(block.get('text', '')))}</speak>"
    ssml = block.get("ssml")
    return ssml if isinstance(ssml, str) else None


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@dataclass(frozen=True)
class Rendered:
    """What a device plays for one response, timed, plus what it shows."""

    speech: Playback | None
    documents: tuple[Playback, ...]
    reprompt: Playback | None
    card: tuple[str, str] | None
    ends_session: bool
    # An AskForPermissionsConsent card: the scopes it asks the person to allow in the app.
    permission_card: tuple[str, ...] | None = None

    @property
    def length_ms(self) -> int:
        """Speech then each APL-A document, one after another, as a device plays them."""
        first = self.speech.length_ms if self.speech else 0
        return first + sum(d.length_ms for d in self.documents)


def play(response_envelope: dict[str, Any], measure: Measure) -> Rendered:
    response = response_envelope.get("response") or {}
    speech = _ssml(response.get("outputSpeech"))
    reprompt = _ssml((response.get("reprompt") or {}).get("outputSpeech"))
    card = response.get("card")
    card_pair, permissions = None, None
    if isinstance(card, dict) and card.get("type") == PERMISSION_CARD:
        permissions = tuple(str(p) for p in card.get("permissions") or ())
    elif isinstance(card, dict):
        card_pair = (str(card.get("title", "")), str(card.get("content", card.get("text", ""))))
    return Rendered(
        speech=ssml_playback(speech, measure) if speech else None,
        documents=tuple(apla_playback(d, measure) for d in apla_directives(response)),
        reprompt=ssml_playback(reprompt, measure) if reprompt else None,
        card=card_pair,
        ends_session=response.get("shouldEndSession") is not False,
        permission_card=permissions,
    )


def playing_ms(response_envelope: dict[str, Any], measure: Measure | None = None) -> int:
    """How long a device plays this response: outputSpeech, then every APL-A document.

    The reprompt is not counted: it plays only after silence. `measure` defaults to the
    skill's own speaking-rate estimate (rendered clips then count as 0 s; pass
    `estimate_measure(ClipLookup.for_audio_dir(...).ms)` to count their real lengths).
    """
    return play(response_envelope, measure or estimate_measure()).length_ms


def render_text(rendered: Rendered) -> str:
    """Everything at once, for typed chats and `say`."""
    lines = []
    if rendered.speech and rendered.speech.cues:
        lines.append(f"Alexa: {speech_text(rendered.speech)}")
    elif rendered.documents:
        lines.append("Alexa:")
    for doc in rendered.documents:
        lines.append(f"{INDENT}[APL-A audio, {seconds_label(doc.length_ms)}]")
        lines += timeline_lines(doc, INDENT * 2)
    lines += extras(rendered)
    return "\n".join(lines) if lines else NOTHING


def extras(rendered: Rendered) -> list[str]:
    """Card, reprompt and session end: what follows the speech."""
    lines = []
    if rendered.card:
        title, text = rendered.card
        lines.append(f"{INDENT}[card] {title}: {text}")
    if rendered.permission_card is not None:
        names = ", ".join(_SCOPE_NAMES.get(p, p) for p in rendered.permission_card)
        lines.append(f"{INDENT}[card to the Alexa app: allow {names or '(no permissions listed)'}]")
    if rendered.ends_session:
        lines.append(f"{INDENT}[session ended]")
    elif rendered.reprompt and rendered.reprompt.cues:
        lines.append(f"{INDENT}(if you say nothing: {speech_text(rendered.reprompt)})")
    return lines
