"""The sample screens `preview-screens` draws: each one the screen of a REAL turn, composed by
the coach from the content as the skill composes it (Turn.screen), and the moments worth
looking at (ms after the document appears, the `elapsed_ms` of skill/screen/inflate.py).

Sets are read on their own clock: the screen's clock runs `clock_offset_ms` ahead of the
set's, so a moment on the set's clock t is shown at elapsed t + clock_offset_ms.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from skill.core import routine
from skill.core.content import Content, load_content
from skill.core.preferences import Detail, Preferences
from skill.core.routine import RoutineState
from skill.core.screens import AnswerScreen, PausedScreen, Screen, SetScreen, SetupScreen
from skill.core.turn_screens import caption_screen
from skill.core.turns import Coach, Turn

# How far into a hold the "mid-hold" moment is; the countdown then shows the hold's length
# minus this, a whole number of seconds whatever the rounding.
MID_HOLD_MS = 12_000
# Into the lead-in (the set-up steps are being said) and into the rest after a release.
LEAD_IN_MS = 12_000
REST_MS = 5_000
AFTER_FINISH_MS = 2_000
SHOWN_MS = 1_000
CAPTION_SHOWN_MS = 500


@dataclass(frozen=True)
class Moment:
    """One instant of a sample screen: `elapsed_ms` after the document appears."""

    name: str
    elapsed_ms: int
    caption: str


@dataclass(frozen=True)
class Sample:
    """A screen the skill sends, with the turn it came from and the moments to draw."""

    name: str
    title: str
    screen: Screen
    moments: tuple[Moment, ...]


@cache
def _captions() -> dict[str, Any]:
    text = resources.files("skill.preview").joinpath("samples.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def _screen(turn: Turn, kind: type) -> Any:
    """The turn's screen, which must be of `kind` (the coach changed if not)."""
    if not isinstance(turn.screen, kind):
        raise RuntimeError(f"the coach's turn has no {kind.__name__} (got {turn.screen!r})")
    return turn.screen


def _set_moments(name: str, screen: SetScreen, wanted: dict[str, int]) -> tuple[Moment, ...]:
    captions = _captions()[name]["moments"]
    return tuple(
        Moment(moment, screen.clock_offset_ms + at, captions[moment])
        for moment, at in wanted.items()
    )


def _sample(name: str, screen: Screen, moments: tuple[Moment, ...]) -> Sample:
    return Sample(name, _captions()[name]["title"], screen, moments)


def _shown(name: str, screen: Screen) -> Sample:
    caption = _captions()[name]["moments"]["shown"]
    return _sample(name, screen, (Moment("shown", SHOWN_MS, caption),))


def _position(state: RoutineState, stretch_id: str, leg: str) -> RoutineState:
    """The routine moved on (hold by hold, as "next" does) to the first rep of that leg."""
    while not (state.current.stretch_id == stretch_id and state.current.leg == leg):
        outcome = routine.next_hold(state)
        state = outcome.state
    return state


def samples(content: Content | None = None) -> tuple[Sample, ...]:
    """Every kind of screen the skill sends: a hold, the start of a stretch (set-up), the
    routine's last set (finish), a how-to answer, a clinic's number, the emergency, a paused
    hold, and the words of a turn with no screen of its own (the first launch, the longest);
    and the longest texts the hold and answer screens must show whole."""
    content = content or load_content()
    coach = Coach(content)
    prefs = Preferences()
    reps, seconds = content.routine.reps_per_leg, 30
    stretches = tuple(content.stretches)

    opening = routine.start(stretches, reps, seconds)
    assert opening.step is not None
    setup: SetScreen = _screen(coach.set_turn(opening.step, opening.state, prefs), SetScreen)
    first = setup.holds[0]

    left = routine.switch_legs(opening.state)
    assert left.step is not None
    hold: SetScreen = _screen(coach.set_turn(left.step, left.state, prefs), SetScreen)
    rep2 = next(h for h in hold.holds if h.rep == 2)
    rep1 = next(h for h in hold.holds if h.rep == 1)

    last_state = _position(opening.state, stretches[-1], "left")
    last = routine.go_on(last_state)
    assert last.step is not None
    finish: SetScreen = _screen(coach.set_turn(last.step, last.state, prefs), SetScreen)
    final = finish.holds[-1]

    return (
        _sample(
            "hold",
            hold,
            _set_moments(
                "hold",
                hold,
                {"rest": rep1.end_ms + REST_MS, "mid-hold": rep2.start_ms + MID_HOLD_MS},
            ),
        ),
        _sample(
            "setup",
            setup,
            _set_moments(
                "setup",
                setup,
                {"lead-in": LEAD_IN_MS, "mid-hold": first.start_ms + MID_HOLD_MS},
            ),
        ),
        _sample(
            "finish",
            finish,
            _set_moments(
                "finish",
                finish,
                {
                    "mid-hold": final.start_ms + MID_HOLD_MS,
                    "after-finish": finish.length_ms + AFTER_FINISH_MS,
                },
            ),
        ),
        _shown("how-to", _screen(coach.how_to_turn(None, stretches[-1]), SetupScreen)),
        _shown("phone", _screen(coach.booking_turn("rehab", None), AnswerScreen)),
        _shown(
            "emergency", _screen(coach.answer_turn(_emergency_key(content), None), AnswerScreen)
        ),
        _shown(
            "paused",
            _screen(coach.pause_turn(routine.pause(left.state).state), PausedScreen),
        ),
        _longest_caption(content, coach),
        _shown(
            "long-answer", _screen(coach.answer_turn(_longest_answer(content), None), AnswerScreen)
        ),
        _shown("launch", caption_screen(content, coach.launch_turn(None, True, None).speech, None)),
        _shown("help", caption_screen(content, coach.help_turn(left.state).speech, left.state)),
    )


def _emergency_key(content: Content) -> str:
    """The answer that is the emergency (call 911)."""
    return next(key for key, answer in content.answers.items() if answer.emergency)


def _longest_caption(content: Content, coach: Coach) -> Sample:
    """The moment a set shows its longest caption: each stretch started with every word (the
    set-up said) and the disclaimer first, as a one-shot start does; the caption is shown half
    a second after it begins."""
    prefs = Preferences(detail=Detail.FULL)
    reps, seconds = content.routine.reps_per_leg, content.routine.hold_seconds_default
    shown: list[tuple[int, SetScreen, int]] = []
    for stretch_id in content.stretches:
        opening = routine.start((stretch_id,), reps, seconds)
        assert opening.step is not None
        turn = coach.with_disclaimer(coach.set_turn(opening.step, opening.state, prefs))
        screen: SetScreen = _screen(turn, SetScreen)
        longest = max(screen.captions, key=lambda caption: len(caption.text))
        shown.append((len(longest.text), screen, longest.at_ms))
    _, screen, at_ms = max(shown, key=lambda found: found[0])
    caption = _captions()["longest-caption"]["moments"]["shown"]
    moment = Moment("shown", screen.clock_offset_ms + at_ms + CAPTION_SHOWN_MS, caption)
    return _sample("longest-caption", screen, (moment,))


def _longest_answer(content: Content) -> str:
    """The answer with the most words to show (answers.yaml)."""
    return max(content.answers, key=lambda key: len(content.answers[key].text))
