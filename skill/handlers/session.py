"""Opening and closing the conversation: launch, stop / cancel / home, session end."""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name, is_request_type
from ask_sdk_model import Response

from skill.handlers.base import CoachHandler


class LaunchRequestHandler(CoachHandler):
    """Welcome, the disclaimer once per conversation, and the offer of stretches."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("LaunchRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        conv = self.conversation(handler_input)
        p = self.coach.p
        texts = [p.get("launch.welcome")]
        if conv.disclaimer_due():
            texts.append(p.get("launch.disclaimer"))
            conv.mark_disclaimer_heard()
        texts.append(p.get("launch.offer"))
        return conv.reply(self.coach.ask(*texts, reprompt=p.get("launch.offer_reprompt")))


class StopIntentHandler(CoachHandler):
    """Stop, cancel and "go home" all end the skill: mid-routine with a one-line summary."""

    INTENTS = ("AMAZON.StopIntent", "AMAZON.CancelIntent", "AMAZON.NavigateHomeIntent")

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return any(is_intent_name(name)(handler_input) for name in self.INTENTS)

    def handle(self, handler_input: HandlerInput) -> Response:
        conv = self.conversation(handler_input)
        return conv.reply(self.coach.stop_turn(conv.routine))


class SessionEndedRequestHandler(CoachHandler):
    """Alexa closed the session (user left, error, no answer); no speech is allowed."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("SessionEndedRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        return handler_input.response_builder.response
