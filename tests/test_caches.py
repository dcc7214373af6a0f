"""Each in-process cache that stays (docs/caches.md) answers exactly what the function it stands
for computes anew. The hold-turn cache is proved in tests/test_turns.py, the codec's plans in
tests/test_codec_*.py, the certificate chains in tests/verification/test_chain_cache.py, the
time zones in tests/test_alexa_api.py and the audio manifest's reload in tests/test_render.py."""

from __future__ import annotations

import itertools

import pytest

from skill.core import routine
from skill.core.content import load_content
from skill.core.timeline import VARIANTS, _build_hold_timeline, build_hold_timeline
from skill.core.turns import Coach
from skill.voice.render import SpeechRenderer, SpokenTurn

CONTENT = load_content()
STRETCHES = tuple(CONTENT.stretches)
ROUTINES = [
    combo for n in range(1, len(STRETCHES) + 1) for combo in itertools.permutations(STRETCHES, n)
]


@pytest.mark.parametrize("stretches", ROUTINES)
def test_a_routine_plan_is_what_planning_anew_gives(stretches: tuple[str, ...]) -> None:
    for reps in range(1, 11):
        shared = routine.plan(stretches, reps)
        assert shared == routine.plan.__wrapped__(stretches, reps)
        assert routine.plan(stretches, reps) is shared
        assert len(shared) == len(stretches) * len(routine.LEGS) * reps


def test_a_kept_hold_timeline_is_what_building_anew_gives() -> None:
    settings = CONTENT.routine
    for stretch in STRETCHES:
        for seconds in range(settings.hold_seconds_min, settings.hold_seconds_max + 1):
            for variant in range(VARIANTS + 1):  # VARIANTS wraps round to variant 0
                kept = build_hold_timeline(CONTENT, stretch, seconds, variant)
                assert kept == _build_hold_timeline(CONTENT, stretch, seconds, variant)
                assert build_hold_timeline(CONTENT, stretch, seconds, variant) is kept


def hold_turns() -> list[SpokenTurn]:
    """Every hold turn of every routine, at the shortest and the longest hold."""
    coach = Coach(CONTENT)
    settings = CONTENT.routine
    turns = []
    for stretches in ROUTINES:
        for seconds in (settings.hold_seconds_min, settings.hold_seconds_max):
            outcome = routine.start(stretches, settings.reps_per_leg, seconds)
            while outcome.step is not None:
                turn = coach.hold_turn(outcome.step, outcome.state)
                turns.append(SpokenTurn.from_speech(turn.speech))
                if outcome.state.upcoming() is None:
                    break
                outcome = routine.next_hold(outcome.state)
    return turns


def test_a_kept_apla_document_is_what_building_anew_gives() -> None:
    renderer = SpeechRenderer(CONTENT, mode="apla")
    turns = hold_turns()
    assert len(turns) > 20
    for turn in turns:
        assert turn.hold is not None
        clips = (None, (f"https://example.org/{turn.hold.clip_id}.mp3", turn.hold.hold_seconds))
        for clip in clips:
            kept = renderer._document(turn.hold, turn.after, clip)
            assert kept is not None
            assert kept == renderer._build_document(turn.hold, turn.after, clip)
            assert renderer._document(turn.hold, turn.after, clip) is kept
