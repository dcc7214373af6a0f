"""What every turn the coach composes shares: the Turn itself, its card, and the follow-up
question that brings the person back to where they were. No Alexa types, no SSML."""

from __future__ import annotations

from dataclasses import dataclass, field

from skill.core.content import Content
from skill.core.playback import PlayPlan
from skill.core.routine import RoutineState, Stage
from skill.core.screens import Screen
from skill.core.session_state import Expect, Replay
from skill.core.speech import Speech


@dataclass(frozen=True)
class Card:
    title: str
    text: str
    picture: str | None = None  # a stretch id: its pose goes on the card where images are served


@dataclass
class Turn:
    speech: Speech
    reprompt: Speech | None = None
    end_session: bool = False
    card: Card | None = None
    expects: Expect | None = None  # what a "yes" would mean next
    urgent: bool = False  # emergency advice: nothing may come before it
    # A safety answer or a phone number: the first-use disclaimer must not delay it, so it
    # waits for a later turn (the next stretch, or the next launch).
    answer_first: bool = False
    # How the turn was composed, for "repeat" (Coach.replay composes it again); every turn
    # that keeps the session open has one.
    replay: Replay | None = None
    # Parts of a hold turn, kept apart so APL for Audio can place them around the hold.
    intro: Speech = field(default_factory=Speech)
    outro: Speech = field(default_factory=Speech)
    # A set turn: where each of its holds starts and ends (skill/core/playback.py).
    play: PlayPlan | None = None
    # What a device with a screen shows (skill/core/screens.py); None: nothing new to show.
    screen: Screen | None = None
    # Reminders (issue 20): the handler asks Alexa for the reminders permission by voice
    # (Connections.SendRequest AskFor; the token is this schedule's token), or sends the
    # permission card to the Alexa app.
    ask_reminder_permission: str | None = None
    reminder_permission_card: bool = False


def speech_of(*texts: str) -> Speech:
    return Speech().say(*texts)


class TurnBase:
    """The content, and the follow-up questions every kind of turn ends with."""

    def __init__(self, content: Content) -> None:
        self.content = content
        self.p = content.phrases

    def stage_key(self, state: RoutineState | None) -> str:
        """The part of the conversation we are in, for help, fallback and follow-ups."""
        if state is None:
            return "idle"
        return {Stage.ACTIVE: "running", Stage.PAUSED: "paused"}.get(state.stage, "finished")

    def follow_up(self, state: RoutineState | None) -> tuple[str, str]:
        """The question that brings the person back to where they were, and its reprompt."""
        stage = self.stage_key(state)
        if stage == "idle":
            return self.p.get("follow_up.idle"), self.p.get("follow_up.idle_reprompt")
        if stage == "running" and state is not None:
            nxt = state.current
            if not state.is_done(nxt):
                text = self.p.get("follow_up.running", rep=nxt.rep, leg=nxt.leg)
                return text, self.p.get("set.reprompt")
        key = "paused" if stage == "paused" else "finished"
        return self.p.get(f"follow_up.{key}"), self.p.get(f"follow_up.{key}_reprompt")

    def session_card(self, state: RoutineState | None) -> Card | None:
        """The goodbye card after a routine (the Coach, which can name routines, makes it)."""
        return None

    def _ask(self, *texts: str, reprompt: str) -> Turn:
        """Say `texts` (ending with a question) and keep listening, with a reprompt."""
        return Turn(speech_of(*texts), speech_of(reprompt))

    def _with_follow_up(self, text: str, state: RoutineState | None) -> Turn:
        """An answer, then the question that leads back to where the person was."""
        question, reprompt = self.follow_up(state)
        turn = self._ask(text, question, reprompt=reprompt)
        if state is None:
            turn.expects = Expect.START_ROUTINE
        return turn
