"""What every handler shares: the conversation's state in session attributes, and replying.

Session attributes are one small dict; SDK model objects never go in it. Requests without a
session (SessionEnded on some devices, skill events) get an empty, throwaway dict.
"""

from __future__ import annotations

from typing import Any

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response
from ask_sdk_model.interfaces.alexa.presentation.apla import RenderDocumentDirective
from ask_sdk_model.ui import SimpleCard

from skill.alexa.memory import open_memory
from skill.core.routine import Outcome, RoutineState, Stage
from skill.core.speech import Speech, to_ssml
from skill.core.turns import Coach, Turn
from skill.store.progress_store import ProgressStore
from skill.voice.render import Rendered, SpeechRenderer, SpokenTurn

ATTR_ROUTINE = "routine"
ATTR_LAST = "last"
ATTR_PENDING = "pending"
ATTR_DISCLAIMER = "disclaimer_heard"
ATTR_HOLD_SECONDS = "hold_seconds"


class Conversation:
    """Typed access to this conversation's session attributes."""

    def __init__(
        self,
        handler_input: HandlerInput,
        coach: Coach,
        store: ProgressStore | None = None,
        renderer: SpeechRenderer | None = None,
    ) -> None:
        self.handler_input = handler_input
        self.coach = coach
        self.renderer = renderer or SpeechRenderer(coach.content)
        envelope = handler_input.request_envelope
        if envelope.session is None:
            self.attrs: dict[str, Any] = {}
        else:
            self.attrs = handler_input.attributes_manager.session_attributes
        self.memory = open_memory(handler_input, store, self.attrs)

    @property
    def routine(self) -> RoutineState | None:
        return RoutineState.from_dict(self.attrs.get(ATTR_ROUTINE), self.coach.content.stretch_ids)

    @routine.setter
    def routine(self, state: RoutineState | None) -> None:
        if state is None:
            self.attrs.pop(ATTR_ROUTINE, None)
        else:
            self.attrs[ATTR_ROUTINE] = state.to_dict()

    def _usable_hold(self, value: Any) -> bool:
        settings = self.coach.content.routine
        return (
            isinstance(value, int)
            and not isinstance(value, bool)
            and settings.hold_seconds_min <= value <= settings.hold_seconds_max
        )

    @property
    def hold_seconds(self) -> int:
        """This conversation's choice, else the person's saved preference, else the default.
        The profile is read only when the conversation has no choice of its own."""
        chosen = self.attrs.get(ATTR_HOLD_SECONDS)
        if self._usable_hold(chosen):
            return int(chosen)
        saved = self.memory.profile.hold_seconds
        if saved is not None and self._usable_hold(saved):
            return saved
        return self.coach.content.routine.hold_seconds_default

    def carry_saved_preferences(self) -> None:
        """At launch, after the profile was read anyway: the person's hold length (saved, or
        the default when none is saved) goes into the session, so the turns that follow need
        no database read for it. Not when the read failed: a later turn may still find it."""
        if ATTR_HOLD_SECONDS not in self.attrs and self.memory.available:
            self.attrs[ATTR_HOLD_SECONDS] = self.hold_seconds

    @hold_seconds.setter
    def hold_seconds(self, value: int) -> None:
        self.attrs[ATTR_HOLD_SECONDS] = value
        self.memory.update(hold_seconds=value)

    @property
    def pending(self) -> str | None:
        value = self.attrs.get(ATTR_PENDING)
        return value if isinstance(value, str) else None

    @property
    def last(self) -> tuple[SpokenTurn, str | None] | None:
        """What was said last (for "repeat"), rebuilt from the session attributes."""
        value = self.attrs.get(ATTR_LAST)
        turn = SpokenTurn.from_dict(value, self.coach.content)
        if turn is None or not isinstance(value, dict):
            return None
        reprompt = value.get("reprompt")
        return turn, reprompt if isinstance(reprompt, str) and reprompt else None

    def record_progress(self, outcome: Outcome) -> None:
        """Count finished holds and sessions, and keep the place to resume from."""
        state = outcome.state
        self.memory.record(len(outcome.newly_completed), outcome.routine_finished)
        if state.stage is Stage.FINISHED:
            self.memory.update(resume_point=None)
        else:
            at = self.memory.request_time().isoformat()
            self.memory.update(resume_point={"routine": state.to_dict(), "at": at})

    def disclaimer_due(self) -> bool:
        """Once per person: remembered across conversations, and within this one even when
        the database is down. Once the profile says it was heard, the session remembers it,
        so the rest of the conversation never reads the profile again just for this."""
        if self.attrs.get(ATTR_DISCLAIMER):
            return False
        if self.memory.profile.disclaimer_heard:
            self.attrs[ATTR_DISCLAIMER] = True
            return False
        return True

    def mark_disclaimer_heard(self) -> None:
        self.attrs[ATTR_DISCLAIMER] = True
        self.memory.update(disclaimer_heard=True)

    def reply(self, turn: Turn) -> Response:
        """Build the response from a turn and remember it for "repeat".

        A conversation that opens with a one-shot request ("ask hamstring coach to start the
        seated stretch") hears the disclaimer first, unless the turn is emergency advice.
        """
        if (
            self.disclaimer_due()
            and not turn.urgent
            and self.handler_input.request_envelope.session
        ):
            turn.speech = Speech().say(self.coach.p.get("launch.disclaimer")).extend(turn.speech)
            self.mark_disclaimer_heard()
        spoken = SpokenTurn.from_speech(turn.speech)
        reprompt = to_ssml(turn.reprompt, reprompt=True) if turn.reprompt else None
        if not turn.end_session and reprompt is None:
            raise ValueError("an open session needs a reprompt")
        self.attrs[ATTR_LAST] = spoken.to_dict() | {"reprompt": reprompt}
        if turn.expects:
            self.attrs[ATTR_PENDING] = turn.expects
        else:
            self.attrs.pop(ATTR_PENDING, None)
        return self.respond(self.renderer.render(spoken), reprompt, turn)

    def respond(
        self, rendered: Rendered, reprompt: str | None, turn: Turn | None = None
    ) -> Response:
        """outputSpeech first, then the APL-A document: Alexa never overlaps the two."""
        builder = self.handler_input.response_builder
        if rendered.ssml:
            builder.speak(rendered.ssml)
        if rendered.directive is not None:
            builder.add_directive(RenderDocumentDirective(**_directive_kwargs(rendered.directive)))
        end = turn.end_session if turn else reprompt is None
        if reprompt and not end:
            builder.ask(reprompt)
        if turn and turn.card:
            builder.set_card(SimpleCard(title=turn.card.title, content=turn.card.text))
        builder.set_should_end_session(end)
        return builder.response


def _directive_kwargs(directive: dict[str, Any]) -> dict[str, Any]:
    return {
        "token": directive["token"],
        "document": directive["document"],
        "datasources": directive.get("datasources") or None,
    }


class CoachHandler(AbstractRequestHandler):
    """A request handler with the coach (content) and the progress store at hand."""

    def __init__(
        self,
        coach: Coach,
        store: ProgressStore | None = None,
        renderer: SpeechRenderer | None = None,
    ) -> None:
        self.coach = coach
        self.store = store
        self.renderer = renderer or SpeechRenderer(coach.content)

    def conversation(self, handler_input: HandlerInput) -> Conversation:
        return Conversation(handler_input, self.coach, self.store, self.renderer)


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
