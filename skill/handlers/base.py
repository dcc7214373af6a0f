"""What every handler shares: the conversation's state in session attributes, and replying.

Session attributes are one small dict; SDK model objects never go in it. Requests without a
session (SessionEnded on some devices, skill events) get an empty, throwaway dict.
"""

from __future__ import annotations

from typing import Any

from ask_sdk_core.dispatch_components import AbstractRequestHandler, AbstractRequestInterceptor
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response
from ask_sdk_model.ui import SimpleCard

from skill.routine import Outcome, RoutineState
from skill.speech import to_ssml
from skill.turns import Coach, Turn

ATTR_ROUTINE = "routine"
ATTR_LAST = "last"
ATTR_PENDING = "pending"
ATTR_DISCLAIMER = "disclaimer_heard"
ATTR_HOLD_SECONDS = "hold_seconds"
ATTR_HOLDS_DONE = "holds_done"
MAX_SSML_CHARS = 8000  # Alexa's limit for outputSpeech; "repeat" replays what we stored
MAX_PENDING_CHARS = 64


def _clean_last(value: Any) -> dict[str, Any] | None:
    if not isinstance(value, dict):
        return None
    speech, reprompt = value.get("speech"), value.get("reprompt")
    if not isinstance(speech, str) or len(speech) > MAX_SSML_CHARS:
        return None
    if reprompt is not None and (not isinstance(reprompt, str) or len(reprompt) > MAX_SSML_CHARS):
        return None
    return {"speech": speech, "reprompt": reprompt}


def clean_attributes(attrs: dict[str, Any], known_stretches: set[str]) -> None:
    """Keep only the session attributes this skill writes, in the shapes it writes them.

    Alexa echoes back what we sent, so for real requests this changes nothing. It stops a
    garbled or forged request (e.g. in --dev) from making us echo arbitrary data back (a
    response over Alexa's size limit) or replay arbitrary text on "repeat".
    """
    cleaned: dict[str, Any] = {}
    state = RoutineState.from_dict(attrs.get(ATTR_ROUTINE), known_stretches)
    if state is not None:
        cleaned[ATTR_ROUTINE] = state.to_dict()
    last = _clean_last(attrs.get(ATTR_LAST))
    if last is not None:
        cleaned[ATTR_LAST] = last
    pending = attrs.get(ATTR_PENDING)
    if isinstance(pending, str) and len(pending) <= MAX_PENDING_CHARS:
        cleaned[ATTR_PENDING] = pending
    if attrs.get(ATTR_DISCLAIMER) is True:
        cleaned[ATTR_DISCLAIMER] = True
    for key in (ATTR_HOLD_SECONDS, ATTR_HOLDS_DONE):
        value = attrs.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 10_000:
            cleaned[key] = value
    attrs.clear()
    attrs.update(cleaned)


class CleanAttributesInterceptor(AbstractRequestInterceptor):
    """Runs clean_attributes before any handler, so no handler sees (or echoes) the rest."""

    def __init__(self, coach: Coach) -> None:
        self.known_stretches = set(coach.content.stretches)

    def process(self, handler_input: HandlerInput) -> None:
        if handler_input.request_envelope.session is not None:
            attrs = handler_input.attributes_manager.session_attributes
            if isinstance(attrs, dict):
                clean_attributes(attrs, self.known_stretches)


class Conversation:
    """Typed access to this conversation's session attributes."""

    def __init__(self, handler_input: HandlerInput, coach: Coach) -> None:
        self.handler_input = handler_input
        self.coach = coach
        envelope = handler_input.request_envelope
        if envelope.session is None:
            self.attrs: dict[str, Any] = {}
        else:
            self.attrs = handler_input.attributes_manager.session_attributes

    @property
    def routine(self) -> RoutineState | None:
        return RoutineState.from_dict(
            self.attrs.get(ATTR_ROUTINE), set(self.coach.content.stretches)
        )

    @routine.setter
    def routine(self, state: RoutineState | None) -> None:
        if state is None:
            self.attrs.pop(ATTR_ROUTINE, None)
        else:
            self.attrs[ATTR_ROUTINE] = state.to_dict()

    @property
    def hold_seconds(self) -> int:
        settings = self.coach.content.routine
        value = self.attrs.get(ATTR_HOLD_SECONDS)
        if (
            isinstance(value, int)
            and settings.hold_seconds_min <= value <= settings.hold_seconds_max
        ):
            return value
        return settings.hold_seconds_default

    @hold_seconds.setter
    def hold_seconds(self, value: int) -> None:
        self.attrs[ATTR_HOLD_SECONDS] = value

    @property
    def pending(self) -> str | None:
        value = self.attrs.get(ATTR_PENDING)
        return value if isinstance(value, str) else None

    @property
    def last(self) -> dict[str, Any] | None:
        value = self.attrs.get(ATTR_LAST)
        return value if isinstance(value, dict) and isinstance(value.get("speech"), str) else None

    @property
    def holds_done(self) -> int:
        """Holds finished in this conversation."""
        value = self.attrs.get(ATTR_HOLDS_DONE, 0)
        return value if isinstance(value, int) and value >= 0 else 0

    def record_progress(self, outcome: Outcome) -> None:
        if outcome.newly_completed:
            self.attrs[ATTR_HOLDS_DONE] = self.holds_done + len(outcome.newly_completed)

    def reply(self, turn: Turn) -> Response:
        """Build the response from a turn and remember it for "repeat"."""
        speech = to_ssml(turn.speech)
        reprompt = to_ssml(turn.reprompt, reprompt=True) if turn.reprompt else None
        if not turn.end_session and reprompt is None:
            raise ValueError("an open session needs a reprompt")
        self.attrs[ATTR_LAST] = {"speech": speech, "reprompt": reprompt}
        if turn.expects:
            self.attrs[ATTR_PENDING] = turn.expects
        else:
            self.attrs.pop(ATTR_PENDING, None)
        return self.reply_ssml(speech, reprompt, turn)

    def reply_ssml(self, speech: str, reprompt: str | None, turn: Turn | None = None) -> Response:
        builder = self.handler_input.response_builder
        builder.speak(speech)
        end = turn.end_session if turn else reprompt is None
        if reprompt and not end:
            builder.ask(reprompt)
        if turn and turn.card:
            builder.set_card(SimpleCard(title=turn.card.title, content=turn.card.text))
        builder.set_should_end_session(end)
        return builder.response


class CoachHandler(AbstractRequestHandler):
    """A request handler with the coach (content) at hand."""

    def __init__(self, coach: Coach) -> None:
        self.coach = coach

    def conversation(self, handler_input: HandlerInput) -> Conversation:
        return Conversation(handler_input, self.coach)


def slot_value(handler_input: HandlerInput, name: str) -> tuple[str | None, str | None]:
    """A slot's (resolved id, heard words); id only when entity resolution matched."""
    request = handler_input.request_envelope.request
    intent = getattr(request, "intent", None)
    slot = (intent.slots or {}).get(name) if intent else None
    if slot is None:
        return None, None
    resolved = None
    resolutions = slot.resolutions.resolutions_per_authority if slot.resolutions else None
    for authority in resolutions or []:
        status = authority.status if authority else None
        code = status.code.value if status and status.code else ""
        first = authority.values[0] if code == "ER_SUCCESS_MATCH" and authority.values else None
        if first is not None and first.value is not None and isinstance(first.value.id, str):
            resolved = first.value.id
            break
    return resolved, slot.value
