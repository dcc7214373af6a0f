"""What the coach says about the stretch reminder, composed from phrases.yaml (`reminders.*`).

Each reply says the time first ("Okay, I'll remind you to stretch every day at 7 PM."), then
leads back to where the person was with the usual follow-up question, so a reminder asked for
mid-routine, or one that could not be set, loses nothing. Amazon's guidelines shape the words:
the offer names the time and that it repeats, and after a reminder is set the person hears how
to change or cancel it. What happened is the handler's to find out (skill/alexa); the coach
only says it.
"""

from __future__ import annotations

from datetime import date, timedelta

from skill.core.reminders import (
    REMINDER_MAY_SAY_SCHEDULE,
    REMINDER_NEEDS_SCHEDULE,
    ReminderReply,
    ReminderSchedule,
    Repeat,
)
from skill.core.routine import RoutineState, Stage
from skill.core.session_state import Expect, Replay, TurnKind
from skill.core.turn_base import Turn, TurnBase, speech_of

__all__ = ["ReminderReply", "ReminderTurns"]

_ONE_DAY = timedelta(days=1)
# The replies that say one thing (with the schedule, where they have one), then follow up.
_SAID = {
    ReminderReply.SET: ("reminders.set", "reminders.how_to_change"),
    ReminderReply.UPDATED: ("reminders.updated", "reminders.how_to_change"),
    ReminderReply.STATUS: ("reminders.status",),
    ReminderReply.NONE_SET: ("reminders.none_set",),
    ReminderReply.CANCELLED: ("reminders.cancelled",),
    ReminderReply.OFFER_DECLINED: ("reminders.offer_declined",),
    ReminderReply.DENIED: ("reminders.denied",),
    ReminderReply.NOT_ANSWERED: ("reminders.not_answered",),
    ReminderReply.CARD_SENT: ("reminders.card_sent",),
    ReminderReply.REVOKED: ("reminders.revoked",),
    ReminderReply.BUSY: ("reminders.busy",),
    ReminderReply.UNREACHABLE: ("reminders.unreachable",),
    ReminderReply.NO_PROFILE: ("reminders.no_profile",),
}
_SENDS_CARD = frozenset({ReminderReply.CARD_SENT, ReminderReply.REVOKED})


class ReminderTurns(TurnBase):
    """Reminder turns, the reminder's own words, and how a schedule is said."""

    def reminder_text(self) -> str:
        """What the reminder says when it rings (Alexa's "Here's your reminder" comes first)."""
        return self.p.get("reminders.spoken")

    def clock(self, hour: int, minute: int) -> str:
        """ "7 PM", "7:15 PM", "12 AM": how a time is said, with no ":00"."""
        half = self.p.get("reminders.am" if hour < 12 else "reminders.pm")
        shown = hour % 12 or 12
        if minute == 0:
            return self.p.get("reminders.clock", hour=shown, half=half)
        return self.p.get("reminders.clock_minutes", hour=shown, minutes=f"{minute:02d}", half=half)

    def describe(self, schedule: ReminderSchedule, today: date | None = None) -> str:
        """ "every day at 7 PM", "on weekdays at 8 AM"; one day is "today at 8 AM" or "tomorrow
        at 8 AM" relative to the person's local `today`, else "on Sunday, November 29 at 8 AM"
        (also when `today` is not known)."""
        time = self.clock(schedule.hour, schedule.minute)
        on = schedule.on
        if on is None:
            return self.p.get(f"reminders.when_{schedule.repeat.value}", time=time)
        if today is not None and on == today:
            return self.p.get("reminders.when_today", time=time)
        if today is not None and on == today + _ONE_DAY:
            return self.p.get("reminders.when_tomorrow", time=time)
        return self.p.get(
            "reminders.when_once",
            weekday=self.p.get("reminders.weekday_names", on.weekday()),
            month=self.p.get("reminders.month_names", on.month - 1),
            day=on.day,
            time=time,
        )

    def offer_question(
        self, schedule: ReminderSchedule, key: str = "reminders.offer", today: date | None = None
    ) -> Turn:
        """ "Would you like a reminder to stretch tomorrow at 7:15 PM, and every day after
        that?": an offered daily reminder starts tomorrow (the person has just stretched)."""
        time = self.clock(schedule.hour, schedule.minute)
        said = self.describe(schedule, today)
        if schedule.repeat is Repeat.DAILY:
            when = self.p.get("reminders.when_offer", time=time)
        else:
            when = said
        turn = self._ask(
            self.p.get(key, when=when),
            reprompt=self.p.get("reminders.offer_reprompt", when=said),
        )
        turn.expects = Expect.SET_REMINDER
        return turn

    def reminder_turn(
        self,
        reply: ReminderReply,
        state: RoutineState | None,
        schedule: ReminderSchedule | None = None,
        today: date | None = None,
    ) -> Turn:
        """The answer `reply` about the reminder with `schedule` (the one set, asked about,
        cancelled or offered), then back to where the person was. `today`: the person's local
        day, for a one-day schedule ("tomorrow at 8 AM"). A turn that offers a reminder expects
        SET_REMINDER: the handler keeps its schedule's token (SessionState.reminder_offer)."""
        if reply in REMINDER_NEEDS_SCHEDULE and schedule is None:
            raise ValueError(f"the reminder reply {reply.value!r} says a schedule")
        if reply not in REMINDER_MAY_SAY_SCHEDULE:
            schedule = None
        if schedule is None or schedule.repeat is not Repeat.ONCE:
            today = None  # only a one-day schedule is said relative to the day
        turn = self._reminder(reply, state, schedule, today)
        # The time first, even in a conversation that opens with "remind me ...": the
        # disclaimer is about exercise advice, and waits for the first stretch.
        turn.answer_first = True
        token = schedule.token() if schedule is not None else None
        turn.replay = Replay(TurnKind.REMINDER, state, ref=reply.value, schedule=token, today=today)
        return turn

    def _reminder(
        self,
        reply: ReminderReply,
        state: RoutineState | None,
        schedule: ReminderSchedule | None,
        today: date | None,
    ) -> Turn:
        p = self.p
        if reply is ReminderReply.ASK_TIME:
            return self._ask(
                p.get("reminders.ask_time"), reprompt=p.get("reminders.ask_time_reprompt")
            )
        if schedule is not None and reply is ReminderReply.OFFER:
            return self.offer_question(schedule, "reminders.offer_after_no", today)
        if schedule is not None and reply is ReminderReply.NONE_SET:
            return self.offer_question(schedule, "reminders.none_set_offer", today)
        when = self.describe(schedule, today) if schedule is not None else ""
        if schedule is not None and reply is ReminderReply.ASK_PERMISSION:
            # Alexa asks its own question next (AskFor): this turn has no reprompt of its own.
            turn = Turn(speech_of(p.get("reminders.ask_permission", when=when)))
            turn.ask_reminder_permission = schedule.token()
            return turn
        keys = _SAID[reply]
        if schedule is not None and reply is ReminderReply.CANCELLED:
            keys = ("reminders.cancelled_schedule",)
        text = " ".join(p.get(key, when=when) for key in keys)
        if reply is ReminderReply.OFFER_DECLINED and _finished(state):
            # The offer came at the end of a finished routine: "no" is goodbye.
            goodbye = speech_of(text, p.get("stop.goodbye"))
            return Turn(goodbye, end_session=True, card=self.session_card(state))
        turn = self._with_follow_up(text, state)
        turn.reminder_permission_card = reply in _SENDS_CARD
        return turn


def _finished(state: RoutineState | None) -> bool:
    return state is not None and state.stage is Stage.FINISHED
