"""Cross-cutting work around every handler."""

from __future__ import annotations

from typing import Any

from ask_sdk_core.dispatch_components import (
    AbstractRequestInterceptor,
    AbstractResponseInterceptor,
)
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from skill.alexa.handlers.base import (
    ATTR_DISCLAIMER,
    ATTR_HOLD_SECONDS,
    ATTR_LAST,
    ATTR_PENDING,
    ATTR_ROUTINE,
)
from skill.alexa.memory import save_profile
from skill.alexa.time_zone import ATTR_TIME_ZONE
from skill.core.content import Content
from skill.core.routine import RoutineState
from skill.core.speech import MAX_SSML_CHARS
from skill.core.turns import Coach
from skill.store.progress_store import ProgressStore
from skill.voice.render import SpokenTurn


class SaveProfileInterceptor(AbstractResponseInterceptor):
    """Writes the person's changed profile fields once, after the handler is done."""

    def __init__(self, store: ProgressStore | None = None) -> None:
        self.store = store

    def process(self, handler_input: HandlerInput, response: Response) -> None:
        save_profile(handler_input, self.store)


MAX_PENDING_CHARS = 64


def _clean_last(value: Any, content: Content) -> dict[str, Any] | None:
    """The stored last turn, only in the exact shape we write (see render.SpokenTurn)."""
    turn = SpokenTurn.from_dict(value, content)
    if turn is None or not isinstance(value, dict):
        return None
    reprompt = value.get("reprompt")
    if reprompt is not None and not (isinstance(reprompt, str) and len(reprompt) < MAX_SSML_CHARS):
        return None
    return turn.to_dict() | {"reprompt": reprompt}


def clean_attributes(attrs: dict[str, Any], content: Content) -> None:
    """Keep only the session attributes this skill writes, in the shapes it writes them.

    Alexa echoes back what we sent, so for real requests this changes nothing. It stops a
    garbled or forged request (e.g. in --dev) from making us echo arbitrary data back (a
    response over Alexa's size limit) or replay arbitrary text on "repeat".
    """
    cleaned: dict[str, Any] = {}
    state = RoutineState.from_dict(attrs.get(ATTR_ROUTINE), content.stretch_ids)
    if state is not None:
        cleaned[ATTR_ROUTINE] = state.to_dict()
    last = _clean_last(attrs.get(ATTR_LAST), content)
    if last is not None:
        cleaned[ATTR_LAST] = last
    pending = attrs.get(ATTR_PENDING)
    if isinstance(pending, str) and len(pending) <= MAX_PENDING_CHARS:
        cleaned[ATTR_PENDING] = pending
    if attrs.get(ATTR_DISCLAIMER) is True:
        cleaned[ATTR_DISCLAIMER] = True
    value = attrs.get(ATTR_HOLD_SECONDS)
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 10_000:
        cleaned[ATTR_HOLD_SECONDS] = value
    zone = attrs.get(ATTR_TIME_ZONE)
    if isinstance(zone, str) and len(zone) <= MAX_PENDING_CHARS:
        cleaned[ATTR_TIME_ZONE] = zone
    attrs.clear()
    attrs.update(cleaned)


class CleanAttributesInterceptor(AbstractRequestInterceptor):
    """Runs clean_attributes before any handler, so no handler sees (or echoes) the rest."""

    def __init__(self, coach: Coach) -> None:
        self.content = coach.content

    def process(self, handler_input: HandlerInput) -> None:
        if handler_input.request_envelope.session is not None:
            attrs = handler_input.attributes_manager.session_attributes
            if isinstance(attrs, dict):
                clean_attributes(attrs, self.content)
