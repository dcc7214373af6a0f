"""The routine state machine, tested directly: no Alexa types anywhere."""

from __future__ import annotations

import pytest

from skill.core import routine
from skill.core.content import load_content
from skill.core.routine import After, Intro, RoutineLimits, RoutineState, Stage

LIMITS = RoutineLimits.of(load_content())
SEATED = ("seated",)
FULL = ("seated", "supine")


def walk(stretches: tuple[str, ...]) -> list[routine.Outcome]:
    outcomes = [routine.start(stretches, 3, 30)]
    while outcomes[-1].state.stage is not Stage.FINISHED:
        outcomes.append(routine.next_hold(outcomes[-1].state))
    return outcomes


def test_seated_plan_is_three_reps_per_leg_right_leg_first() -> None:
    steps = [o.step for o in walk(SEATED)]
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
    assert len(outcomes) == 12
    assert outcomes[6].step.intro is Intro.NEXT_STRETCH
    assert outcomes[5].step.after is After.NEXT_STRETCH
    completed = [h.index for o in outcomes for h in o.newly_completed]
    assert completed == list(range(12))
    assert outcomes[-1].state.completed == 12
    assert outcomes[-1].routine_finished


def test_next_after_finish_changes_nothing() -> None:
    final = walk(SEATED)[-1].state
    outcome = routine.next_hold(final)
    assert outcome.step is None
    assert outcome.state == final


def test_pause_then_resume_restarts_the_current_hold() -> None:
    state = routine.next_hold(routine.start(SEATED, 3, 30).state).state
    paused = routine.pause(state).state
    assert paused.stage is Stage.PAUSED
    assert paused.position == 1
    resumed = routine.resume(paused)
    assert resumed.step.hold.index == 1
    assert resumed.step.intro is Intro.RESUME
    assert resumed.state.stage is Stage.ACTIVE
    assert resumed.newly_completed == ()


def test_previous_goes_back_and_at_start_repeats_first() -> None:
    first = routine.start(SEATED, 3, 30).state
    again = routine.previous_hold(first)
    assert again.at_start
    assert again.step.hold.index == 0
    second = routine.next_hold(first).state
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
    state = routine.next_hold(routine.start(SEATED, 3, 30).state).state
    assert state.completed == 1
    again = routine.start_over(state)
    assert again.state.position == 0
    assert again.state.completed == 0
    assert again.step.intro is Intro.RESTART


def test_heard_counts_the_played_hold_but_not_a_paused_one() -> None:
    state = routine.start(SEATED, 3, 30).state
    assert (routine.heard(state), state.completed) == (1, 0)
    state = routine.next_hold(state).state
    assert (routine.heard(state), state.completed) == (2, 1)
    assert routine.heard(routine.pause(state).state) == 1
    finished = walk(SEATED)[-1]
    assert routine.heard(finished.state) == 6


def test_remaining_and_hold_seconds() -> None:
    state = routine.start(SEATED, 3, 30).state
    assert routine.remaining(state) == 6
    state = routine.next_hold(state).state
    assert routine.remaining(state) == 5
    assert routine.set_hold_seconds(state, 45).hold_seconds == 45


def test_cue_variant_changes_from_rep_to_rep() -> None:
    variants = [o.step.hold.variant for o in walk(SEATED)]
    assert variants[0] != variants[1] != variants[2]


def test_state_round_trips_through_a_dict() -> None:
    state = routine.next_hold(routine.start(FULL, 3, 45).state).state
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
