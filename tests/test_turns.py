"""The coach's hold turns are composed once per (step, state, lead) and handed out fresh."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from skill.core import routine
from skill.core.content import load_content
from skill.core.preferences import Detail, Pace, Preferences
from skill.core.routine import Outcome
from skill.core.speech import Speech
from skill.core.turns import Coach
from skill.voice.ssml import to_ssml

CONTENT = load_content()


def every_outcome(stretches: tuple[str, ...], hold_seconds: int) -> Iterator[Outcome]:
    """Start, every next, a previous, a switch of legs, and starting over."""
    outcome = routine.start(stretches, CONTENT.routine.reps_per_leg, hold_seconds)
    yield outcome
    while outcome.step is not None and outcome.state.position + 1 < outcome.state.total:
        outcome = routine.next_hold(outcome.state)
        yield outcome
        if outcome.state.position == 2:
            yield routine.previous_hold(outcome.state)
            yield routine.switch_legs(outcome.state)
    yield routine.start_over(outcome.state)


CASES = [
    (stretches, seconds, lead)
    for stretches in (("seated",), ("supine",), ("seated", "supine"))
    for seconds in (30, 45)
    for lead in (False, True)
]


@pytest.mark.parametrize(("stretches", "seconds", "lead"), CASES)
def test_a_composed_turn_is_what_a_fresh_coach_composes(
    stretches: tuple[str, ...], seconds: int, lead: bool
) -> None:
    warm = Coach(CONTENT)
    for outcome in every_outcome(stretches, seconds):
        if outcome.step is None:
            continue
        warm.set_turn(outcome.step, outcome.state, Preferences(), at_start=lead)
        again = warm.set_turn(outcome.step, outcome.state, Preferences(), at_start=lead)
        fresh = Coach(CONTENT).set_turn(outcome.step, outcome.state, Preferences(), at_start=lead)
        assert again == fresh
        assert to_ssml(again.speech) == to_ssml(fresh.speech)


@pytest.mark.parametrize(
    "prefs",
    [Preferences(), Preferences(Pace.STEP), Preferences(detail=Detail.COUNT)],
    ids=["continuous", "step", "count"],
)
def test_a_composed_set_turn_is_what_a_fresh_coach_composes(prefs: Preferences) -> None:
    """What handlers send: a whole set, composed the same by a warm coach and a fresh one."""
    warm = Coach(CONTENT)
    for outcome in every_outcome(("seated", "supine"), 30):
        if outcome.step is None:
            continue
        warm.set_turn(outcome.step, outcome.state, prefs)
        again = warm.set_turn(outcome.step, outcome.state, prefs)
        fresh = Coach(CONTENT).set_turn(outcome.step, outcome.state, prefs)
        assert again == fresh
        assert again.play == fresh.play
        assert to_ssml(again.speech) == to_ssml(fresh.speech)


def test_changing_a_handed_out_turn_does_not_change_the_next_one() -> None:
    coach = Coach(CONTENT)
    outcome = routine.start(("seated",), 3, 30)
    assert outcome.step is not None
    first = coach.set_turn(outcome.step, outcome.state, Preferences())
    expected = Coach(CONTENT).set_turn(outcome.step, outcome.state, Preferences())
    first.speech = Speech().say("Disclaimer.").extend(first.speech)
    first.speech.say("changed")
    first.intro.say("changed")
    first.outro.pause(3)
    assert first.reprompt is not None
    first.reprompt.say("changed")
    first.expects = "resume_saved"
    assert coach.set_turn(outcome.step, outcome.state, Preferences()) == expected
