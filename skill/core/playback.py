"""What the last response plays, and which of its holds were played when the next request came.

Alexa cannot say how far a response got, but every request carries a timestamp on Alexa's
clock, and so did the request the response answered. The skill keeps, in the session, that
timestamp and the offset at which each hold of the response starts and ends (`Playback`). The
next request of the session, whatever it is (a question, "Alexa, pause", "ready", the
SessionEndedRequest after silence), settles it (`settle`): each hold that ended before the
request is counted, the hold playing at that moment is the one to pick up, and the record is
spent. A hold is never counted twice (the routine's done mask) and never counted before its
release cue; odd timestamps are clamped (never negative, never past what was sent).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from skill.core.routine import HoldRef, RoutineState, Stage

MAX_RESPONSE_MS = 300_000  # Alexa plays at most 240 s per response; anything beyond is junk
MAX_EPOCH_MS = 2**53  # a JSON number that stays exact


@dataclass(frozen=True)
class PlayedHold:
    """One hold of a response: its place in the plan, and where it starts and ends (the
    release cue) in milliseconds from the start of the response's audio."""

    index: int
    start_ms: int
    end_ms: int


@dataclass(frozen=True)
class PlayPlan:
    """The holds a composed response plays, and its whole length (for clamping)."""

    holds: tuple[PlayedHold, ...]
    length_ms: int


@dataclass(frozen=True)
class Playback:
    """A response on its way: the plan, and the timestamp of the request it answered."""

    sent_ms: int
    plan: PlayPlan

    def to_dict(self) -> dict[str, Any]:
        return {
            "at": self.sent_ms,
            "len": self.plan.length_ms,
            "holds": [[h.index, h.start_ms, h.end_ms] for h in self.plan.holds],
        }

    @classmethod
    def from_dict(cls, data: Any, state: RoutineState | None) -> Playback | None:
        """The record from the session, or None unless it fits `state` exactly: consecutive
        holds of its plan starting at its position, ordered offsets within one response."""
        if state is None or not isinstance(data, dict):
            return None
        sent, length, rows = data.get("at"), data.get("len"), data.get("holds")
        if not (_int_in(sent, 0, MAX_EPOCH_MS) and _int_in(length, 1, MAX_RESPONSE_MS)):
            return None
        if not isinstance(rows, list) or not 0 < len(rows) <= state.total:
            return None
        holds: list[PlayedHold] = []
        at_ms = 0
        for n, row in enumerate(rows):
            if not (
                isinstance(row, list)
                and len(row) == 3
                and _int_in(row[0], 0, state.total - 1)  # 0.0 == 0, but cannot index
                and all(_int_in(v, 0, length) for v in row[1:])
            ):
                return None
            index, start, end = row
            if index != state.position + n or not at_ms <= start < end:
                return None
            holds.append(PlayedHold(index, start, end))
            at_ms = end
        return cls(sent, PlayPlan(tuple(holds), length))


def _int_in(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


@dataclass(frozen=True)
class Settled:
    """The routine after a request settled the last response."""

    state: RoutineState
    newly: tuple[HoldRef, ...] = ()  # holds first counted now
    interrupted: HoldRef | None = None  # the hold playing when the request came
    into_ms: int = 0  # how far into it
    left_ms: int = 0  # how much of it was left
    mid_set: bool = False  # the request came before the response's last hold ended
    finished: bool = False  # the routine's last hold was counted now


def elapsed_ms(playback: Playback, now_ms: int, lag_ms: int) -> int:
    """How much of the response had played at `now_ms`, by its timestamps, less the lag
    between a person cutting in and the request's timestamp; within [0, the response]."""
    return max(0, min(now_ms - playback.sent_ms - lag_ms, playback.plan.length_ms))


def settle(state: RoutineState, plan: PlayPlan, elapsed: int) -> Settled:
    """Count the holds of `plan` that ended by `elapsed` ms; the first one that did not is
    where the routine stands (a hold cut short starts again from its beginning)."""
    if state.stage is Stage.FINISHED:
        return Settled(state)
    done = state.done_mask
    newly: list[HoldRef] = []
    interrupted: HoldRef | None = None
    into = left = 0
    position = None
    for played in plan.holds:
        hold = state.holds[played.index]
        if played.end_ms <= elapsed:
            if not done >> played.index & 1:
                newly.append(hold)
            done |= 1 << played.index
            continue
        if position is None:
            position = played.index
            if played.start_ms <= elapsed:
                interrupted, into = hold, elapsed - played.start_ms
                left = played.end_ms - elapsed
    last = plan.holds[-1].index
    finished = position is None and last + 1 >= state.total
    if finished:
        new = replace(state, position=last, stage=Stage.FINISHED, done_mask=done)
    else:
        new = replace(state, position=last + 1 if position is None else position, done_mask=done)
    return Settled(
        new,
        tuple(newly),
        interrupted,
        into,
        left,
        mid_set=position is not None,
        finished=finished,
    )
