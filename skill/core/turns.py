"""What the coach says in each turn, composed from content: no Alexa types, no SSML.

Handlers, the downloadable guided session and the simulator all compose turns here, so a
routine sounds the same everywhere. A `Turn` is speech + reprompt + card + whether it ends.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from skill.core import routine
from skill.core.content import Content, Phone
from skill.core.progress import ProgressSummary
from skill.core.routine import After, HoldRef, Intro, RoutineState, Stage, Step
from skill.core.speech import Hold, Segment, Speech
from skill.core.timeline import (
    HoldTimeline,
    build_hold_timeline,
    count_in,
    estimate_speech_seconds,
)


@dataclass(frozen=True)
class Card:
    title: str
    text: str


@dataclass
class Turn:
    speech: Speech
    reprompt: Speech | None = None
    end_session: bool = False
    card: Card | None = None
    expects: str | None = None  # what a "yes" would mean next, e.g. "start_routine"
    urgent: bool = False  # emergency advice: nothing may come before it
    # Parts of a hold turn, kept apart so APL for Audio can place them around the hold.
    intro: Speech = field(default_factory=Speech)
    outro: Speech = field(default_factory=Speech)


def _speech(*texts: str) -> Speech:
    return Speech().say(*texts)


@dataclass(frozen=True)
class _HoldParts:
    """A composed hold turn as frozen data, so one composition serves everyone."""

    intro: tuple[Segment, ...]
    hold: HoldTimeline
    outro: tuple[Segment, ...]
    reprompt: tuple[Segment, ...] | None
    end: bool

    def turn(self) -> Turn:
        """A fresh Turn (callers may change theirs, e.g. put the disclaimer first)."""
        speech = Speech([*self.intro, Hold(self.hold), *self.outro])
        reprompt = None if self.reprompt is None else Speech(list(self.reprompt))
        return Turn(
            speech,
            reprompt,
            end_session=self.end,
            intro=Speech(list(self.intro)),
            outro=Speech(list(self.outro)),
        )


class Coach:
    """Composes turns from the content files."""

    def __init__(self, content: Content) -> None:
        self.content = content
        self.p = content.phrases
        # A hold turn depends only on its arguments and the content: compose each once.
        self._hold_parts = functools.lru_cache(maxsize=1024)(self._compose_hold)

    # --- routine ----------------------------------------------------------------------

    def routine_name(self, state: RoutineState) -> str:
        if len(state.stretches) > 1:
            return self.p.get("start.full_name")
        return self.content.stretch(state.stretches[0]).name

    def hold_turn(self, step: Step, state: RoutineState, lead: str = "") -> Turn:
        """Intro (set-up, switch, get-ready), the hold with its cues, and what comes next."""
        return self._hold_parts(step, state, lead).turn()

    def _compose_hold(self, step: Step, state: RoutineState, lead: str) -> _HoldParts:
        hold = step.hold
        intro = Speech().say(lead).extend(self._intro(step, state))
        intro.extend(self._count_in(hold.variant))
        timeline = build_hold_timeline(
            self.content, hold.stretch_id, state.hold_seconds, hold.variant
        )
        outro, reprompt, end = self._outro(step, state)
        return _HoldParts(
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

    # --- routine status ---------------------------------------------------------------

    def stage_key(self, state: RoutineState | None) -> str:
        """The part of the conversation we are in, for help, fallback and follow-ups."""
        if state is None:
            return "idle"
        return {Stage.ACTIVE: "running", Stage.PAUSED: "paused"}.get(state.stage, "finished")

    def follow_up(self, state: RoutineState | None) -> tuple[str, str]:
        """The question that brings the person back to where they were, and its reprompt."""
        stage = self.stage_key(state)
        if stage == "idle":
            return self.p.get("follow_up.idle"), self.p.get("follow_up.idle_reprompt")
        if stage == "running" and state is not None:
            nxt = state.upcoming()
            if nxt is not None:
                text = self.p.get("follow_up.running", rep=nxt.rep, leg=nxt.leg)
                return text, self.p.get("hold.reprompt")
        key = "paused" if stage == "paused" else "finished"
        return self.p.get(f"follow_up.{key}"), self.p.get(f"fallback.{key}")

    def remaining_turn(self, state: RoutineState | None) -> Turn:
        p = self.p
        if state is None:
            return self.with_follow_up(p.get("remaining.none"), None)
        if state.stage is Stage.FINISHED:
            return self.with_follow_up(p.get("remaining.finished", total=state.total), state)
        done = routine.heard(state)
        text = p.get("remaining.status", done=done, total=state.total, left=state.total - done)
        nxt = state.upcoming()
        if nxt is not None:
            name = self.content.stretch(nxt.stretch_id).name
            text += " " + p.get(
                "remaining.position", rep=nxt.rep, reps=nxt.reps, leg=nxt.leg, name=name
            )
        return self.with_follow_up(text, state)

    def stop_turn(self, state: RoutineState | None) -> Turn:
        """Mid-routine: one line on how far they got, then goodbye."""
        speech = Speech()
        if state is not None and state.stage is not Stage.FINISHED:
            speech.say(
                self.p.get(
                    "stop.summary",
                    done=routine.heard(state),
                    total=state.total,
                    name=self.routine_name(state),
                )
            )
        speech.say(self.p.get("stop.goodbye"))
        return Turn(speech, end_session=True)

    def help_turn(self, state: RoutineState | None) -> Turn:
        stage = self.stage_key(state)
        if stage == "running" and state is not None:
            cur = state.current
            text = self.p.get(
                "help.running",
                rep=cur.rep,
                reps=cur.reps,
                leg=cur.leg,
                name=self.content.stretch(cur.stretch_id).name,
            )
            return self.ask(text, reprompt=self.p.get("hold.reprompt"))
        if stage == "idle":
            return self.ask(self.p.get("help.idle"), reprompt=self.p.get("help.idle_reprompt"))
        return self.ask(self.p.get(f"help.{stage}"), reprompt=self.p.get(f"fallback.{stage}"))

    def fallback_turn(self, state: RoutineState | None) -> Turn:
        stage = self.stage_key(state)
        text = self.p.get(f"fallback.{stage}")
        return self.ask(text, reprompt=text)

    # --- answers and phone numbers ----------------------------------------------------

    def answer_turn(self, intent: str, state: RoutineState | None) -> Turn:
        answer = self.content.answers[intent]
        if answer.emergency:
            card = Card(self.p.get("cards.emergency_title"), self.p.get("cards.emergency_text"))
            return Turn(_speech(answer.text), end_session=True, card=card, urgent=True)
        if answer.ends_routine and state is not None:
            return self.ask(
                answer.text,
                self.p.get("follow_up.after_stop"),
                reprompt=self.p.get("follow_up.after_stop_reprompt"),
            )
        return self.with_follow_up(answer.text, state)

    def booking_turn(self, key: str, state: RoutineState | None) -> Turn:
        phone: Phone = self.content.clinic[key]
        prefix = "booking.rehab" if key == "rehab" else "booking.injury"
        params = dict(name=phone.name, vanity=phone.display)
        speech = Speech().say(self.p.get(f"{prefix}_before", **params)).phone(phone.dial)
        speech.say(self.p.get(f"{prefix}_after", **params))
        question, reprompt = self.follow_up(state)
        speech.say(question)
        expects = "start_routine" if state is None else None
        if key == "rehab":
            card = Card(
                self.p.get("cards.rehab_title"),
                self.p.get("cards.rehab_text", name=phone.name, display=phone.display),
            )
        else:
            card = Card(
                self.p.get("cards.injury_title"),
                self.p.get(
                    "cards.injury_text",
                    name=phone.name,
                    display=phone.display,
                    dial_pretty=phone.dial_pretty,
                ),
            )
        return Turn(speech, _speech(reprompt), card=card, expects=expects)

    # --- progress ---------------------------------------------------------------------

    def count(self, n: int, unit: str) -> str:
        """ "1 day", "3 days": the unit's words come from phrases.yaml (units.*)."""
        return f"{n} {self.p.get(f'units.{unit}', 0 if n == 1 else 1)}"

    def progress_greeting(self, summary: ProgressSummary) -> str:
        """One short line for a returning person."""
        text = self.p.get("progress.greeting_days", days=self.count(summary.days_this_week, "day"))
        if summary.streak_days >= 2:
            streak = f"{summary.streak_days}-{self.p.get('units.day', 0)}"
            text += " " + self.p.get("progress.greeting_streak", streak=streak)
        return text

    def progress_summary(self, summary: ProgressSummary | None) -> str:
        if summary is None:
            return self.p.get("progress.unavailable")
        if not summary.total_holds and not summary.total_sessions:
            return self.p.get("progress.summary_new")
        return self.p.get(
            "progress.summary",
            days=self.count(summary.days_this_week, "day"),
            streak=self.count(summary.streak_days, "day"),
            sessions=self.count(summary.total_sessions, "session"),
        )

    def resume_offer(self, state: RoutineState) -> str:
        hold = state.current
        return self.p.get(
            "resume.offer",
            rep=hold.rep,
            reps=hold.reps,
            leg=hold.leg,
            name=self.routine_name(state),
        )

    # --- small helpers ----------------------------------------------------------------

    def ask(self, *texts: str, reprompt: str) -> Turn:
        """Say `texts` (ending with a question) and keep listening, with a reprompt."""
        return Turn(_speech(*texts), _speech(reprompt))

    def with_follow_up(self, text: str, state: RoutineState | None) -> Turn:
        """An answer, then the question that leads back to where the person was."""
        question, reprompt = self.follow_up(state)
        turn = self.ask(text, question, reprompt=reprompt)
        if state is None:
            turn.expects = "start_routine"
        return turn
