"""Safety answers and the clinic's numbers. Answers are data (answers.yaml): one handler serves
every answer intent, another reads what people say about their body through the triage
(triage.yaml), and both answer the same way. Asking never loses the person's place.
"""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_intent_name, is_request_type
from ask_sdk_model import Response

from skill.alexa.handlers.base import CoachHandler, Conversation, slot_value
from skill.core import routine
from skill.core.routine import Stage
from skill.core.triage import DEFAULT_ANSWER, Frame

# The phrase-slot intents: the carrier phrase decides how the statement is read.
STATEMENT_INTENTS = {
    "BodyStatementIntent": ("Statement", Frame.STATEMENT),
    "CantDoIntent": ("Task", Frame.CANNOT),
    "FallStatementIntent": ("Statement", Frame.AFTER_FALL),
    "SuddenStatementIntent": ("Statement", Frame.SUDDEN),
}


def answer(conv: Conversation, key: str) -> Response:
    """Say the answer `key`; an emergency ends the routine (and forgets where it stood), pain
    pauses it."""
    reply = conv.coach.content.answers[key]
    state = conv.routine
    turn = conv.coach.answer_turn(key, state)
    if reply.emergency:  # the routine ends, and is not offered again at the next launch
        conv.routine = None
        conv.memory.update(resume_point=None)
    elif reply.ends_routine and state is not None and state.stage is Stage.ACTIVE:
        conv.routine = routine.pause(state).state
    return conv.reply(turn)


class AnswerIntentHandler(CoachHandler):
    """Any intent with an entry in answers.yaml."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return (
            is_request_type("IntentRequest")(handler_input)
            and get_intent_name(handler_input) in self.coach.content.answers
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        return answer(self.conversation(handler_input), get_intent_name(handler_input))


class StatementIntentHandler(CoachHandler):
    """ "I feel …", "my …", "I can't …", "I fell …": the words after the carrier phrase (an
    AMAZON.SearchQuery slot) go through the triage, which picks the answer. An empty or
    unreadable statement gets the safe default, never silence or "carry on"."""

    intents = tuple(STATEMENT_INTENTS)

    def handle(self, handler_input: HandlerInput) -> Response:
        conv = self.conversation(handler_input)
        slot, frame = STATEMENT_INTENTS[get_intent_name(handler_input)]
        _, heard = slot_value(handler_input, slot)
        key = DEFAULT_ANSWER
        if heard and heard.strip():
            key = self.coach.content.triage.classify(heard, frame).answer
        return answer(conv, key)


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
