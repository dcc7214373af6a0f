"""How the person likes to be coached: "wait for me between holds" or not, "skip the
instructions", "just count", "more detail" (remembered across sessions), and "how do I do it"
(the full instructions, whatever the preference)."""

from __future__ import annotations

from dataclasses import replace

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_intent_name
from ask_sdk_model import Response

from skill.alexa.handlers.base import CoachHandler, slot_value
from skill.alexa.handlers.routine import continue_hold, continue_set
from skill.core.preferences import Detail, Pace
from skill.core.routine import Stage

PACE_INTENTS = {"StepByStepIntent": Pace.STEP, "ContinuousIntent": Pace.CONTINUOUS}
DETAIL_INTENTS = {
    "LessTalkIntent": Detail.BRIEF,
    "JustCountIntent": Detail.COUNT,
    "MoreDetailIntent": Detail.FULL,
}


class PreferenceIntentHandler(CoachHandler):
    """Change and remember a preference. Said mid-set, the set goes on in the new way (the
    hold under way from where it was); otherwise the question that leads back."""

    intents = (*PACE_INTENTS, *DETAIL_INTENTS)

    def handle(self, handler_input: HandlerInput) -> Response:
        conv = self.conversation(handler_input)
        name = get_intent_name(handler_input)
        prefs = conv.preferences
        if name in PACE_INTENTS:
            prefs, changed = replace(prefs, pace=PACE_INTENTS[name]), "pace"
        else:
            prefs, changed = replace(prefs, detail=DETAIL_INTENTS[name]), "detail"
        conv.preferences = prefs
        said = self.coach.preference_said(prefs, changed)
        state, settled = conv.routine, conv.settled
        if state is not None and state.stage is Stage.ACTIVE and settled is not None:
            if settled.interrupted is not None:
                return continue_hold(conv, said)
            if settled.mid_set:
                return continue_set(conv, said)
        return conv.reply(self.coach.preference_turn(prefs, changed, state))


class HowToIntentHandler(CoachHandler):
    """ "How do I do it": the full instructions of the stretch named, else of the stretch under
    way (or of both), then the way back; never shortened by "skip the instructions"."""

    intents = ("HowToIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        conv = self.conversation(handler_input)
        named, _ = slot_value(handler_input, "Stretch")
        stretch = named if named in self.coach.content.stretch_ids else None
        return conv.reply(self.coach.how_to_turn(conv.routine, stretch))
