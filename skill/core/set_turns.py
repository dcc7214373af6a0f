"""The words of a set, placed on its clock: lead-in, count-ins, holds, rests, the switch to the
other leg, and what is said after the last hold. As many holds as fit in one response's audio
budget (`routine.audio_budget_seconds`); one when the person asked to be waited for.
"""

from __future__ import annotations

from dataclasses import dataclass

from skill.core.content import Content
from skill.core.preferences import Detail, Pace, Preferences
from skill.core.routine import After, HoldRef, Intro, RoutineState, Step, heard_once_played
from skill.core.session_state import Expect
from skill.core.sets import SetHold, SetTimeline, lead_room_ms
from skill.core.speech import Segment, Speech
from skill.core.timeline import Cue, build_hold_timeline, room_for_speech_ms


@dataclass(frozen=True)
class SetParts:
    """A composed set turn as frozen data (one composition serves everyone at the same step)."""

    timeline: SetTimeline
    outro: tuple[Segment, ...]
    reprompt: tuple[Segment, ...]
    after: After  # what follows the set's last hold
    expects: Expect | None = None


class SetComposer:
    """Composes set turns from the content files."""

    def __init__(self, content: Content) -> None:
        self.content = content
        self.p = content.phrases
        self.settings = content.routine

    # --- the whole set ------------------------------------------------------------------

    def compose(
        self,
        step: Step,
        state: RoutineState,
        prefs: Preferences,
        lead: str = "",
        skip_ms: int = 0,
    ) -> SetParts:
        """From `step`'s hold on, as many holds as fit (one at the STEP pace); `lead`: words
        said first; `skip_ms`: how much of the first hold had played (picked up midway)."""
        first = step.hold
        detail = prefs.detail_for(first.stretch_id)
        lead_speech = Speech().say(lead).extend(self._intro(step, state, detail))
        lead_segments = tuple(lead_speech.segments)
        budget = self.settings.audio_budget_seconds * 1000
        cues: list[Cue] = []
        holds: list[SetHold] = []
        best: SetParts | None = None
        at = lead_room_ms(lead_segments)
        index = first.index
        while True:
            hold = state.holds[index]
            if holds:
                at = self._between(cues, holds[-1], hold, state, at)
            if not (holds == [] and skip_ms):
                at = self._count_in(cues, hold, at)
            timeline = build_hold_timeline(
                self.content, hold.stretch_id, state.hold_seconds, hold.variant
            )
            skip = skip_ms if not holds else 0
            holds.append(SetHold(index, at, timeline, skip, detail is Detail.COUNT))
            at = holds[-1].end_ms + self.settings.release_seconds * 1000
            set_timeline = SetTimeline(
                lead_segments, tuple(cues), tuple(holds), self.settings.release_seconds * 1000
            )
            parts = self._finish(set_timeline, hold, state, prefs)
            outro_ms = lead_room_ms(parts.outro)
            if best is not None and set_timeline.length_ms + outro_ms > budget:
                return best
            after = state.after(hold)
            # A response may carry on into the other leg only with that leg's whole set.
            if best is None or hold.leg == first.leg or after is not After.NEXT_REP:
                best = parts
            if prefs.pace is Pace.STEP or after in (After.NEXT_STRETCH, After.FINISHED):
                return best
            index += 1

    # --- words before, between and after -------------------------------------------------

    def _intro(self, step: Step, state: RoutineState, detail: Detail) -> Speech:
        hold, p = step.hold, self.p
        stretch = self.content.stretch(hold.stretch_id)
        reminder = stretch.reminder.format(leg=hold.leg)
        full = detail is Detail.FULL
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
                key, name = (
                    ("start.stretch_intro", stretch.name)
                    if full
                    else ("set.brief_intro", stretch.short_name)
                )
                speech.say(
                    p.get(key, name=name, reps=hold.reps, seconds=state.hold_seconds, leg=hold.leg)
                )
            setup = [line.format(leg=hold.leg) for line in stretch.setup] if full else [reminder]
            return speech.say(*setup).pause(1)
        if step.intro is Intro.NEXT_STRETCH:
            speech = Speech().say(
                p.get("start.next_stretch_intro", name=stretch.name, where=stretch.where)
            )
            setup = [line.format(leg=hold.leg) for line in stretch.setup] if full else [reminder]
            return speech.say(*setup).pause(1)
        if step.intro is Intro.SWITCH_LEGS:
            return Speech().say(p.get("set.now_leg", leg=hold.leg), reminder)
        if step.intro is Intro.NEXT_REP:
            return Speech().say(p.get("hold.rep_intro", rep=hold.rep, reps=hold.reps, leg=hold.leg))
        if step.intro is Intro.CONTINUE:
            return Speech()
        key = "hold.resume_intro" if step.intro is Intro.RESUME else "hold.previous_intro"
        return Speech().say(p.get(key, rep=hold.rep, reps=hold.reps, leg=hold.leg), reminder)

    def _place(self, cues: list[Cue], at: int, text: str, kind: str) -> int:
        """Put `text` at `at`; the offset where the next words may start."""
        cues.append(Cue(at, text, kind))
        return at + room_for_speech_ms(text)

    def _count_in(self, cues: list[Cue], hold: HoldRef, at: int) -> int:
        """ "Get ready. Three. Two. One." one count per second; where the hold starts."""
        at = self._place(cues, at, self.content.cues.pick("get_ready", hold.variant), "get_ready")
        at = -(-at // 1000) * 1000  # the counts on whole seconds
        n = self.settings.get_ready_from
        for i in range(n, 0, -1):
            cues.append(
                Cue(at, self.content.cues.count_words[i - 1].capitalize() + ".", "count_in")
            )
            at += 1000
        return at

    def _between(
        self, cues: list[Cue], done: SetHold, nxt: HoldRef, state: RoutineState, at: int
    ) -> int:
        """The rest after a hold (same leg), or the switch to the other leg."""
        p = self.p
        prev = state.holds[done.index]
        if nxt.leg == prev.leg:
            end = at + self.settings.rest_seconds * 1000
            at = self._place(cues, at, p.get("set.rest", prev.rep - 1), "rest")
            next_rep = p.get("set.next_rep", rep=nxt.rep, reps=nxt.reps)
            return self._place(cues, max(at, end - room_for_speech_ms(next_rep)), next_rep, "rest")
        end = at + self.settings.switch_seconds * 1000
        at = self._place(cues, at, p.get("set.switch", leg=nxt.leg), "switch")
        reminder = self.content.stretch(nxt.stretch_id).reminder.format(leg=nxt.leg)
        at = self._place(cues, at, reminder, "switch")
        return max(at, end)

    def _finish(
        self, timeline: SetTimeline, last: HoldRef, state: RoutineState, prefs: Preferences
    ) -> SetParts:
        """What is said after the set's last hold, and the reprompt."""
        p = self.p
        after = state.after(last)
        if after is After.FINISHED:
            name = self.routine_name(state)
            done = heard_once_played(state, (hold.index for hold in timeline.holds))
            outro = Speech().say(
                p.get("finish.done", name=name, holds=done),
                p.get("finish.consistency"),
                p.get("finish.ask"),
            )
            reprompt = Speech().say(p.get("finish.ask_reprompt"))
            return SetParts(
                timeline, tuple(outro.segments), tuple(reprompt.segments), after, Expect.HEAR_WEEK
            )
        nxt = state.holds[last.index + 1]
        if prefs.pace is Pace.STEP:
            outro = Speech().say(
                p.get("hold.done_rep", last.rep - 1, rep=last.rep, reps=last.reps, leg=last.leg)
            )
            if after is After.NEXT_REP:
                outro.say(p.get("hold.prompt_next_rep", next_rep=nxt.rep))
            elif after is After.NEXT_LEG:
                outro.say(p.get("hold.prompt_next_leg", leg=last.leg, next_leg=nxt.leg))
            else:
                outro.say(self._next_stretch_prompt(last, nxt, "hold.prompt_next_stretch"))
            reprompt = Speech().say(p.get("hold.reprompt"))
        else:
            if after is After.NEXT_REP:
                outro = Speech().say(p.get("set.prompt_next_rep", next_rep=nxt.rep, reps=nxt.reps))
            elif after is After.NEXT_LEG:
                outro = Speech().say(
                    p.get("set.leg_done", leg=last.leg),
                    p.get("set.prompt_next_leg", next_leg=nxt.leg),
                )
            else:
                outro = Speech().say(
                    self._next_stretch_prompt(last, nxt, "set.prompt_next_stretch")
                )
            reprompt = Speech().say(p.get("set.reprompt"))
        return SetParts(timeline, tuple(outro.segments), tuple(reprompt.segments), after)

    def _next_stretch_prompt(self, last: HoldRef, nxt: HoldRef, key: str) -> str:
        stretch, following = (
            self.content.stretch(last.stretch_id),
            self.content.stretch(nxt.stretch_id),
        )
        return self.p.get(key, name=stretch.name, next_name=following.name, where=following.where)

    def routine_name(self, state: RoutineState) -> str:
        if len(state.stretches) > 1:
            return self.p.get("start.full_name")
        return self.content.stretch(state.stretches[0]).name
