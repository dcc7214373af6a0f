"""Handlers that steer the routine: start, next, previous, pause, resume, start over, switch
legs, how many are left, hold length and repeat. Each translates Alexa to a routine transition.
"Repeat" composes the last turn again from how it was composed (SessionState.last).
"""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_intent_name
from ask_sdk_model import Response

from skill.alexa.durations import duration_seconds
from skill.alexa.handlers.base import CoachHandler, Conversation, slot_value
from skill.core import routine
from skill.core.routine import Outcome, Stage
from skill.core.session_state import HoldLengthReply

STRETCH_CHOICES = {"seated": ("seated",), "supine": ("supine",), "full": ("seated", "supine")}


def deliver(conv: Conversation, outcome: Outcome) -> Response:
    """Store the new routine state and speak the hold it hands out."""
    conv.routine = outcome.state
    conv.record_progress(outcome)
    assert outcome.step is not None
    return conv.reply(conv.coach.hold_turn(outcome.step, outcome.state, outcome.at_start))


def not_running(conv: Conversation, key: str) -> Response:
    """An answer for steering commands when no routine is running."""
    return conv.reply(conv.coach.follow_up_turn(key, None))


def start_routine(conv: Conversation, choice: str) -> Response:
    conv.memory.update(last_stretch=choice)
    outcome = routine.start(
        STRETCH_CHOICES[choice], conv.coach.content.routine.reps_per_leg, conv.hold_seconds
    )
    return deliver(conv, outcome)


class StartStretchIntentHandler(CoachHandler):
    intents = ("StartStretchIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        conv = self.conversation(handler_input)
        choice, _ = slot_value(handler_input, "Stretch")
        if choice not in STRETCH_CHOICES:
            return conv.reply(self.coach.question("start.which", reprompt="start.which_reprompt"))
        return start_routine(conv, choice)


class NextIntentHandler(CoachHandler):
    intents = ("AMAZON.NextIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        conv = self.conversation(handler_input)
        state = conv.routine
        if state is None:
            return not_running(conv, "navigation.next_not_in_routine")
        if state.stage is Stage.FINISHED:
            return conv.reply(self.coach.follow_up_turn("navigation.after_finish", state))
        return deliver(conv, routine.next_hold(state))


class PreviousIntentHandler(CoachHandler):
    intents = ("AMAZON.PreviousIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        conv = self.conversation(handler_input)
        state = conv.routine
        if state is None:
            return not_running(conv, "navigation.next_not_in_routine")
        return deliver(conv, routine.previous_hold(state))


class PauseIntentHandler(CoachHandler):
    intents = ("AMAZON.PauseIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        conv = self.conversation(handler_input)
        state = conv.routine
        if state is None or state.stage is Stage.FINISHED:
            return not_running(conv, "pause.not_in_routine")
        conv.routine = routine.pause(state).state
        return conv.reply(self.coach.question("pause.paused", reprompt="pause.reprompt"))


class ResumeIntentHandler(CoachHandler):
    intents = ("AMAZON.ResumeIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        conv = self.conversation(handler_input)
        state = conv.routine
        if state is None or state.stage is Stage.FINISHED:
            return not_running(conv, "pause.resume_nothing")
        return deliver(conv, routine.resume(state))


class StartOverIntentHandler(CoachHandler):
    intents = ("AMAZON.StartOverIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        conv = self.conversation(handler_input)
        state = conv.routine
        if state is None:
            return not_running(conv, "navigation.next_not_in_routine")
        return deliver(conv, routine.start_over(state))


class SwitchLegsIntentHandler(CoachHandler):
    intents = ("SwitchLegsIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        conv = self.conversation(handler_input)
        state = conv.routine
        if state is None:
            return not_running(conv, "navigation.switch_not_in_routine")
        return deliver(conv, routine.switch_legs(state))


class HowManyLeftIntentHandler(CoachHandler):
    intents = ("HowManyLeftIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        conv = self.conversation(handler_input)
        return conv.reply(self.coach.remaining_turn(conv.routine))


def set_hold_length(conv: Conversation, seconds: int | None) -> Response:
    """Set the hold length (asked again when missing or out of range); a running routine
    uses it from the next hold on."""
    coach, state = conv.coach, conv.routine
    if seconds is None:
        return conv.reply(coach.hold_length_turn(HoldLengthReply.MISSING, state))
    if not conv.limits.hold_ok(seconds):
        return conv.reply(coach.hold_length_turn(HoldLengthReply.OUT_OF_RANGE, state))
    conv.hold_seconds = seconds
    if state is None or state.stage is Stage.FINISHED:
        return conv.reply(coach.hold_length_turn(HoldLengthReply.SET_IDLE, state, seconds))
    conv.routine = routine.set_hold_seconds(state, seconds)
    turn = coach.hold_length_turn(HoldLengthReply.SET_RUNNING, conv.routine, seconds)
    return conv.reply(turn)


def heard_seconds(handler_input: HandlerInput) -> int | None:
    """ "hold for 45 seconds" (AMAZON.NUMBER) or "hold for a minute" (AMAZON.DURATION)."""
    _, number = slot_value(handler_input, "Seconds")
    if number is not None:
        try:
            return int(number)
        except ValueError:
            return None
    _, duration = slot_value(handler_input, "Duration")
    return duration_seconds(duration) if duration else None


class SetHoldLengthIntentHandler(CoachHandler):
    intents = ("SetHoldLengthIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        return set_hold_length(self.conversation(handler_input), heard_seconds(handler_input))


class ChangeHoldLengthIntentHandler(CoachHandler):
    """ "Longer holds" / "shorter holds": one step within the content's range, or say that
    the holds are already at the end of it."""

    intents = ("LongerHoldIntent", "ShorterHoldIntent")

    def handle(self, handler_input: HandlerInput) -> Response:
        conv = self.conversation(handler_input)
        settings = self.coach.content.routine
        state = conv.routine
        running = state is not None and state.stage is not Stage.FINISHED
        now = state.hold_seconds if running and state is not None else conv.hold_seconds
        if get_intent_name(handler_input) == "LongerHoldIntent":
            wanted = min(now + settings.hold_seconds_step, settings.hold_seconds_max)
            limit = HoldLengthReply.AT_MAX
        else:
            wanted = max(now - settings.hold_seconds_step, settings.hold_seconds_min)
            limit = HoldLengthReply.AT_MIN
        if wanted == now:
            return conv.reply(self.coach.hold_length_turn(limit, conv.routine, now))
        return set_hold_length(conv, wanted)


class RepeatIntentHandler(CoachHandler):
    intents = ("AMAZON.RepeatIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        conv = self.conversation(handler_input)
        last = conv.state.last
        if last is None:
            return not_running(conv, "navigation.nothing_to_repeat")
        return conv.say(self.coach.replay(last))
