"""Holds counted as played (skill/core/playback.py): properties over random request sequences
and timestamps, with the sets the coach really composes."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from skill.core import routine
from skill.core.content import load_content
from skill.core.playback import Playback, PlayPlan, elapsed_ms, settle
from skill.core.preferences import Pace, Preferences
from skill.core.routine import RoutineState, Stage
from skill.core.turns import Coach

CONTENT = load_content()
COACH = Coach(CONTENT)
LAG_MS = CONTENT.routine.playback_lag_seconds * 1000

ROUTINES = st.sampled_from([("seated",), ("supine",), ("seated", "supine")])
HOLDS = st.sampled_from([30, 45, 60])
PACES = st.sampled_from(list(Pace))
# What the next request does: how long after the response was sent it comes (any number,
# negative and far too late included), and what the person asks for.
MOVES = st.lists(
    st.tuples(
        st.integers(min_value=-(10**7), max_value=10**7),
        st.sampled_from(["go_on", "next", "previous", "resume", "switch_legs"]),
    ),
    min_size=1,
    max_size=25,
)


def deliver(outcome: routine.Outcome, pace: Pace) -> tuple[RoutineState, PlayPlan] | None:
    if outcome.step is None:
        return None
    turn = COACH.set_turn(outcome.step, outcome.state, Preferences(pace=pace))
    assert turn.play is not None
    return outcome.state, turn.play


@settings(max_examples=300, deadline=None)
@given(ROUTINES, HOLDS, PACES, MOVES, st.integers(min_value=0, max_value=2**40))
def test_no_hold_is_counted_twice_or_before_it_played(
    stretches: tuple[str, ...],
    hold: int,
    pace: Pace,
    moves: list[tuple[int, str]],
    sent_ms: int,
) -> None:
    delivered = deliver(routine.start(stretches, 3, hold), pace)
    assert delivered is not None
    state, plan = delivered
    counted: list[int] = []
    for delay, move in moves:
        playback = Playback(sent_ms, plan)
        elapsed = elapsed_ms(playback, sent_ms + delay, LAG_MS)
        assert 0 <= elapsed <= plan.length_ms
        before = state.done_mask
        result = settle(state, plan, elapsed)
        # Only holds of this response whose release cue had passed, and none counted before.
        ended = {p.index for p in plan.holds if p.end_ms <= elapsed}
        assert {h.index for h in result.newly} == ended - {i for i in ended if before >> i & 1}
        assert result.state.done_mask == before | sum(1 << i for i in ended)
        counted += [h.index for h in result.newly]
        assert len(counted) == len(set(counted))
        state = result.state
        assert 0 <= state.position < state.total
        if state.stage is Stage.FINISHED:
            break
        outcome = {
            "go_on": routine.go_on,
            "next": routine.next_hold,
            "previous": routine.previous_hold,
            "resume": routine.resume,
            "switch_legs": routine.switch_legs,
        }[move](state)
        delivered = deliver(outcome, pace)
        if delivered is None:
            break
        state, plan = delivered
        sent_ms += max(0, delay)
    assert state.completed == len(counted)


@settings(max_examples=200, deadline=None)
@given(ROUTINES, HOLDS, PACES, st.integers(min_value=0, max_value=2**40))
def test_the_record_survives_the_session_attributes(
    stretches: tuple[str, ...], hold: int, pace: Pace, sent_ms: int
) -> None:
    delivered = deliver(routine.start(stretches, 3, hold), pace)
    assert delivered is not None
    state, plan = delivered
    playback = Playback(sent_ms, plan)
    assert Playback.from_dict(playback.to_dict(), state) == playback


def test_a_record_that_does_not_fit_its_routine_is_dropped() -> None:
    state, plan = deliver(routine.start(("seated",), 3, 30), Pace.CONTINUOUS) or (None, None)
    assert state is not None
    assert plan is not None
    good = Playback(1000, plan).to_dict()
    assert Playback.from_dict(good, state) is not None
    for bad in (
        {**good, "holds": [[5, 0, 10]]},  # not where the routine stands
        {**good, "holds": [[0, 10, 5]]},  # ends before it starts
        {**good, "holds": [[0, 0, 10], [2, 20, 30]]},  # not consecutive
        {**good, "len": 10**9},  # longer than any response
        {**good, "at": -1},
        {**good, "at": True},
        {**good, "holds": "0,0,10"},
        {**good, "holds": []},
        # equal to the hold's index as a number, but not one (fuzz found -0.0: a TypeError)
        {**good, "holds": [[-0.0, *good["holds"][0][1:]]]},
        {**good, "holds": [[0.0, *good["holds"][0][1:]]]},
        {**good, "holds": [[False, *good["holds"][0][1:]]]},
    ):
        assert Playback.from_dict(bad, state) is None, bad
    assert Playback.from_dict(good, None) is None


def test_elapsed_is_never_negative_nor_more_than_was_sent() -> None:
    plan = PlayPlan((), 5000)
    playback = Playback(10_000, plan)
    assert elapsed_ms(playback, 0, LAG_MS) == 0
    assert elapsed_ms(playback, 10**12, LAG_MS) == 5000
    assert elapsed_ms(playback, 13_000, LAG_MS) == 1000
