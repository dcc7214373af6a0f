"""Safety answers and the clinic's numbers. Answers are data (answers.yaml): one handler serves
every answer intent, and asking never loses the person's place in the routine.
"""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_intent_name, is_request_type
from ask_sdk_model import Response

from skill.alexa.handlers.base import CoachHandler
from skill.core import routine


class AnswerIntentHandler(CoachHandler):
    """Any intent with an entry in answers.yaml; red flags and nerve pain stop the routine."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return (
            is_request_type("IntentRequest")(handler_input)
            and get_intent_name(handler_input) in self.coach.content.answers
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        conv = self.conversation(handler_input)
        intent = get_intent_name(handler_input)
        answer = self.coach.content.answers[intent]
        state = conv.routine
        turn = self.coach.answer_turn(intent, state)
        if answer.emergency:
            conv.routine = None
        elif answer.ends_routine and state is not None:
            conv.routine = routine.pause(state).state
        return conv.reply(turn)


class BookAppointmentIntentHandler(CoachHandler):
    intents = ("BookAppointmentIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        conv = self.conversation(handler_input)
        return conv.reply(self.coach.booking_turn("rehab", conv.routine))


class InjuryCareIntentHandler(CoachHandler):
    intents = ("InjuryCareIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        conv = self.conversation(handler_input)
        return conv.reply(self.coach.booking_turn("injury_care", conv.routine))
