"""Every set turn the real coach composes (skill.core.turns.Coach, the real content): each
stretch choice the skill offers, each hold length the content allows, each hold of the
routine, each intro and preference, with and without a lead and the disclaimer said first.
What the size and caption tests measure, so they measure what the skill sends."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from functools import cache
from itertools import product

from skill.alexa.handlers.coaching import DETAIL_INTENTS, PACE_INTENTS
from skill.alexa.handlers.routine import STRETCH_CHOICES
from skill.core import routine
from skill.core.content import load_content
from skill.core.preferences import Detail, Pace, Preferences
from skill.core.routine import Intro, RoutineState, Step
from skill.core.screens import SetScreen
from skill.core.turns import Coach, Turn

PREFS = [Preferences(pace=pace, detail=detail) for pace, detail in product(Pace, Detail)]
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


@cache
def coach() -> Coach:
    return Coach(load_content())


def routines() -> list[RoutineState]:
    """A routine of every stretch choice at every hold length the content allows."""
    settings = load_content().routine
    lengths = range(
        settings.hold_seconds_min, settings.hold_seconds_max + 1, settings.hold_seconds_step
    )
    return [
        routine.start(stretches, settings.reps_per_leg, seconds).state
        for stretches in STRETCH_CHOICES.values()
        for seconds in lengths
    ]


@cache
def set_leads() -> tuple[str, ...]:
    """The words a set can be led by mid-routine: "18 seconds left in this hold." for every
    second a hold can have left, and every preference an intent sets, confirmed
    (skill/alexa/handlers: continue_hold, continue_set)."""
    said = coach()
    longest = load_content().routine.hold_seconds_max
    left = [said.seconds_left(seconds * 1000) for seconds in range(1, longest + 1)]
    changed = [
        said.preference_said(Preferences(pace=pace), "pace") for pace in PACE_INTENTS.values()
    ]
    changed += [
        said.preference_said(Preferences(detail=detail), "detail")
        for detail in DETAIL_INTENTS.values()
    ]
    return tuple(dict.fromkeys(left + changed))


def set_turns(state: RoutineState) -> Iterator[tuple[str, Turn]]:
    """Every set turn of one routine: from each hold, with each intro and preference; with no
    lead, with the longest lead, at the start, and with the disclaimer said first."""
    said = coach()
    lead = max(set_leads(), key=len)
    for position, hold in enumerate(state.holds):
        at = replace(state, position=position)
        for intro, prefs in product(Intro, PREFS):
            step = Step(hold, intro, at.after(hold))
            skip = 12_000 if intro is Intro.CONTINUE else 0
            routine_name = f"{'+'.join(state.stretches)} {state.hold_seconds}s"
            name = f"{routine_name} hold {position} {intro} {prefs.pace}/{prefs.detail}"
            yield name, said.set_turn(step, at, prefs, "", skip)
            yield f"{name}-lead", said.set_turn(step, at, prefs, lead, skip)
            yield f"{name}-at-start", said.set_turn(step, at, prefs, at_start=True)
            turn = said.set_turn(step, at, prefs, "", skip)
            yield f"{name}-disclaimer", said.with_disclaimer(turn)


@cache
def every_set_screen() -> tuple[tuple[str, SetScreen], ...]:
    """The hold screen of every set turn of every routine, each distinct screen once, under
    the name of the first turn that shows it (built once per test run)."""
    screens: dict[SetScreen, str] = {}
    for state in routines():
        for name, turn in set_turns(state):
            assert isinstance(turn.screen, SetScreen), name
            screens.setdefault(turn.screen, name)
    return tuple((name, screen) for screen, name in screens.items())


def sentences(text: str) -> list[str]:
    return [part for part in SENTENCE_END.split(text.strip()) if part]


@cache
def set_sentences() -> tuple[str, ...]:
    """Every sentence a set can say, so show as a caption: its cues, set-up steps, intros and
    outros, the disclaimer's sentences, and the leads; longest first."""
    found = {
        s for _, screen in every_set_screen() for c in screen.captions for s in sentences(c.text)
    }
    found |= {s for lead in set_leads() for s in sentences(lead)}
    return tuple(sorted(found, key=lambda s: (-len(s), s)))
