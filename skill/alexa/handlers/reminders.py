"""The stretch reminder by voice: set, say, change, cancel, the offer, and Alexa's answer to
the permission request. Asked any time, mid-routine included; every answer ends with the
way back to where the person was (the coach's reminder turns), and nothing here touches the
routine or the progress.

One reminder per person: the profile keeps its alert token (ReminderRecord), so setting one
when one exists updates it. Without the reminders permission the skill does not call the API:
Alexa asks for it (Connections.SendRequest AskFor, token = the schedule's token) and answers
with a Connections.Response, which sets the reminder the token names.
"""

from __future__ import annotations

from dataclasses import replace

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_request_type
from ask_sdk_model import Response

from skill.alexa.handlers.base import CoachHandler, Conversation, slot_value
from skill.alexa.permissions import (
    ACCEPTED,
    ASK_FOR,
    DENIED,
    consent_status,
    has_reminders_permission,
)
from skill.alexa.reminders_api import (
    ReminderOutcome,
    delete_reminder,
    find_reminder,
    save_reminder,
)
from skill.core.reminders import (
    ReminderRecord,
    ReminderReply,
    ReminderSchedule,
    Repeat,
    offer_due,
    offer_schedule,
    schedule_from_slots,
    with_new_time,
)
from skill.core.session_state import Expect

# What each failed call says (OK and GONE are handled where they happen).
FAILED = {
    ReminderOutcome.REVOKED: ReminderReply.REVOKED,
    ReminderOutcome.BUSY: ReminderReply.BUSY,
    ReminderOutcome.UNREACHABLE: ReminderReply.UNREACHABLE,
}


def reminder_record(conv: Conversation) -> ReminderRecord | None:
    """The person's reminder record; None when it cannot be kept (no user id, or the store
    cannot be read): then no reminder is set, as its id would be lost."""
    if conv.memory.user_id is None:
        return None
    stored = conv.memory.profile.reminder  # a failed read sets `available` false
    return ReminderRecord.from_dict(stored) if conv.memory.available else None


def keep(conv: Conversation, record: ReminderRecord) -> None:
    conv.memory.update(reminder=record.to_dict())


def current_schedule(record: ReminderRecord | None) -> ReminderSchedule | None:
    """The schedule of the reminder Alexa holds for the person, if any."""
    return record.schedule if record is not None and record.alert_token else None


def forget_reminder(conv: Conversation, record: ReminderRecord) -> None:
    """The reminder is gone (cancelled, or deleted in the Alexa app); a "no" stays on record."""
    keep(conv, replace(record, alert_token=None, schedule=None))


def answer(
    conv: Conversation, reply: ReminderReply, schedule: ReminderSchedule | None = None
) -> Response:
    """The coach's reminder turn; an offer keeps the schedule offered, for the "yes"."""
    today = conv.memory.today() if schedule is not None and schedule.on is not None else None
    turn = conv.coach.reminder_turn(reply, conv.routine, schedule, today)
    if turn.expects is Expect.SET_REMINDER and schedule is not None:
        conv.change(reminder_offer=schedule.token())
    return conv.reply(turn)


def set_reminder(conv: Conversation, schedule: ReminderSchedule, granted: bool = False) -> Response:
    """Create the person's reminder, or move the one they have to `schedule`. `granted`: Alexa
    just said the permission was given (the request may not carry it yet)."""
    record = reminder_record(conv)
    if record is None:
        return answer(conv, ReminderReply.NO_PROFILE)
    if not (granted or has_reminders_permission(conv.handler_input)):
        return answer(conv, ReminderReply.ASK_PERMISSION, schedule)
    alert = record.alert_token
    current = record.schedule
    if alert is not None and current is not None and not current.rings_after(conv.local_now()):
        alert = None  # a one-day reminder that has rung: Amazon asks for a new one, not a reuse
    outcome, token = save_reminder(
        conv.handler_input, schedule, conv.coach.reminder_text(), conv.zone_name, alert
    )
    if outcome is not ReminderOutcome.OK or token is None:
        return answer(conv, FAILED.get(outcome, ReminderReply.UNREACHABLE))
    keep(conv, replace(record, alert_token=token, schedule=schedule))
    reply = ReminderReply.UPDATED if alert is not None else ReminderReply.SET
    return answer(conv, reply, schedule)


def offer_if_due(conv: Conversation) -> ReminderSchedule | None:
    """The reminder to offer at the end of a finished routine, or None: once a session, only
    when the store can keep it, the person has none, and has not said no lately."""
    if conv.state.reminder_offer is not None:
        return None
    record = reminder_record(conv)
    if record is None:
        return None
    pause = conv.coach.content.routine.offer_pause_days
    if not offer_due(record, conv.memory.today(), pause):
        return None
    return offer_schedule(conv.local_now())


def accept_offer(conv: Conversation) -> Response | None:
    """ "Yes" to the reminder offered; None when no offer is on record."""
    schedule = ReminderSchedule.from_token(conv.state.reminder_offer)
    return None if schedule is None else set_reminder(conv, schedule)


def decline_offer(conv: Conversation) -> Response:
    """ "No" to the reminder offered: no offer again for a while (Amazon asks for 7 days)."""
    record = reminder_record(conv)
    if record is not None:
        keep(conv, replace(record, declined_on=conv.memory.today()))
    return answer(conv, ReminderReply.OFFER_DECLINED)


class SetReminderIntentHandler(CoachHandler):
    """ "Remind me to stretch every day at 7 PM" / "on weekdays at 8" / "tomorrow morning";
    no time said: the coach asks for one, and "at 7 PM" comes back here with the time only."""

    intents = ("SetReminderIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        conv = self.conversation(handler_input)
        record = reminder_record(conv)
        current = current_schedule(record)
        repeat_id, _ = slot_value(handler_input, "repeat")
        schedule = schedule_from_slots(
            slot_value(handler_input, "time")[1],
            slot_value(handler_input, "date")[1],
            repeat_id,
            conv.local_now(),
            current,
        )
        if schedule is None:
            return answer(conv, ReminderReply.ASK_TIME)
        return set_reminder(conv, schedule)


class ReminderStatusIntentHandler(CoachHandler):
    """ "When is my reminder?" — or, with none, the offer of one (daily at this time)."""

    intents = ("ReminderStatusIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        conv = self.conversation(handler_input)
        record = reminder_record(conv)
        if record is None:
            return answer(conv, ReminderReply.NO_PROFILE)
        schedule = record.schedule if record.alert_token is not None else None
        rings = schedule is not None and schedule.rings_after(conv.local_now())
        if rings and not gone_elsewhere(conv, record):
            return answer(conv, ReminderReply.STATUS, schedule)
        return answer(conv, ReminderReply.NONE_SET, offer_schedule(conv.local_now()))


def gone_elsewhere(conv: Conversation, record: ReminderRecord) -> bool:
    """Whether Alexa no longer has the reminder the record names (the person deleted it in
    the Alexa app); then the record forgets it. Any other failure trusts the record: the
    answer is about what we set, and one API call more must not cost the person an answer."""
    if record.alert_token is None or not has_reminders_permission(conv.handler_input):
        return False
    if find_reminder(conv.handler_input, record.alert_token) is not ReminderOutcome.GONE:
        return False
    forget_reminder(conv, record)
    return True


class ChangeReminderIntentHandler(CoachHandler):
    """ "Change my reminder to 8": the same repeat at the new time (an hour without AM/PM
    keeps the half of the day); with no reminder yet, a daily one at that time."""

    intents = ("ChangeReminderIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        conv = self.conversation(handler_input)
        said = slot_value(handler_input, "time")[1]
        record = reminder_record(conv)
        current = current_schedule(record)
        schedule = None
        if said and current is not None:
            schedule = with_new_time(current, said)
        elif said:
            schedule = schedule_from_slots(said, None, Repeat.DAILY.value, conv.local_now())
        if schedule is None:
            return answer(conv, ReminderReply.ASK_TIME)
        return set_reminder(conv, schedule)


class CancelReminderIntentHandler(CoachHandler):
    """ "Cancel my reminder" / "stop reminding me"."""

    intents = ("CancelReminderIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        conv = self.conversation(handler_input)
        record = reminder_record(conv)
        if record is None:
            return answer(conv, ReminderReply.NO_PROFILE)
        if record.alert_token is None:
            return answer(conv, ReminderReply.NONE_SET)
        if not has_reminders_permission(handler_input):  # taken back in the Alexa app
            return answer(conv, ReminderReply.REVOKED)
        outcome = delete_reminder(handler_input, record.alert_token)
        if outcome not in (ReminderOutcome.OK, ReminderOutcome.GONE):
            return answer(conv, FAILED[outcome])
        forget_reminder(conv, record)
        if outcome is ReminderOutcome.GONE:  # deleted elsewhere already
            return answer(conv, ReminderReply.NONE_SET)
        return answer(conv, ReminderReply.CANCELLED, record.schedule)


class PermissionResponseHandler(CoachHandler):
    """Alexa's answer to AskFor: ACCEPTED sets the reminder the token names; DENIED and
    NOT_ANSWERED say so; a status code other than 200 (no voice consent on this device, or
    Alexa could not ask) sends the permission card instead."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        request = handler_input.request_envelope.request
        return is_request_type("Connections.Response")(handler_input) and (
            getattr(request, "name", None) == ASK_FOR
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        conv = self.conversation(handler_input)
        request = handler_input.request_envelope.request
        status = getattr(request, "status", None)
        if str(getattr(status, "code", "")) != "200":
            return answer(conv, ReminderReply.CARD_SENT)
        said = consent_status(getattr(request, "payload", None))
        token = getattr(request, "token", None)
        schedule = ReminderSchedule.from_token(token)
        if said != ACCEPTED and token is not None and token == conv.state.reminder_offer:
            # The reminder was the skill's offer: no permission is a "no" to it, and Amazon
            # asks for 7 days before the next offer.
            record = reminder_record(conv)
            if record is not None:
                keep(conv, replace(record, declined_on=conv.memory.today()))
        if said == DENIED:
            return answer(conv, ReminderReply.DENIED)
        if said != ACCEPTED or schedule is None:
            return answer(conv, ReminderReply.NOT_ANSWERED)
        return set_reminder(conv, schedule, granted=True)
