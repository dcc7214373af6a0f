"""Opening and closing the conversation: launch, stop / cancel / home, session end."""

from __future__ import annotations

from datetime import datetime, timedelta

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_request_type
from ask_sdk_model import Response

from skill.alexa.handlers.base import CoachHandler, Conversation
from skill.core.routine import RoutineLimits, RoutineState, Stage

RESUME_WITHIN = timedelta(days=7)


def saved_routine(conv: Conversation) -> RoutineState | None:
    """The routine the person stopped in the middle of (within a week), if any."""
    point = conv.memory.profile.resume_point
    if not isinstance(point, dict):
        return None
    state = RoutineState.from_dict(point.get("routine"), RoutineLimits.of(conv.coach.content))
    try:
        at = datetime.fromisoformat(str(point.get("at")))
    except ValueError:
        return None
    if at.tzinfo is None or conv.memory.request_time() - at > RESUME_WITHIN:
        return None
    return state if state is not None and state.stage is not Stage.FINISHED else None


class LaunchRequestHandler(CoachHandler):
    """Welcome (back, with one line of progress), the disclaimer once per person, then the
    offer to pick up where they stopped or the choice of stretches."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("LaunchRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        conv = self.conversation(handler_input)
        summary = conv.memory.summary()
        conv.carry_saved_preferences()
        disclaimer = conv.disclaimer_due()
        if disclaimer:
            conv.mark_disclaimer_heard()
        return conv.reply(self.coach.launch_turn(summary, disclaimer, saved_routine(conv)))


class StopIntentHandler(CoachHandler):
    """Stop, cancel and "go home" all end the skill: mid-routine with a one-line summary."""

    intents = ("AMAZON.StopIntent", "AMAZON.CancelIntent", "AMAZON.NavigateHomeIntent")

    def handle(self, handler_input: HandlerInput) -> Response:
        conv = self.conversation(handler_input)
        return conv.reply(self.coach.stop_turn(conv.routine))


class SessionEndedRequestHandler(CoachHandler):
    """Alexa closed the session (user left, error, no answer); no speech is allowed."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("SessionEndedRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        # Opening the conversation settles the last response by this request's timestamp:
        # the holds played before the silence (or the exit) count, and the resume point moves.
        self.conversation(handler_input)
        return handler_input.response_builder.response


class SkillDisabledEventHandler(CoachHandler):
    """The person disabled the skill: delete everything we keep about them."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("AlexaSkillEvent.SkillDisabled")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        self.conversation(handler_input).memory.forget()
        return handler_input.response_builder.response
