"""Answers, the clinic's numbers and the fallback: the turns that must be safe first.

The rules they keep (tests/test_answer_lengths.py): an emergency says to call 911 before
anything else; a phone answer says the number in its first sentence; no answer is delayed by
the first-use disclaimer (Turn.answer_first); a turn not understood starts with safety.
"""

from __future__ import annotations

from dataclasses import replace

from skill.core.content import Phone
from skill.core.routine import RoutineState, Stage
from skill.core.screens import AnswerScreen
from skill.core.session_state import Expect, Replay, TurnKind
from skill.core.speech import Speech
from skill.core.turn_base import Card, Turn, TurnBase, speech_of

OFFER_EXPECTS = {"seated": Expect.START_SEATED, "supine": Expect.START_SUPINE}


class AnswerTurns(TurnBase):
    """Composes safety and how-to answers, phone numbers and "I didn't understand"."""

    def answer_turn(self, key: str, state: RoutineState | None) -> Turn:
        """The answer `key` of answers.yaml (an intent, or a key the triage reached)."""
        turn = self._answer(key, state)
        turn.replay = Replay(TurnKind.ANSWER, state, ref=key)
        return turn

    def _answer(self, key: str, state: RoutineState | None) -> Turn:
        answer = self.content.answers[key]
        if answer.emergency:
            title, text = self.p.get("cards.emergency_title"), self.p.get("cards.emergency_text")
            number = self.p.get("screens.emergency_number")
            screen = AnswerScreen(title, text, number=number, urgent=True)
            return Turn(
                speech_of(answer.text),
                end_session=True,
                card=Card(title, text),
                urgent=True,
                screen=screen,
            )
        if answer.ends_routine:
            running = state is not None and state.stage is not Stage.FINISHED
            lead = [self.p.get("follow_up.after_stop")] if running else []
            turn = self._ask(
                answer.text,
                *lead,
                self.p.get("follow_up.clinic_offer"),
                reprompt=self.p.get("follow_up.clinic_offer_reprompt"),
            )
            turn.expects = Expect.CLINIC_NUMBER
        elif answer.offer is not None and not _doing(state, answer.offer):
            name = self.content.stretch(answer.offer).short_name
            turn = self._ask(
                answer.text,
                self.p.get("offer.stretch", name=name),
                reprompt=self.p.get("offer.reprompt", name=name),
            )
            turn.expects = OFFER_EXPECTS[answer.offer]
        else:
            turn = self._with_follow_up(answer.text, state)
        turn.answer_first = True
        title = "screens.ends_routine_title" if answer.ends_routine else "screens.answer_title"
        turn.screen = AnswerScreen(self.p.get(title), answer.text, stretch_id=answer.offer)
        return turn

    def booking_turn(self, key: str, state: RoutineState | None) -> Turn:
        """A clinic's number, in the first sentence, then back to where the person was."""
        phone: Phone = self.content.clinic[key]
        prefix = "booking.rehab" if key == "rehab" else "booking.injury"
        params = dict(name=phone.name, vanity=phone.display)
        speech = Speech().say(self.p.get(f"{prefix}_before", **params)).phone(phone.dial)
        speech.say(self.p.get(f"{prefix}_after", **params))
        question, reprompt = self.follow_up(state)
        speech.say(question)
        expects = Expect.START_ROUTINE if state is None else None
        if key == "rehab":
            card = Card(
                self.p.get("cards.rehab_title"),
                self.p.get("cards.rehab_text", name=phone.name, display=phone.display),
            )
        else:
            card = Card(
                self.p.get("cards.injury_title"),
                self.p.get(
                    "cards.injury_text",
                    name=phone.name,
                    display=phone.display,
                    dial_pretty=phone.dial_pretty,
                ),
            )
        picture = _stretch_of(state)
        card = replace(card, picture=picture)
        screen = AnswerScreen(card.title, card.text, number=phone.display, stretch_id=picture)
        replay = Replay(TurnKind.BOOKING, state, ref=key)
        turn = Turn(
            speech, speech_of(reprompt), card=card, expects=expects, replay=replay, screen=screen
        )
        turn.answer_first = True
        return turn

    def fallback_turn(self, state: RoutineState | None) -> Turn:
        """Not understood. Outside a routine: what the skill can do. During one: safety first,
        then how to go on; never "carry on" as if what was said were understood."""
        stage = self.stage_key(state)
        if stage == "running" and state is not None:
            nxt = state.current
            text = self.p.get("fallback.running", rep=nxt.rep, leg=nxt.leg)
        else:
            text = self.p.get(f"fallback.{stage}")
        turn = self._ask(text, reprompt=self.p.get(f"fallback.{stage}_reprompt"))
        if stage == "idle":
            turn.expects = Expect.START_ROUTINE
        turn.replay = Replay(TurnKind.FALLBACK, state)
        return turn


def _stretch_of(state: RoutineState | None) -> str:
    """The stretch whose picture goes with a phone card: the routine's current one (the last
    one when it is finished), else the seated one."""
    return state.current.stretch_id if state is not None else "seated"


def _doing(state: RoutineState | None, stretch_id: str) -> bool:
    """Whether the person is on that stretch now (so there is nothing to offer instead)."""
    if state is None or state.stage is Stage.FINISHED:
        return False
    return state.current.stretch_id == stretch_id
