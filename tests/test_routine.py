"""The routine state machine, tested directly: no Alexa types anywhere."""

from __future__ import annotations

import pytest

from skill.core import playback, routine
from skill.core.content import load_content
from skill.core.routine import After, Intro, RoutineLimits, RoutineState, Stage

LIMITS = RoutineLimits.of(load_content())
SEATED = ("seated",)
FULL = ("seated", "supine")


def played(state: RoutineState, holds: int = 1) -> playback.Settled:
    """The next request shows the response from the current hold played `holds` holds
    (30 s each) to their ends (skill/core/playback.py)."""
    plan = playback.PlayPlan(
        tuple(
            playback.PlayedHold(state.position + n, n * 30_000, (n + 1) * 30_000)
            for n in range(holds)
        ),
        holds * 30_000,
    )
    return playback.settle(state, plan, holds * 30_000)


def walk(stretches: tuple[str, ...]) -> list[routine.Outcome]:
    """Each hold played, then "go on" delivers the next, one hold per response."""
    outcomes = [routine.start(stretches, 3, 30)]
    while True:
        state = played(outcomes[-1].state).state
        if state.stage is Stage.FINISHED:
            outcomes.append(routine.Outcome(state))
            return outcomes
        outcomes.append(routine.go_on(state))


def test_seated_plan_is_three_reps_per_leg_right_leg_first() -> None:
    steps = [o.step for o in walk(SEATED)[:-1]]
    assert [(s.hold.leg, s.hold.rep) for s in steps] == [
        ("right", 1), ("right", 2), ("right", 3), ("left", 1), ("left", 2), ("left", 3),
    ]  # fmt: skip
    assert [s.intro for s in steps] == [Intro.START] + [Intro.NEXT_REP] * 2 + [
        Intro.SWITCH_LEGS
    ] + [Intro.NEXT_REP] * 2
    assert [s.after for s in steps] == [
        After.NEXT_REP,
        After.NEXT_REP,
        After.NEXT_LEG,
        After.NEXT_REP,
        After.NEXT_REP,
        After.FINISHED,
    ]


def test_full_routine_does_both_stretches_and_counts_every_hold_once() -> None:
    outcomes = walk(FULL)
    assert len(outcomes) == 13  # twelve holds, then the finished routine
    assert outcomes[6].step.intro is Intro.NEXT_STRETCH
    assert outcomes[5].step.after is After.NEXT_STRETCH
    completed: list[int] = []
    state = routine.start(FULL, 3, 30).state
    while state.stage is not Stage.FINISHED:
        settled = played(state)
        completed += [h.index for h in settled.newly]
        state = settled.state
        if state.stage is not Stage.FINISHED:
            state = routine.go_on(state).state
    assert completed == list(range(12))
    assert settled.finished
    assert state.completed == 12
    # a record that reaches the routine again counts nothing twice
    assert (
        playback.settle(state, playback.PlayPlan((playback.PlayedHold(11, 0, 1),), 1), 1).newly
        == ()
    )


def test_a_whole_set_counts_only_the_holds_played_by_the_request() -> None:
    state = routine.start(SEATED, 3, 30).state
    plan = playback.PlayPlan(
        tuple(playback.PlayedHold(n, n * 40_000, n * 40_000 + 30_000) for n in range(3)), 110_000
    )
    settled = playback.settle(state, plan, 52_000)  # 12 s into the second hold
    assert [h.index for h in settled.newly] == [0]
    assert settled.interrupted is not None
    assert settled.interrupted.index == 1
    assert settled.mid_set
    assert settled.state.position == 1  # the hold cut short is the one to play again
    assert settled.state.completed == 1


def test_next_after_finish_changes_nothing() -> None:
    final = walk(SEATED)[-1].state
    assert final.stage is Stage.FINISHED
    for outcome in (routine.next_hold(final), routine.go_on(final)):
        assert outcome.step is None
        assert outcome.state == final


def test_pause_then_resume_restarts_the_current_hold() -> None:
    state = routine.go_on(played(routine.start(SEATED, 3, 30).state).state).state
    # "Alexa, pause" 12 s into the second hold: nothing more counts
    cut = playback.settle(
        state, playback.PlayPlan((playback.PlayedHold(1, 0, 30_000),), 30_000), 12_000
    )
    assert cut.newly == ()
    paused = routine.pause(cut.state).state
    assert paused.stage is Stage.PAUSED
    assert paused.position == 1
    resumed = routine.resume(paused)
    assert resumed.step.hold.index == 1
    assert resumed.step.intro is Intro.RESUME
    assert resumed.state.stage is Stage.ACTIVE
    assert resumed.state.completed == 1


def test_previous_goes_back_and_at_start_repeats_first() -> None:
    first = routine.start(SEATED, 3, 30).state
    again = routine.previous_hold(first)
    assert again.at_start
    assert again.step.hold.index == 0
    second = routine.go_on(played(first).state).state
    back = routine.previous_hold(second)
    assert back.step.hold.index == 0
    assert back.step.intro is Intro.PREVIOUS


def test_switch_legs_jumps_to_first_rep_of_other_leg_and_back() -> None:
    state = routine.start(SEATED, 3, 30).state
    left = routine.switch_legs(state)
    assert (left.step.hold.leg, left.step.hold.rep) == ("left", 1)
    right = routine.switch_legs(left.state)
    assert (right.step.hold.leg, right.step.hold.rep) == ("right", 1)


def test_switch_legs_stays_within_the_current_stretch() -> None:
    state = routine.start(FULL, 3, 30).state
    for _ in range(7):
        state = routine.next_hold(state).state
    assert state.current.stretch_id == "supine"
    assert state.current.leg == "right"
    assert routine.switch_legs(state).step.hold.stretch_id == "supine"


def test_start_over_resets_progress() -> None:
    state = routine.go_on(played(routine.start(SEATED, 3, 30).state).state).state
    assert state.completed == 1
    again = routine.start_over(state)
    assert again.state.position == 0
    assert again.state.completed == 0
    assert again.step.intro is Intro.RESTART


def test_heard_counts_the_played_hold_but_not_a_paused_one() -> None:
    state = routine.start(SEATED, 3, 30).state
    assert (routine.heard(state), state.completed) == (0, 0)  # delivered is not yet played
    state = routine.go_on(played(state).state).state
    assert (routine.heard(state), state.completed) == (1, 1)
    assert routine.heard(routine.pause(state).state) == 1  # the hold cut short does not count
    assert routine.heard(routine.next_hold(state).state) == 1  # nor one skipped
    finished = walk(SEATED)[-1]
    assert routine.heard(finished.state) == 6


def test_remaining_and_hold_seconds() -> None:
    state = routine.start(SEATED, 3, 30).state
    assert routine.remaining(state) == 6
    assert routine.remaining(routine.next_hold(state).state) == 6  # skipped, not done
    state = played(state).state
    assert routine.remaining(state) == 5
    assert routine.set_hold_seconds(state, 45).hold_seconds == 45


def test_cue_variant_changes_from_rep_to_rep() -> None:
    variants = [o.step.hold.variant for o in walk(SEATED)[:-1]]
    assert variants[0] != variants[1] != variants[2]


def test_state_round_trips_through_a_dict() -> None:
    state = routine.go_on(played(routine.start(FULL, 3, 45).state).state).state
    assert RoutineState.from_dict(state.to_dict(), LIMITS) == state


VALID = {
    "v": 1,
    "stretches": ["seated"],
    "reps": 3,
    "hold": 30,
    "pos": 0,
    "stage": "active",
    "done": 0,
}


@pytest.mark.parametrize(
    "data",
    [
        None,
        "nonsense",
        {},
        {"v": 99},
        VALID | {"stretches": ["yoga"]},
        VALID | {"pos": 6},
        VALID | {"stage": "dancing"},
        VALID | {"hold": "x"},
        VALID | {"done": 999},
        VALID | {"stretches": []},
        VALID | {"stretches": [["seated"]]},
        VALID | {"stretches": "seated"},
        VALID | {"stretches": None},
        VALID | {"reps": [3]},
        VALID | {"stage": {"active": 1}},
        VALID | {"hold": float("nan")},
        {key: value for key, value in VALID.items() if key != "done"},
        VALID | {"hold": float("inf")},
        VALID | {"reps": float("-inf")},
        VALID | {"pos": 10**400},
        VALID | {"hold": 29},  # outside the content's range (stretches.yaml: 30 to 60)
        VALID | {"hold": 61},
        VALID | {"reps": 4},  # more than the content's reps per leg
        VALID | {"stretches": ["seated", "seated"]},
        VALID | {"stretches": ["seated"] * 100_000},
    ],
)
def test_unreadable_state_is_no_routine(data: object) -> None:
    assert RoutineState.from_dict(data, LIMITS) is None


def test_equal_inputs_give_equal_states() -> None:
    known = LIMITS
    first = RoutineState.from_dict(dict(VALID), known)
    assert first is not None
    assert RoutineState.from_dict(dict(VALID), RoutineLimits.of(load_content())) == first
    # values of other types that convert the same way give the same state
    assert RoutineState.from_dict(VALID | {"reps": "3", "hold": 30.0}, known) == first
    one_rep = RoutineState.from_dict(VALID | {"reps": 1}, known)
    assert one_rep is not None
    assert one_rep.reps == 1
    assert RoutineState.from_dict(VALID | {"reps": True}, known) == one_rep  # int(True), as ever
    # a stretch the content does not know is refused
    other = RoutineLimits(frozenset({"supine"}), 3, 30, 60)
    assert RoutineState.from_dict(dict(VALID), other) is None
