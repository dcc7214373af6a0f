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
from skill.core.routine import Intro, Outcome, Stage, Step
from skill.core.session_state import Expect, HoldLengthReply, TurnKind

STRETCH_CHOICES = {"seated": ("seated",), "supine": ("supine",), "full": ("seated", "supine")}


def deliver(
    conv: Conversation,
    outcome: Outcome,
    lead: str = "",
    skip_ms: int = 0,
    disclaimer: bool = False,
) -> Response:
    """Store the new routine state and play the set it hands out (as many holds as one
    response holds, or one when the person asked to be waited for); `lead`: words first;
    `disclaimer`: the disclaimer first again (a repeat of a set none of which was heard)."""
    conv.routine = outcome.state
    conv.keep_resume_point(outcome.state)
    if outcome.step is None:  # "next" past the last hold
        return conv.reply(conv.coach.follow_up_turn("navigation.after_finish", outcome.state))
    turn = conv.coach.set_turn(
        outcome.step, outcome.state, conv.preferences, lead, skip_ms, outcome.at_start
    )
    if disclaimer:
        turn = conv.coach.with_disclaimer(turn)
    return conv.reply(turn)


def carry_on(conv: Conversation, lead: str = "", disclaimer: bool = False) -> Response:
    """Go on from where the routine stands: a hold cut short starts again ("let's pick up
    where you were"), otherwise the next hold not yet played."""
    state = conv.routine
    assert state is not None
    if conv.interrupted or state.stage is Stage.PAUSED:
        return deliver(conv, routine.resume(state), lead, disclaimer=disclaimer)
    return deliver(conv, routine.go_on(state), lead, disclaimer=disclaimer)


def continue_set(conv: Conversation, lead: str) -> Response:
    """Say `lead`, then go on with the set from the next hold (a question between two holds
    of a set: no set-up again, just "Rep 2 of 3, right leg." and the count-in)."""
    state = conv.routine
    assert state is not None
    hold = state.current
    return deliver(conv, Outcome(state, Step(hold, Intro.NEXT_REP, state.after(hold))), lead)


def continue_hold(conv: Conversation, lead: str) -> Response:
    """Say `lead`, then go on with the rest of the hold this request cut short (a quick
    question mid-hold: the person is still holding), and the set after it."""
    state, settled = conv.routine, conv.settled
    assert state is not None
    assert settled is not None
    hold = settled.interrupted
    assert hold is not None
    step = Step(hold, Intro.CONTINUE, state.after(hold))
    outcome = Outcome(state, step)
    return deliver(conv, outcome, lead, settled.into_ms)


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
        if conv.interrupted:  # "next" mid-hold: skip the rest of it (it does not count)
            return deliver(conv, routine.next_hold(state))
        return deliver(conv, routine.go_on(state))


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
        conv.routine = paused = routine.pause(state).state
        return conv.reply(self.coach.pause_turn(paused))


class ResumeIntentHandler(CoachHandler):
    intents = ("AMAZON.ResumeIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        conv = self.conversation(handler_input)
        state = conv.routine
        if state is None or state.stage is Stage.FINISHED:
            return not_running(conv, "pause.resume_nothing")
        return carry_on(conv)


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


class TimeLeftIntentHandler(CoachHandler):
    """ "How long is left": mid-hold, the seconds left in it, and the hold goes on from there;
    between holds of a set, the time left in all, and the set goes on; otherwise the time
    left in all, and the question that leads back."""

    intents = ("TimeLeftIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        conv = self.conversation(handler_input)
        state, settled = conv.routine, conv.settled
        if state is None or state.stage is Stage.FINISHED:
            return conv.reply(self.coach.remaining_turn(state))
        if settled is not None and settled.interrupted is not None:
            return continue_hold(conv, self.coach.seconds_left(settled.left_ms))
        if settled is not None and settled.mid_set and state.stage is Stage.ACTIVE:
            return continue_set(conv, self.coach.time_left(state, resting=True))
        return conv.reply(self.coach.time_left_turn(state))


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
        state = conv.routine
        if last.kind is TurnKind.HOLD and state is not None:
            # A set is never played again from its start: what was played counts, the rest
            # goes on; after the last set, its closing question is asked again. A set that
            # opened with the disclaimer and of which no hold counted says it again.
            if state.stage is Stage.FINISHED:
                question = self.coach.question("finish.ask", reprompt="finish.ask_reprompt")
                question.expects = Expect.HEAR_WEEK
                return conv.reply(question)
            unheard = last.disclaimer and not (conv.settled is not None and conv.settled.newly)
            return carry_on(conv, disclaimer=unheard)
        return conv.say(self.coach.replay(last))
