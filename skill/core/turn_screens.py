"""The screen every turn leaves up on a device that draws screens.

A device keeps showing the last APL document until the next one replaces it, so a turn that
composed no screen of its own still has to show something that matches it: what Alexa says,
as text (for people who do not hear well), with the pose of the stretch under way. Without
this, a hold screen would go on counting down after "pause", help or goodbye.
"""

from __future__ import annotations

from skill.core.content import Content
from skill.core.routine import RoutineState, Stage
from skill.core.screens import CaptionScreen, PausedScreen, Screen
from skill.core.speech import Speech, to_text
from skill.core.turn_base import Turn


def paused_screen(content: Content, state: RoutineState) -> PausedScreen:
    """The hold the routine stopped in, still."""
    hold = state.current
    return PausedScreen(
        content.stretch(hold.stretch_id).title, hold.stretch_id, hold.leg, hold.rep, hold.reps
    )


def caption_screen(
    content: Content, speech: Speech, state: RoutineState | None, ending: bool = False
) -> CaptionScreen:
    """The words said, as text; the current stretch's pose while a routine runs (not after
    it ended, nor on the goodbye that ends the session)."""
    text = to_text(speech)
    running = state is not None and state.stage is not Stage.FINISHED and not ending
    if not running or state is None:
        key = "screens.goodbye_title" if ending else "screens.caption_title"
        return CaptionScreen(content.phrases.get(key), text)
    hold = state.current
    return CaptionScreen(content.stretch(hold.stretch_id).title, text, hold.stretch_id, hold.leg)


def turn_screen(content: Content, turn: Turn, state: RoutineState | None) -> Screen:
    """The turn's own screen, else its words as a caption screen."""
    if turn.screen is not None:
        return turn.screen
    return caption_screen(content, turn.speech, state, turn.end_session)
