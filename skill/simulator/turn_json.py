"""`chat --json`: each turn as one JSON object, for scripts (JSON Lines, one object a line).

The shape is fixed: every object has every key, in this order, whatever happened in the turn
(the README's `chat --json` section documents them). Speech is plain text in playing order:
outputSpeech, then the spoken cues of each APL for Audio document; no pauses or clips.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable
from contextlib import ExitStack
from typing import Any, TextIO

from skill.core.content import CuePools, load_content
from skill.simulator.clock import timestamp
from skill.simulator.exchange import Exchange
from skill.simulator.nlu import Recognition
from skill.simulator.playback import Playback, apla_directives, estimate_measure
from skill.simulator.render import PERMISSION_CARD, Rendered, play
from skill.simulator.transport import TransportError
from skill.simulator.wiring import open_device

KEYS = (
    "you",
    "intent",
    "slots",
    "nlu",
    "speech",
    "reprompt",
    "card",
    "directives",
    "apl",
    "end_session",
    "hold_seconds",
    "plays_seconds",
    "request",
    "at",
    "note",
    "error",
    "consent",
    "reminders",
)
# A hold's clip id (skill.core.timeline.HoldTimeline.clip_id): the token of its APL-A document
# and the file name of its rendered clip, e.g. "hold-seated-30s-v0".
_HOLD_ID = re.compile(r"hold-[a-z0-9_-]+-(\d+)s-v\d+")
_SPACE_BEFORE_PUNCTUATION = re.compile(r" +([.,;:!?])")


def plain_speech(playbacks: Iterable[Playback | None]) -> str:
    """The spoken words of the playbacks, in order, as one line of plain text."""
    words = [
        cue.sound.text
        for playback in playbacks
        if playback is not None
        for cue in playback.cues
        if cue.sound.kind == "speech" and cue.sound.text
    ]
    return _SPACE_BEFORE_PUNCTUATION.sub(r"\1", " ".join(words))


def hold_seconds(response_envelope: dict[str, Any] | None, cues: CuePools) -> int | None:
    """The length of the hold the response plays, in whole seconds, or None without one.

    Read as a device would: the hold's id names its APL-A document or rendered clip; spoken
    as SSML, the hold runs from its start cue ("Stretch, and hold.") to its release cue, timed
    by the skill's own speech model (the same one that placed the cues).
    """
    response = (response_envelope or {}).get("response") or {}
    for directive in apla_directives(response):
        m = _HOLD_ID.fullmatch(str(directive.get("token", "")))
        if m:
            return int(m.group(1))
    if not response:
        return None
    rendered = play(response_envelope or {}, estimate_measure())
    started: int | None = None
    at = 0
    for playback in [rendered.speech, *rendered.documents]:
        if playback is None:
            continue
        for cue in playback.cues:
            sound = cue.sound
            if sound.kind == "audio":
                m = _HOLD_ID.search(sound.source.rsplit("/", 1)[-1])
                if m:
                    return int(m.group(1))
            elif sound.kind == "speech":
                if started is None and sound.text in cues.start:
                    started = at + cue.at_ms
                elif started is not None and sound.text in cues.release:
                    return round((at + cue.at_ms - started) / 1000)
        at += playback.length_ms
    return None


def nlu_record(recognition: Recognition | None) -> dict[str, Any] | None:
    """How the NLU reached the intent, so a script sees when it guessed; None without one.

    Always the same keys: `method` (exact, phrase, wildcard, fuzzy, fallback), `score`
    (1.0 for exact and phrase matches), `sample` (the model's sample, as written) and
    `refused` (the no-guess intent a fuzzy match pointed at, answered as a fallback).
    """
    if recognition is None:
        return None
    return {
        "method": recognition.method,
        "score": round(recognition.score, 3),
        "sample": recognition.matched_sample,
        "refused": recognition.refused,
    }


def _slots(exchange: Exchange) -> dict[str, dict[str, str | None]]:
    recognition = exchange.recognition
    if recognition is None:
        return {}
    return {
        name: {"value": slot.value, "id": slot.resolved_id}
        for name, slot in recognition.slots.items()
    }


def _request_type(exchange: Exchange) -> str | None:
    request = (exchange.request or {}).get("request") or {}
    kind = request.get("type")
    return kind if isinstance(kind, str) else None


def turn_record(
    exchange: Exchange, you: str, *, session_open: bool, cues: CuePools
) -> dict[str, Any]:
    """One turn as `chat --json` prints it: `you` typed it; `session_open` after it?"""
    rendered: Rendered | None = exchange.rendered
    response = (exchange.response or {}).get("response") or {}
    directives = [
        d["type"]
        for d in response.get("directives") or []
        if isinstance(d, dict) and isinstance(d.get("type"), str)
    ]
    speech = plain_speech([rendered.speech, *rendered.documents]) if rendered else ""
    reprompt = None
    if rendered is not None and rendered.reprompt is not None and session_open:
        reprompt = plain_speech([rendered.reprompt]) or None
    card: dict[str, Any] | None = None
    if rendered is not None and rendered.card is not None:
        card = {"title": rendered.card[0], "text": rendered.card[1]}
    elif rendered is not None and rendered.permission_card is not None:
        card = {"type": PERMISSION_CARD, "permissions": list(rendered.permission_card)}
    consent = None
    if exchange.consent is not None:
        followed = exchange.followed
        then = None
        if followed is not None:
            then = turn_record(followed, followed.utterance, session_open=session_open, cues=cues)
        consent = {**exchange.consent, "then": then}
    record = {
        "you": you,
        "intent": exchange.recognition.intent if exchange.recognition else None,
        "slots": _slots(exchange),
        "nlu": nlu_record(exchange.recognition),
        "speech": speech,
        "reprompt": reprompt,
        "card": card,
        "directives": directives,
        "apl": exchange.screen.record() if exchange.screen is not None else None,
        "end_session": not session_open,
        "hold_seconds": hold_seconds(exchange.response, cues),
        "plays_seconds": round(exchange.plays_ms / 1000, 1),
        "request": _request_type(exchange),
        "at": timestamp(exchange.at) if exchange.at else None,
        "note": exchange.note or None,
        "error": None,
        "consent": consent,
        "reminders": list(exchange.reminders) if exchange.reminders is not None else None,
    }
    assert tuple(record) == KEYS
    return record


def error_record(text: str, error: str, *, session_open: bool) -> dict[str, Any]:
    """A turn the skill could not answer (e.g. `--url` unreachable): same keys, the reason."""
    record = dict.fromkeys(KEYS)
    record.update(
        you=text, slots={}, speech="", directives=[], end_session=not session_open, error=error
    )
    return record


NOT_WITH_JSON = ("realtime", "speak", "listen", "listen_file")


def run_json_chat(args: argparse.Namespace, stdin: TextIO, out: TextIO) -> int:
    """`chat --json`: a line in, a JSON object out; nothing else on stdout.

    Input ends at EOF or "quit". An open session is then ended (USER_INITIATED) without a
    line of its own, so N lines in always give N objects out (fewer only after "quit").
    """
    given = [f"--{o.replace('_', '-')}" for o in NOT_WITH_JSON if getattr(args, o, None)]
    if given:
        print(f"error: --json cannot be combined with {', '.join(given)}", file=sys.stderr)
        return 2
    cues = load_content().cues
    errors = 0
    with ExitStack() as stack:
        try:
            device = open_device(args, stack)
        except (TransportError, ValueError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        try:
            while line := stdin.readline():
                text = line.rstrip("\r\n")
                leave = False
                try:
                    exchange = device.say(text)
                    leave = exchange.leave
                    record = turn_record(
                        exchange, text, session_open=device.session.open, cues=cues
                    )
                except TransportError as exc:
                    errors += 1
                    print(f"error: {exc}", file=sys.stderr, flush=True)
                    record = error_record(text, str(exc), session_open=device.session.open)
                print(json.dumps(record, ensure_ascii=False), file=out, flush=True)
                if leave:
                    break
        except KeyboardInterrupt:
            pass
        if device.session.open:
            try:
                device.quit()
            except TransportError as exc:
                print(f"error: {exc}", file=sys.stderr)
                errors += 1
    return 1 if errors else 0
