"""The routine as a pure state machine: which stretch, which leg, which rep, paused or not.

No Alexa types here. Handlers call a transition, get an `Outcome` (new state plus the hold to
deliver, if any) and turn it into speech. The state round-trips through session attributes
(inside SessionState) and the saved resume point as a small versioned dict; anything unreadable
there is treated as "no routine", never a crash. What a stored state may hold (known stretches,
reps, the hold length range) comes from the content: `RoutineLimits.of(content)`.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from skill.core.content import Content
from skill.core.timeline import VARIANTS

STATE_VERSION = 1
LEGS = ("right", "left")


class Stage(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    FINISHED = "finished"


class Intro(StrEnum):
    """How a hold is introduced, which decides the words before it."""

    START = "start"  # first hold of the routine: intro + set-up
    NEXT_STRETCH = "next_stretch"  # first hold of a later stretch: set-up
    SWITCH_LEGS = "switch_legs"  # first rep on the other leg
    NEXT_REP = "next_rep"
    RESUME = "resume"
    PREVIOUS = "previous"
    RESTART = "restart"
    CONTINUE = "continue"  # the rest of a hold that was cut short by a quick question


class After(StrEnum):
    """What follows a hold, which decides the words after it."""

    NEXT_REP = "next_rep"
    NEXT_LEG = "next_leg"
    NEXT_STRETCH = "next_stretch"
    FINISHED = "finished"


@dataclass(frozen=True)
class HoldRef:
    index: int  # position in the plan, 0-based
    stretch_id: str
    leg: str
    rep: int  # 1-based
    reps: int

    @property
    def variant(self) -> int:
        """Cue phrasing rotates with the rep and the leg."""
        return (self.rep - 1 + LEGS.index(self.leg)) % VARIANTS


@dataclass(frozen=True)
class RoutineLimits:
    """What a routine read back from outside may be, all from the content: its stretches are
    known ones (each once), its reps at most the content's, its hold in the content's range."""

    stretch_ids: frozenset[str]
    max_reps: int
    hold_seconds_min: int
    hold_seconds_max: int

    @classmethod
    def of(cls, content: Content) -> RoutineLimits:
        """The content's limits, built once per content (one shared, hashable value)."""
        limits = content.derived.get("routine_limits")
        if limits is None:
            settings = content.routine
            limits = content.derived.setdefault(
                "routine_limits",
                cls(
                    content.stretch_ids,
                    settings.reps_per_leg,
                    settings.hold_seconds_min,
                    settings.hold_seconds_max,
                ),
            )
        return limits  # type: ignore[no-any-return]

    def hold_ok(self, seconds: Any) -> bool:
        """A hold length in the content's range (an int, not a bool)."""
        return (
            isinstance(seconds, int)
            and not isinstance(seconds, bool)
            and self.hold_seconds_min <= seconds <= self.hold_seconds_max
        )


@functools.lru_cache(maxsize=64)
def plan(
    stretches: tuple[str, ...], reps: int, legs: tuple[str, ...] = LEGS
) -> tuple[HoldRef, ...]:
    """Every hold of a routine in order: stretch by stretch, leg by leg, rep by rep.

    Cached (a handful of routines exist, and every request asks several times)."""
    holds: list[HoldRef] = []
    for stretch_id in stretches:
        for leg in legs:
            for rep in range(1, reps + 1):
                holds.append(HoldRef(len(holds), stretch_id, leg, rep, reps))
    return tuple(holds)


@dataclass(frozen=True)
class RoutineState:
    stretches: tuple[str, ...]
    reps: int
    hold_seconds: int
    # The current hold: the first of the response now playing, or, once the next request has
    # settled it (skill/core/playback.py), the first hold not yet played.
    position: int = 0
    stage: Stage = Stage.ACTIVE
    done_mask: int = 0  # bit i set = hold i completed

    @property
    def holds(self) -> tuple[HoldRef, ...]:
        return plan(self.stretches, self.reps)

    @property
    def current(self) -> HoldRef:
        return self.holds[self.position]

    @property
    def total(self) -> int:
        return len(self.stretches) * len(LEGS) * self.reps

    @property
    def completed(self) -> int:
        return self.done_mask.bit_count()

    def is_done(self, hold: HoldRef) -> bool:
        """Whether `hold` has played to its release (counted, skill/core/playback.py)."""
        return bool(self.done_mask >> hold.index & 1)

    def done_holds(self) -> tuple[HoldRef, ...]:
        """The holds done so far, in the routine's order."""
        return tuple(hold for hold in self.holds if self.is_done(hold))

    def after(self, hold: HoldRef) -> After:
        if hold.index + 1 >= self.total:
            return After.FINISHED
        nxt = self.holds[hold.index + 1]
        if nxt.stretch_id != hold.stretch_id:
            return After.NEXT_STRETCH
        if nxt.leg != hold.leg:
            return After.NEXT_LEG
        return After.NEXT_REP

    def to_dict(self) -> dict[str, Any]:
        return {
            "v": STATE_VERSION,
            "stretches": list(self.stretches),
            "reps": self.reps,
            "hold": self.hold_seconds,
            "pos": self.position,
            "stage": self.stage.value,
            "done": self.done_mask,
        }

    @classmethod
    def from_dict(cls, data: Any, limits: RoutineLimits) -> RoutineState | None:
        """Rebuild from session attributes; None for anything missing, old or tampered.
        `limits` is the content's (`RoutineLimits.of(content)`)."""
        if not isinstance(data, dict) or data.get("v") != STATE_VERSION:
            return None
        stretches = data.get("stretches")
        if not isinstance(stretches, list) or not 0 < len(stretches) <= len(limits.stretch_ids):
            return None
        try:
            return _parse_state(
                tuple(stretches),
                data["reps"],
                data["hold"],
                data["pos"],
                data["stage"],
                data["done"],
                limits,
            )
        except (KeyError, TypeError):  # a missing key, or a value that cannot be a key
            return None


def _parse_state(
    stretches: tuple[Any, ...],
    reps: Any,
    hold: Any,
    pos: Any,
    stage: Any,
    done: Any,
    limits: RoutineLimits,
) -> RoutineState | None:
    try:
        state = RoutineState(
            stretches=stretches,
            reps=int(reps),
            hold_seconds=int(hold),
            position=int(pos),
            stage=Stage(stage),
            done_mask=int(done),
        )
    except (TypeError, ValueError, OverflowError):  # OverflowError: int(inf)
        return None
    valid = (
        stretches
        and all(isinstance(s, str) and s in limits.stretch_ids for s in stretches)
        and len(set(stretches)) == len(stretches)
        and 1 <= state.reps <= limits.max_reps
        and 0 <= state.position < state.total
        and 0 <= state.done_mask < (1 << state.total)
        and limits.hold_seconds_min <= state.hold_seconds <= limits.hold_seconds_max
    )
    return state if valid else None


@dataclass(frozen=True)
class Step:
    """A hold to deliver now, with how to introduce it and what comes after."""

    hold: HoldRef
    intro: Intro
    after: After


@dataclass(frozen=True)
class Outcome:
    state: RoutineState
    step: Step | None = None
    at_start: bool = False  # "previous" on the first hold


def _deliver(state: RoutineState, position: int, intro: Intro, **flags: Any) -> Outcome:
    """Make `position` the current hold and hand it out (with what follows it, as many as the
    response holds). Nothing is counted here: a hold counts once it has played, which the next
    request's timestamp tells (skill/core/playback.py)."""
    hold = state.holds[position]
    new = replace(state, position=position, stage=Stage.ACTIVE)
    return Outcome(new, Step(hold, intro, state.after(hold)), **flags)


def _entry_intro(state: RoutineState, position: int) -> Intro:
    hold = state.holds[position]
    if position == 0:
        return Intro.START
    if hold.rep == 1 and hold.leg == LEGS[0]:
        return Intro.NEXT_STRETCH
    if hold.rep == 1:
        return Intro.SWITCH_LEGS
    return Intro.NEXT_REP


def start(stretches: tuple[str, ...], reps: int, hold_seconds: int) -> Outcome:
    """Begin a routine of one or more stretches with its first hold."""
    return _deliver(RoutineState(stretches, reps, hold_seconds), 0, Intro.START)


def go_on(state: RoutineState) -> Outcome:
    """Deliver from the current hold (the first one not yet played), introduced as the plan
    says (next rep, other leg, next stretch). A finished routine stays finished."""
    if state.stage is Stage.FINISHED:
        return Outcome(state)
    return _deliver(state, state.position, _entry_intro(state, state.position))


def next_hold(state: RoutineState) -> Outcome:
    """Skip the current hold (cut short: it does not count) and go on with the one after;
    past the last hold the routine is over (no step)."""
    if state.stage is Stage.FINISHED:
        return Outcome(state)
    position = state.position + 1
    if position >= state.total:
        return Outcome(replace(state, stage=Stage.FINISHED))
    return _deliver(state, position, _entry_intro(state, position))


def previous_hold(state: RoutineState) -> Outcome:
    """Go back one hold (or do the first one again)."""
    if state.position == 0:
        return _deliver(state, 0, Intro.PREVIOUS, at_start=True)
    return _deliver(state, state.position - 1, Intro.PREVIOUS)


def pause(state: RoutineState) -> Outcome:
    if state.stage is Stage.FINISHED:
        return Outcome(state)
    return Outcome(replace(state, stage=Stage.PAUSED))


def resume(state: RoutineState) -> Outcome:
    """Pick up at the start of the current hold: a hold cut short by a pause starts again
    (docs/hands-free.md says why)."""
    return _deliver(state, state.position, Intro.RESUME)


def start_over(state: RoutineState) -> Outcome:
    return _deliver(replace(state, done_mask=0), 0, Intro.RESTART)


def switch_legs(state: RoutineState) -> Outcome:
    """Jump to the first rep of the other leg of the current stretch."""
    current = state.current
    other = LEGS[1] if current.leg == LEGS[0] else LEGS[0]
    target = next(h for h in state.holds if h.stretch_id == current.stretch_id and h.leg == other)
    return _deliver(state, target.index, Intro.SWITCH_LEGS)


def set_hold_seconds(state: RoutineState, seconds: int) -> RoutineState:
    return replace(state, hold_seconds=seconds)


def heard(state: RoutineState) -> int:
    """Holds done: each counted once it has played (skill/core/playback.py)."""
    return state.completed


def heard_once_played(state: RoutineState, indices: Iterable[int]) -> int:
    """Holds done once the holds at `indices` (a set about to play) have played too: what a
    set's closing words and its finish panel can say, and the goodbye card will."""
    mask = state.done_mask
    for index in indices:
        mask |= 1 << index
    return mask.bit_count()


def remaining(state: RoutineState) -> int:
    """Holds still to do."""
    return state.total - state.completed
