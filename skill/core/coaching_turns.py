"""Turns about the coaching itself: time left, how the person likes to be coached, and the
full instructions on request. Words from phrases.yaml and stretches.yaml."""

from __future__ import annotations

import math

from skill.core.preferences import Detail, Pace, Preferences
from skill.core.routine import LEGS, RoutineState, Stage
from skill.core.screens import SetupScreen
from skill.core.session_state import Replay, TurnKind
from skill.core.turn_base import Turn, TurnBase

PACE_SAID = {Pace.STEP: "preferences.step", Pace.CONTINUOUS: "preferences.continuous"}
DETAIL_SAID = {
    Detail.BRIEF: "preferences.brief",
    Detail.COUNT: "preferences.count",
    Detail.FULL: "preferences.full",
}


class CoachingTurns(TurnBase):
    """Time left, preferences and instructions."""

    def count(self, n: int, unit: str) -> str:
        """ "1 day", "3 days": the unit's words come from phrases.yaml (units.*)."""
        return f"{n} {self.p.get(f'units.{unit}', 0 if n == 1 else 1)}"

    def seconds_left(self, left_ms: int) -> str:
        """ "18 seconds left in this hold." (rounded up: never promise less than is left)."""
        return self.p.get("time_left.in_hold", seconds=max(1, math.ceil(left_ms / 1000)))

    def _minutes_left(self, state: RoutineState) -> int:
        """The routine's time still to go, by its holds, rests and count-ins."""
        settings = self.content.routine
        per_hold = state.hold_seconds + settings.rest_seconds + settings.get_ready_from + 2
        return max(1, math.ceil((state.total - state.completed) * per_hold / 60))

    def time_left(self, state: RoutineState, resting: bool = False) -> str:
        left = state.total - state.completed
        key = "time_left.resting" if resting else "time_left.waiting"
        return self.p.get(
            key,
            left=self.count(left, "hold"),
            minutes=self.count(self._minutes_left(state), "minute"),
        )

    def time_left_turn(self, state: RoutineState) -> Turn:
        """Between sets, or paused: the time left in all, then the way back."""
        if state.stage is Stage.FINISHED:
            turn = self._with_follow_up(self.p.get("time_left.done"), state)
        else:
            turn = self._with_follow_up(self.time_left(state), state)
        turn.replay = Replay(TurnKind.TIME_LEFT, state)
        return turn

    def _preference_key(self, prefs: Preferences, changed: str) -> str:
        if changed == "pace":
            return PACE_SAID[prefs.pace]
        return DETAIL_SAID[prefs.detail]

    def preference_said(self, prefs: Preferences, changed: str) -> str:
        """The sentence that confirms a changed preference ("pace" or "detail")."""
        return self.p.get(self._preference_key(prefs, changed))

    def preference_turn(self, prefs: Preferences, changed: str, state: RoutineState | None) -> Turn:
        """A changed preference confirmed, then the way back to where the person was."""
        key = self._preference_key(prefs, changed)
        turn = self._with_follow_up(self.p.get(key), state)
        turn.replay = Replay(TurnKind.FOLLOW_UP, state, keys=(key,))
        return turn

    def how_to(self, state: RoutineState | None, stretch_id: str | None = None) -> str:
        """The full instructions: for the stretch named, the stretch under way, or both."""
        current = state.current if state is not None and state.stage is not Stage.FINISHED else None
        if stretch_id is None and current is not None:
            stretch_id = current.stretch_id
        if stretch_id is None:
            steps = {sid: self._setup(sid, LEGS[0]) for sid in ("seated", "supine")}
            return self.p.get("how_to.idle", **steps)
        leg = current.leg if current is not None else LEGS[0]
        name = self.content.stretch(stretch_id).name
        return self.p.get("how_to.running", name=name, setup=self._setup(stretch_id, leg))

    def _setup(self, stretch_id: str, leg: str) -> str:
        return " ".join(line.format(leg=leg) for line in self.content.stretch(stretch_id).setup)

    def how_to_turn(self, state: RoutineState | None, stretch_id: str | None = None) -> Turn:
        turn = self._with_follow_up(self.how_to(state, stretch_id), state)
        turn.replay = Replay(TurnKind.HOW_TO, state, ref=stretch_id)
        turn.screen = self.setup_screen(state, stretch_id)
        return turn

    def setup_screen(self, state: RoutineState | None, stretch_id: str | None) -> SetupScreen:
        """The steps of the stretch named, else the one under way; with none (the answer
        describes both), the first one the routine does."""
        current = state.current if state is not None and state.stage is not Stage.FINISHED else None
        if stretch_id is None:
            first = next(iter(self.content.stretches))
            stretch_id = current.stretch_id if current is not None else first
        leg = current.leg if current is not None else LEGS[0]
        stretch = self.content.stretch(stretch_id)
        steps = tuple(line.format(leg=leg) for line in stretch.setup)
        return SetupScreen(stretch_id, leg, stretch.title, steps)
