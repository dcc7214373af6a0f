"""A hold turn composed from content: the set-up, switch or next-rep line, the get-ready count,
the hold with its cues, and what comes after it. Pure data out (`HoldParts`), so one
composition can serve everyone who reaches the same step (Coach caches it)."""

from __future__ import annotations

from dataclasses import dataclass

from skill.core.content import Content
from skill.core.routine import After, HoldRef, Intro, RoutineState, Step
from skill.core.speech import Segment, Speech
from skill.core.timeline import (
    HoldTimeline,
    build_hold_timeline,
    count_in,
    estimate_speech_seconds,
)


def _speech(*texts: str) -> Speech:
    return Speech().say(*texts)


@dataclass(frozen=True)
class HoldParts:
    """A composed hold turn as frozen data: what is said before the hold, the hold, what is
    said after it, the reprompt, and whether the routine ends with it."""

    intro: tuple[Segment, ...]
    hold: HoldTimeline
    outro: tuple[Segment, ...]
    reprompt: tuple[Segment, ...] | None
    end: bool


class HoldComposer:
    """Composes hold turns from the content files."""

    def __init__(self, content: Content) -> None:
        self.content = content
        self.p = content.phrases

    def routine_name(self, state: RoutineState) -> str:
        if len(state.stretches) > 1:
            return self.p.get("start.full_name")
        return self.content.stretch(state.stretches[0]).name

    def compose(self, step: Step, state: RoutineState, lead: str) -> HoldParts:
        hold = step.hold
        intro = Speech().say(lead).extend(self._intro(step, state))
        intro.extend(self._count_in(hold.variant))
        timeline = build_hold_timeline(
            self.content, hold.stretch_id, state.hold_seconds, hold.variant
        )
        outro, reprompt, end = self._outro(step, state)
        return HoldParts(
            tuple(intro.segments),
            timeline,
            tuple(outro.segments),
            None if reprompt is None else tuple(reprompt.segments),
            end,
        )

    def _stretch_setup(self, hold: HoldRef) -> list[str]:
        stretch = self.content.stretch(hold.stretch_id)
        return [line.format(leg=hold.leg) for line in stretch.setup]

    def _reminder(self, hold: HoldRef) -> str:
        return self.content.stretch(hold.stretch_id).reminder.format(leg=hold.leg)

    def _intro(self, step: Step, state: RoutineState) -> Speech:
        hold, p, settings = step.hold, self.p, self.content.routine
        stretch = self.content.stretch(hold.stretch_id)
        reps = dict(rep=hold.rep, reps=hold.reps, leg=hold.leg)
        if step.intro in (Intro.START, Intro.RESTART):
            speech = Speech()
            if step.intro is Intro.RESTART:
                speech.say(p.get("hold.restart_intro"))
            if len(state.stretches) > 1:
                speech.say(p.get("start.full_intro", reps=hold.reps, seconds=state.hold_seconds))
                speech.say(
                    p.get("start.next_stretch_intro", name=stretch.name, where=stretch.where)
                )
            else:
                speech.say(
                    p.get(
                        "start.stretch_intro",
                        name=stretch.name,
                        reps=hold.reps,
                        seconds=state.hold_seconds,
                        leg=hold.leg,
                    )
                )
            return speech.say(*self._stretch_setup(hold)).pause(1)
        if step.intro is Intro.NEXT_STRETCH:
            return (
                _speech(p.get("start.next_stretch_intro", name=stretch.name, where=stretch.where))
                .say(*self._stretch_setup(hold))
                .pause(1)
            )
        if step.intro is Intro.SWITCH_LEGS:
            return _speech(p.get("hold.switch_legs", leg=hold.leg), self._reminder(hold)).pause(
                settings.switch_seconds
            )
        if step.intro is Intro.NEXT_REP:
            return _speech(p.get("hold.rep_intro", **reps))
        key = "hold.resume_intro" if step.intro is Intro.RESUME else "hold.previous_intro"
        return _speech(p.get(key, **reps), self._reminder(hold))

    def _count_in(self, variant: int) -> Speech:
        """ "Get ready. Three. Two. One." at one word per second."""
        speech = _speech(self.content.cues.pick("get_ready", variant))
        for word in count_in(self.content):
            speech.say(word).pause(max(0.0, 1.0 - estimate_speech_seconds(word)))
        return speech

    def _outro(self, step: Step, state: RoutineState) -> tuple[Speech, Speech | None, bool]:
        hold, p = step.hold, self.p
        speech = Speech().pause(self.content.routine.relax_seconds)
        if step.after is After.FINISHED:
            speech.say(
                p.get("finish.done", name=self.routine_name(state), holds=state.total),
                p.get("finish.consistency"),
            )
            return speech, None, True
        speech.say(p.get("hold.done_rep", hold.rep - 1, rep=hold.rep, reps=hold.reps, leg=hold.leg))
        nxt = state.holds[hold.index + 1]
        if step.after is After.NEXT_REP:
            speech.say(p.get("hold.prompt_next_rep", next_rep=nxt.rep))
        elif step.after is After.NEXT_LEG:
            speech.say(p.get("hold.prompt_next_leg", leg=hold.leg, next_leg=nxt.leg))
        else:
            speech.say(
                p.get(
                    "hold.prompt_next_stretch",
                    name=self.content.stretch(hold.stretch_id).name,
                    next_name=self.content.stretch(nxt.stretch_id).name,
                )
            )
        return speech, _speech(p.get("hold.reprompt")), False
