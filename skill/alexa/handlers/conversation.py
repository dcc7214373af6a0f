"""Conversation glue: help, yes / no (the reminder offer's included), progress in this
conversation, and anything not understood."""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_request_type
from ask_sdk_model import Response

from skill.alexa.handlers.base import CoachHandler
from skill.alexa.handlers.reminders import accept_offer, answer, decline_offer, offer_if_due
from skill.alexa.handlers.routine import carry_on, deliver, start_routine
from skill.alexa.handlers.session import saved_routine
from skill.core import routine
from skill.core.reminders import ReminderReply
from skill.core.routine import Stage
from skill.core.session_state import Expect


class HelpIntentHandler(CoachHandler):
    intents = ("AMAZON.HelpIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        conv = self.conversation(handler_input)
        return conv.reply(self.coach.help_turn(conv.routine))


# What "yes" starts after a question that offered a stretch ("would you like …?").
OFFERED_STRETCH = {
    Expect.START_ROUTINE: "full",
    Expect.START_SEATED: "seated",
    Expect.START_SUPINE: "supine",
}


class YesIntentHandler(CoachHandler):
    """ "Yes" answers the last question: start the stretch offered, give the clinic's number,
    or "ready?" during a routine."""

    intents = ("AMAZON.YesIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        conv = self.conversation(handler_input)
        state = conv.routine
        if conv.expects in OFFERED_STRETCH:
            return start_routine(conv, OFFERED_STRETCH[conv.expects])
        if conv.expects is Expect.CLINIC_NUMBER:
            return conv.reply(self.coach.booking_turn("rehab", state))
        if conv.expects is Expect.RESUME_SAVED:
            saved = saved_routine(conv)
            if saved is not None:
                return deliver(conv, routine.resume(saved))
        if conv.expects is Expect.HEAR_WEEK:  # the week, then the offer of a reminder if due
            summary = conv.memory.summary()
            offer = offer_if_due(conv)
            if offer is not None:
                conv.change(reminder_offer=offer.token())
            return conv.reply(self.coach.progress_turn(summary, state, offer=offer))
        if conv.expects is Expect.SET_REMINDER:
            accepted = accept_offer(conv)
            if accepted is not None:
                return accepted
        if state is not None and state.stage in (Stage.ACTIVE, Stage.PAUSED):
            return carry_on(conv)
        return conv.reply(self.coach.follow_up_turn("yes_no.unexpected", state))


class NoIntentHandler(CoachHandler):
    intents = ("AMAZON.NoIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        conv = self.conversation(handler_input)
        state, coach = conv.routine, self.coach
        if conv.expects is Expect.RESUME_SAVED:
            conv.memory.update(resume_point=None)
            turn = coach.question(
                "resume.declined", "launch.offer", reprompt="launch.offer_reprompt"
            )
            return conv.reply(turn)
        if conv.expects is Expect.CLINIC_NUMBER:
            return conv.reply(coach.follow_up_turn("yes_no.no_clinic", state))
        if conv.expects is Expect.HEAR_WEEK:  # the offer of a reminder if due, else goodbye
            offer = offer_if_due(conv)
            if offer is not None:
                return answer(conv, ReminderReply.OFFER, offer)
            return conv.reply(coach.stop_turn(state))
        if conv.expects is Expect.SET_REMINDER:
            return decline_offer(conv)
        if state is None:
            return conv.reply(coach.question("yes_no.no_idle", reprompt="yes_no.no_reprompt"))
        return conv.reply(coach.follow_up_turn("yes_no.take_your_time", state))


class ProgressIntentHandler(CoachHandler):
    intents = ("ProgressIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        conv = self.conversation(handler_input)
        return conv.reply(self.coach.progress_turn(conv.memory.summary(), conv.routine))


class FallbackHandler(CoachHandler):
    """FallbackIntent, and any intent or request this skill does not know: a reprompt that
    fits where the person is, never a dead end."""

    intents = ("AMAZON.FallbackIntent",)

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("IntentRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        conv = self.conversation(handler_input)
        return conv.reply(self.coach.fallback_turn(conv.routine))


class UnhandledRequestHandler(CoachHandler):
    """Requests of other types (e.g. events, display callbacks): an empty, valid answer."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return True

    def handle(self, handler_input: HandlerInput) -> Response:
        return handler_input.response_builder.response
