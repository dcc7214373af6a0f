"""What the coach says in each turn, composed from content: no Alexa types, no SSML.

Handlers, the downloadable guided session and the simulator all compose turns here, so a
routine sounds the same everywhere. A `Turn` is speech + reprompt + card + whether it ends.
"""

from __future__ import annotations

import functools
from dataclasses import replace

from skill.core import routine
from skill.core.answer_turns import AnswerTurns
from skill.core.coaching_turns import CoachingTurns
from skill.core.content import Content
from skill.core.preferences import Detail, Preferences
from skill.core.progress import ProgressSummary
from skill.core.reminder_turns import ReminderReply, ReminderTurns
from skill.core.reminders import ReminderSchedule
from skill.core.routine import Intro, RoutineState, Stage, Step
from skill.core.screens import FinishScreen, SetScreen
from skill.core.session_state import (
    Expect,
    HoldLengthReply,
    Replay,
    TurnKind,
    figures,
    summary_of,
)
from skill.core.set_screens import retimed, set_screen
from skill.core.set_turns import SetComposer, SetParts
from skill.core.sets import lead_room_ms
from skill.core.speech import Set, Speech
from skill.core.turn_base import Card, Turn, speech_of
from skill.core.turn_screens import paused_screen

__all__ = ["Card", "Coach", "Turn"]


class Coach(AnswerTurns, CoachingTurns, ReminderTurns):
    """Composes turns from the content files."""

    def __init__(self, content: Content) -> None:
        super().__init__(content)
        self.sets = SetComposer(content)
        # A set turn depends only on its arguments and the content: compose each once.
        self._set_parts = functools.lru_cache(maxsize=1024)(self.sets.compose)
        # Its screen too: composing the captions is most of a set turn's cost, and every
        # person at the same step sees the same screen (the benchmark: bench/README.md).
        self._set_screen = functools.lru_cache(maxsize=1024)(self._compose_set_screen)

    # --- routine ----------------------------------------------------------------------

    def routine_name(self, state: RoutineState) -> str:
        return self.sets.routine_name(state)

    def set_turn(
        self,
        step: Step,
        state: RoutineState,
        prefs: Preferences,
        lead: str = "",
        skip_ms: int = 0,
        at_start: bool = False,
    ) -> Turn:
        """From `step`'s hold on, as many holds as one response holds (one at the STEP pace),
        then what comes next; `lead`: words said first (an answer, or "this is the first hold"
        when `at_start`); `skip_ms`: the first hold is picked up this far into it."""
        if at_start:
            lead = " ".join(filter(None, (lead, self.p.get("navigation.previous_at_start"))))
        parts = self._set_parts(step, state, prefs, lead, skip_ms)
        screen = self._set_screen(step, state, prefs, lead, skip_ms)
        return self._set_turn(parts, state, step, at_start, screen)

    def _compose_set_screen(
        self, step: Step, state: RoutineState, prefs: Preferences, lead: str, skip_ms: int
    ) -> SetScreen:
        """The screen of the set turn these arguments make (cached like the set itself)."""
        parts = self._set_parts(step, state, prefs, lead, skip_ms)
        full = prefs.detail_for(step.hold.stretch_id) is Detail.FULL
        return set_screen(self.content, parts.timeline, state, step.intro, full, parts.after)

    def _set_turn(
        self, parts: SetParts, state: RoutineState, step: Step, at_start: bool, screen: SetScreen
    ) -> Turn:
        timeline = parts.timeline
        turn = Turn(
            Speech([Set(timeline), *parts.outro]),
            Speech(list(parts.reprompt)),
            outro=Speech(list(parts.outro)),
            expects=parts.expects,
            play=timeline.plan(lead_room_ms(parts.outro)),
            screen=screen,
        )
        turn.replay = Replay(TurnKind.HOLD, state, ref=step.intro.value, at_start=at_start)
        return turn

    # --- routine status ---------------------------------------------------------------

    def remaining_turn(self, state: RoutineState | None) -> Turn:
        turn = self._remaining(state)
        turn.replay = Replay(TurnKind.REMAINING, state)
        return turn

    def _remaining(self, state: RoutineState | None) -> Turn:
        p = self.p
        if state is None:
            return self._with_follow_up(p.get("remaining.none"), None)
        if state.stage is Stage.FINISHED:
            return self._with_follow_up(p.get("remaining.finished", total=state.total), state)
        done = routine.heard(state)
        text = p.get("remaining.status", done=done, total=state.total, left=state.total - done)
        nxt = state.current
        if not state.is_done(nxt):
            name = self.content.stretch(nxt.stretch_id).name
            text += " " + p.get(
                "remaining.position", rep=nxt.rep, reps=nxt.reps, leg=nxt.leg, name=name
            )
        return self._with_follow_up(text, state)

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
        return Turn(speech, end_session=True, card=self.session_card(state))

    def session_card(self, state: RoutineState | None) -> Card | None:
        """After a routine: what was done, with the pose of the last stretch done (the one
        under way when none was) for the card's picture."""
        if state is None:
            return None
        done = state.done_holds()
        picture = (done[-1] if done else state.current).stretch_id
        text = self.p.get(
            "stop.card_text",
            done=routine.heard(state),
            total=state.total,
            name=self.routine_name(state),
        )
        return Card(self.p.get("stop.card_title"), text, picture=picture)

    def help_turn(self, state: RoutineState | None) -> Turn:
        turn = self._help(state)
        turn.replay = Replay(TurnKind.HELP, state)
        return turn

    def _help(self, state: RoutineState | None) -> Turn:
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
            return self._ask(text, reprompt=self.p.get("set.reprompt"))
        if stage == "idle":
            return self._ask(self.p.get("help.idle"), reprompt=self.p.get("help.idle_reprompt"))
        return self._ask(
            self.p.get(f"help.{stage}"), reprompt=self.p.get(f"follow_up.{stage}_reprompt")
        )

    # --- progress ---------------------------------------------------------------------

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
        """Exactly what is next: "Your left leg of the seated stretch is next. Ready?" """
        hold = state.current
        key = "set.resume_offer_leg" if hold.rep == 1 else "set.resume_offer_rep"
        name = self.content.stretch(hold.stretch_id).name
        return self.p.get(key, rep=hold.rep, reps=hold.reps, leg=hold.leg, name=name)

    def progress_turn(
        self,
        summary: ProgressSummary | None,
        state: RoutineState | None,
        offer: ReminderSchedule | None = None,
    ) -> Turn:
        """The person's progress (None: it could not be read), then back to where they were;
        or, with `offer`, the offer of that reminder instead of the usual question."""
        if offer is None:
            turn = self._with_follow_up(self.progress_summary(summary), state)
        else:
            turn = self.offer_question(offer)
            turn.speech = speech_of(self.progress_summary(summary)).extend(turn.speech)
        token = offer.token() if offer is not None else None
        turn.replay = Replay(TurnKind.PROGRESS, state, summary=figures(summary), schedule=token)
        # Holds only when this session did some: with none, "0 holds today" would be wrong
        # after a routine done earlier today (the summary has no count of today's holds).
        done = routine.heard(state) if state is not None else 0
        turn.screen = FinishScreen(
            self.p.get("screens.progress_title"),
            done or None,
            summary.days_this_week if summary is not None else None,
            summary.streak_days if summary is not None else None,
        )
        return turn

    def launch_turn(
        self, summary: ProgressSummary | None, disclaimer: bool, saved: RoutineState | None
    ) -> Turn:
        """Welcome (back, with one line of progress unless the disclaimer is due: the turn stays
        short), the disclaimer if it is due, then the
        offer to pick up the `saved` routine, or the choice of stretches."""
        p = self.p
        returning = summary is not None and bool(summary.total_holds or summary.total_sessions)
        texts = [p.get("launch.welcome_back" if returning else "launch.welcome")]
        if returning and summary is not None and not disclaimer:  # short: one or the other
            texts.append(self.progress_greeting(summary))
        if disclaimer:
            texts.append(p.get("launch.disclaimer"))
        if saved is not None:
            turn = self._ask(
                *texts, self.resume_offer(saved), reprompt=p.get("set.resume_reprompt")
            )
            turn.expects = Expect.RESUME_SAVED
        else:
            texts.append(p.get("launch.offer"))
            turn = self._ask(*texts, reprompt=p.get("launch.offer_reprompt"))
        turn.replay = Replay(
            TurnKind.LAUNCH, saved, summary=figures(summary), disclaimer=disclaimer
        )
        return turn

    def hold_length_turn(
        self, reply: HoldLengthReply, state: RoutineState | None, seconds: int | None = None
    ) -> Turn:
        """The answer to "hold for N seconds": N missing or out of range, or N set (with the
        routine idle or finished, or running with N as its new hold length)."""
        settings, p = self.content.routine, self.p
        if reply in (HoldLengthReply.MISSING, HoldLengthReply.OUT_OF_RANGE):
            limits = dict(min=settings.hold_seconds_min, max=settings.hold_seconds_max)
            text = p.get(f"hold_length.{reply.value}", **limits)
            turn = self._ask(text, reprompt=p.get("hold_length.reprompt"))
            seconds = None
        else:
            turn = self._with_follow_up(p.get(f"hold_length.{reply.value}", seconds=seconds), state)
        turn.replay = Replay(TurnKind.HOLD_LENGTH, state, ref=reply.value, seconds=seconds)
        return turn

    # --- turns of phrases ---------------------------------------------------------------

    def question(self, *keys: str, reprompt: str) -> Turn:
        """Say the phrases `keys` (ending with a question) and keep listening."""
        turn = self._ask(*(self.p.get(key) for key in keys), reprompt=self.p.get(reprompt))
        turn.replay = Replay(TurnKind.QUESTION, keys=keys, reprompt=reprompt)
        return turn

    def pause_turn(self, state: RoutineState) -> Turn:
        """ "Paused": the hold it stopped in stays on the screen, still, with the way back."""
        turn = self.question("pause.paused", reprompt="pause.reprompt")
        turn.screen = paused_screen(self.content, state)
        return turn

    def follow_up_turn(self, key: str, state: RoutineState | None) -> Turn:
        """The phrase `key`, then the question that leads back to where the person was."""
        turn = self._with_follow_up(self.p.get(key), state)
        turn.replay = Replay(TurnKind.FOLLOW_UP, state, keys=(key,))
        return turn

    def with_disclaimer(self, turn: Turn) -> Turn:
        """The disclaimer first, then the turn (a conversation that opens with a request). In
        a set turn it becomes part of the set's lead-in, so the set's clock stays exact."""
        first = turn.speech.segments[0] if turn.speech.segments else None
        if isinstance(first, Set):
            said = tuple(Speech().say(self.p.get("launch.disclaimer")).segments)
            timeline = first.timeline.with_lead_first(said)
            turn.speech = Speech([Set(timeline), *turn.speech.segments[1:]])
            turn.play = timeline.plan(lead_room_ms(tuple(turn.outro.segments)))
            if isinstance(turn.screen, SetScreen):
                turn.screen = retimed(turn.screen, timeline)
        else:
            turn.speech = Speech().say(self.p.get("launch.disclaimer")).extend(turn.speech)
        if turn.replay is not None:
            turn.replay = replace(turn.replay, disclaimer=True)
        return turn

    # --- repeat -------------------------------------------------------------------------

    def replay(self, recipe: Replay) -> Turn:
        """The turn `recipe` was taken from, composed again from the content. The recipe must
        come from Replay.from_dict (or a turn): it is checked there, not here."""
        kind, state = recipe.kind, recipe.routine
        if kind is TurnKind.HOLD:
            assert state is not None
            assert recipe.ref is not None
            hold = state.holds[state.position]
            step = Step(hold, Intro(recipe.ref), state.after(hold))
            turn = self.set_turn(step, state, Preferences(), at_start=recipe.at_start)
        elif kind is TurnKind.ANSWER:
            assert recipe.ref is not None
            turn = self.answer_turn(recipe.ref, state)
        elif kind is TurnKind.BOOKING:
            assert recipe.ref is not None
            turn = self.booking_turn(recipe.ref, state)
        elif kind is TurnKind.HELP:
            turn = self.help_turn(state)
        elif kind is TurnKind.FALLBACK:
            turn = self.fallback_turn(state)
        elif kind is TurnKind.REMAINING:
            turn = self.remaining_turn(state)
        elif kind is TurnKind.QUESTION:
            assert recipe.reprompt is not None
            turn = self.question(*recipe.keys, reprompt=recipe.reprompt)
        elif kind is TurnKind.FOLLOW_UP:
            turn = self.follow_up_turn(recipe.keys[0], state)
        elif kind is TurnKind.HOLD_LENGTH:
            assert recipe.ref is not None
            turn = self.hold_length_turn(HoldLengthReply(recipe.ref), state, recipe.seconds)
        elif kind is TurnKind.PROGRESS:
            offer = ReminderSchedule.from_token(recipe.schedule)
            turn = self.progress_turn(summary_of(recipe.summary), state, offer)
        elif kind is TurnKind.TIME_LEFT:
            assert state is not None
            turn = self.time_left_turn(state)
        elif kind is TurnKind.HOW_TO:
            turn = self.how_to_turn(state, recipe.ref)
        elif kind is TurnKind.REMINDER:
            assert recipe.ref is not None
            schedule = ReminderSchedule.from_token(recipe.schedule)
            turn = self.reminder_turn(ReminderReply(recipe.ref), state, schedule, recipe.today)
        else:
            turn = self.launch_turn(summary_of(recipe.summary), recipe.disclaimer, state)
            return turn
        return self.with_disclaimer(turn) if recipe.disclaimer else turn
