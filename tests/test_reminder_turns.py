"""What the coach says about the stretch reminder: every reply short, the time first, a
question and a reprompt while the session stays open, the way back to where the person was,
and "repeat" composing the same turn again from the session state the client sends back."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from flask.testing import FlaskClient

from skill.core.content import load_content
from skill.core.progress import ProgressSummary
from skill.core.reminder_turns import ReminderReply
from skill.core.reminders import (
    REMINDER_MAY_SAY_SCHEDULE,
    REMINDER_NEEDS_SCHEDULE,
    ReminderSchedule,
    Repeat,
)
from skill.core.session_state import SESSION_VERSION, Expect, Replay, SessionState, TurnKind
from skill.core.speech import to_text
from skill.core.turn_base import Turn
from skill.core.turns import Coach
from skill.voice.ssml import to_ssml
from tests.test_answer_lengths import STATES, check_open_turn
from tests.test_session_state import post

CONTENT = load_content()
COACH = Coach(CONTENT)
TODAY = date(2026, 11, 28)  # a Saturday
TOMORROW = date(2026, 11, 29)
DAILY = ReminderSchedule(19, 15)
SCHEDULES = {
    "daily": DAILY,
    "weekdays": ReminderSchedule(8, 0, Repeat.WEEKDAYS),
    "tomorrow": ReminderSchedule(8, 0, Repeat.ONCE, TOMORROW),
    "later": ReminderSchedule(20, 30, Repeat.ONCE, date(2026, 12, 3)),
}
# What each schedule is said as, with TODAY as the person's local day.
SAID = {
    "daily": "every day at 7:15 PM",
    "weekdays": "on weekdays at 8 AM",
    "tomorrow": "tomorrow at 8 AM",
    "later": "on Thursday, December 3 at 8:30 PM",
}


def compose(
    reply: ReminderReply, stage: str, which: str | None = "daily"
) -> tuple[Turn, ReminderSchedule | None]:
    schedule = SCHEDULES[which] if which is not None else None
    if reply not in REMINDER_MAY_SAY_SCHEDULE:
        schedule = None
    return COACH.reminder_turn(reply, STATES[stage], schedule, TODAY), schedule


def first_sentence(turn: Turn) -> str:
    return re.split(r"(?<=[.?!]) ", to_text(turn.speech))[0]


CASES = [
    (reply, stage, which)
    for reply in ReminderReply
    for stage in STATES
    for which in SCHEDULES
    if reply in REMINDER_MAY_SAY_SCHEDULE or which == "daily"
]


@pytest.mark.parametrize(("reply", "stage", "which"), CASES)
def test_every_reply_is_short_and_open_turns_end_with_a_question(
    reply: ReminderReply, stage: str, which: str
) -> None:
    turn, schedule = compose(reply, stage, which)
    assert turn.replay is not None
    assert turn.replay.kind is TurnKind.REMINDER
    assert turn.answer_first  # a one-shot "remind me ..." hears the disclaimer later
    if reply is ReminderReply.ASK_PERMISSION:
        # Alexa asks its own question next: the turn carries the schedule, and no reprompt.
        assert schedule is not None
        assert turn.ask_reminder_permission == schedule.token()
        assert turn.reprompt is None
        return
    assert turn.ask_reminder_permission is None
    if reply is ReminderReply.OFFER_DECLINED and stage == "finished":
        assert turn.end_session  # the offer came at the end: "no" is goodbye
        assert to_text(turn.speech).endswith(CONTENT.phrases.get("stop.goodbye"))
        return
    check_open_turn(turn)


@pytest.mark.parametrize("which", list(SCHEDULES))
@pytest.mark.parametrize(
    "reply",
    [
        ReminderReply.ASK_PERMISSION,
        ReminderReply.SET,
        ReminderReply.UPDATED,
        ReminderReply.STATUS,
        ReminderReply.CANCELLED,
        ReminderReply.OFFER,
    ],
)
def test_the_time_is_said_in_the_first_sentence(reply: ReminderReply, which: str) -> None:
    turn, _ = compose(reply, "running", which)
    said = SAID[which]
    if reply is ReminderReply.OFFER and which == "daily":
        said = "tomorrow at 7:15 PM, and every day after that"  # an offer starts tomorrow
    assert said in first_sentence(turn), to_text(turn.speech)


def test_the_words_of_each_reply() -> None:
    def text(reply: ReminderReply, stage: str = "idle", which: str | None = "daily") -> str:
        return to_text(compose(reply, stage, which)[0].speech)

    assert text(ReminderReply.STATUS).startswith("Your stretch reminder is every day at 7:15 PM.")
    assert text(ReminderReply.SET).startswith("Okay, I'll remind you to stretch every day at")
    assert "cancel my reminder" in text(ReminderReply.SET)  # how to change or cancel it
    assert text(ReminderReply.OFFER).startswith(
        "No problem, would you like a reminder to stretch tomorrow at 7:15 PM, and every day"
    )
    assert text(ReminderReply.NONE_SET).startswith("You don't have a stretch reminder. Would")
    assert text(ReminderReply.NONE_SET, which=None).startswith("You don't have a stretch remi")
    assert "7:15" not in text(ReminderReply.NONE_SET, which=None)
    assert text(ReminderReply.CANCELLED, which=None).startswith("Okay, I've cancelled your")
    assert text(ReminderReply.DENIED).startswith(
        "Okay, no reminder. You can allow reminders for Hamstring Coach in the Alexa app any time."
    )
    assert text(ReminderReply.BUSY).startswith(
        "Alexa's reminders are busy right now. Try again in a minute."
    )
    assert text(ReminderReply.REVOKED).startswith(
        "It looks like reminders aren't allowed for Hamstring Coach any more."
    )
    assert "couldn't reach Alexa's reminders" in text(ReminderReply.UNREACHABLE)
    assert text(ReminderReply.ASK_TIME) == (
        "What time should I remind you to stretch, for example at 7 PM?"
    )


@pytest.mark.parametrize("stage", list(STATES))
def test_each_reply_leads_back_to_where_the_person_was(stage: str) -> None:
    question, reprompt = COACH.follow_up(STATES[stage])
    for reply in (ReminderReply.SET, ReminderReply.BUSY, ReminderReply.NO_PROFILE):
        turn, _ = compose(reply, stage)
        assert to_text(turn.speech).endswith(question)
        assert turn.reprompt is not None
        assert to_text(turn.reprompt) == reprompt
        assert turn.expects is (Expect.START_ROUTINE if stage == "idle" else None)


def test_offers_expect_a_yes_to_the_reminder() -> None:
    for reply in (ReminderReply.OFFER, ReminderReply.NONE_SET):
        turn, _ = compose(reply, "finished")
        assert turn.expects is Expect.SET_REMINDER
        assert turn.reprompt is not None
        assert "every day at 7:15 PM" in to_text(turn.reprompt)
    summary = ProgressSummary(days_this_week=3, streak_days=2, total_sessions=4, total_holds=9)
    turn = COACH.progress_turn(summary, STATES["finished"], DAILY)
    assert turn.expects is Expect.SET_REMINDER
    text = to_text(turn.speech)
    assert text.startswith(COACH.progress_summary(summary))  # the week first, as asked
    assert text.endswith("and every day after that?")
    assert CONTENT.phrases.get("follow_up.finished") not in text  # instead of the usual one
    check_open_turn(turn)
    plain = COACH.progress_turn(summary, STATES["finished"])
    assert plain.expects is None
    assert to_text(plain.speech).endswith(CONTENT.phrases.get("follow_up.finished"))


def test_only_the_permission_replies_send_the_card() -> None:
    for reply in ReminderReply:
        turn, _ = compose(reply, "running")
        sends = reply in (ReminderReply.CARD_SENT, ReminderReply.REVOKED)
        assert turn.reminder_permission_card is sends, reply


@pytest.mark.parametrize("reply", sorted(REMINDER_NEEDS_SCHEDULE))
def test_a_reply_that_says_a_schedule_needs_one(reply: ReminderReply) -> None:
    with pytest.raises(ValueError, match="says a schedule"):
        COACH.reminder_turn(reply, None)


def test_how_schedules_are_said() -> None:
    for which, said in SAID.items():
        assert COACH.describe(SCHEDULES[which], TODAY) == said
    tomorrow = SCHEDULES["tomorrow"]
    assert COACH.describe(tomorrow, TOMORROW) == "today at 8 AM"
    assert COACH.describe(tomorrow) == "on Sunday, November 29 at 8 AM"  # no day known
    assert COACH.describe(tomorrow, date(2026, 11, 20)) == "on Sunday, November 29 at 8 AM"
    assert COACH.describe(ReminderSchedule(19, 0)) == "every day at 7 PM"
    assert COACH.clock(0, 0) == "12 AM"
    assert COACH.clock(12, 0) == "12 PM"
    assert COACH.clock(12, 5) == "12:05 PM"
    assert COACH.clock(9, 45) == "9:45 AM"


def test_the_reminder_speaks_the_skills_short_words() -> None:
    text = COACH.reminder_text()
    assert text == CONTENT.phrases.get("reminders.spoken")
    assert "stretch" in text
    assert len(text) <= 40  # Amazon: labels short ("about 25 characters" show on a small screen)
    assert "Hamstring Coach" not in text  # Amazon: no skill name in the label


# --- "repeat" --------------------------------------------------------------------------------


def round_trip(turn: Turn, stage: str) -> Replay:
    """The turn's recipe as the client sends it back, read as the skill reads it."""
    state = SessionState(routine=STATES[stage], expects=turn.expects, last=turn.replay)
    if turn.expects is Expect.SET_REMINDER:
        state = SessionState(
            routine=STATES[stage],
            expects=turn.expects,
            last=turn.replay,
            reminder_offer=turn.replay.schedule if turn.replay else None,
        )
    data = json.loads(json.dumps(state.to_dict()))
    back = SessionState.from_dict(data, CONTENT)
    assert back == state
    assert back.last is not None
    return back.last


@pytest.mark.parametrize(("reply", "stage", "which"), CASES)
def test_repeat_composes_the_same_turn_again(reply: ReminderReply, stage: str, which: str) -> None:
    turn, _ = compose(reply, stage, which)
    again = COACH.replay(round_trip(turn, stage))
    assert to_ssml(again.speech) == to_ssml(turn.speech)
    assert again.reprompt == turn.reprompt
    assert again.expects == turn.expects
    assert again.end_session == turn.end_session
    assert again.ask_reminder_permission == turn.ask_reminder_permission
    assert again.reminder_permission_card == turn.reminder_permission_card
    assert again.replay == turn.replay


@pytest.mark.parametrize("stage", list(STATES))
def test_repeat_says_the_offer_after_the_week_again(stage: str) -> None:
    summary = ProgressSummary(days_this_week=1, streak_days=1, total_sessions=1, total_holds=6)
    turn = COACH.progress_turn(summary, STATES[stage], DAILY)
    again = COACH.replay(round_trip(turn, stage))
    assert to_ssml(again.speech) == to_ssml(turn.speech)
    assert again.reprompt == turn.reprompt
    assert again.expects is Expect.SET_REMINDER


def test_the_offer_kept_for_yes_is_a_schedule_or_nothing() -> None:
    data = {"v": SESSION_VERSION, "expects": "set_reminder", "reminder_offer": "daily@19:15"}
    assert SessionState.from_dict(data, CONTENT).reminder_offer == "daily@19:15"
    for forged in ("daily@19:15; DROP", "<speak>hi</speak>", 1915, ["daily@19:15"], None):
        state = SessionState.from_dict(data | {"reminder_offer": forged}, CONTENT)
        assert state.reminder_offer is None
        assert state.expects is Expect.SET_REMINDER  # the rest is kept


@pytest.mark.parametrize(
    "last",
    [
        {"kind": "reminder", "ref": "set"},  # a set reminder says its schedule
        {"kind": "reminder", "ref": "status", "schedule": "<speak>FORGED</speak>"},
        {"kind": "reminder", "ref": "cancelled", "schedule": "daily@25:00"},
        {"kind": "reminder", "ref": "FORGED"},
        {"kind": "reminder"},
        {"kind": "progress", "schedule": "FORGED"},
    ],
)
def test_a_forged_reminder_recipe_is_no_recipe(last: dict[str, object]) -> None:
    assert Replay.from_dict(last, CONTENT) is None


def test_a_recipe_keeps_only_what_its_reply_says() -> None:
    busy = Replay.from_dict({"kind": "reminder", "ref": "busy", "schedule": "x"}, CONTENT)
    assert busy == Replay(TurnKind.REMINDER, ref="busy")
    daily = {"kind": "reminder", "ref": "set", "schedule": "daily@19:00", "today": "2026-11-28"}
    assert Replay.from_dict(daily, CONTENT) == Replay(
        TurnKind.REMINDER, ref="set", schedule="daily@19:00"
    )  # a day only goes with a one-day schedule
    once = daily | {"schedule": "once@2026-11-29T08:00", "today": "yesterday"}
    stored = Replay.from_dict(once, CONTENT)
    assert stored is not None
    assert stored.today is None  # a bad day is dropped: the date is said in full


def test_repeat_through_the_skill_says_the_reminder_again(client: FlaskClient) -> None:
    """The skill's own "repeat" handler, given a reminder recipe in the session attributes."""
    last = {"kind": "reminder", "ref": "status", "schedule": "weekdays@08:00"}
    reply = post(client, {"v": SESSION_VERSION, "last": last})
    assert reply.text.startswith("Your stretch reminder is on weekdays at 8 AM.")
    assert reply.text.endswith(CONTENT.phrases.get("follow_up.idle"))
    assert reply.reprompt
    assert reply.attributes["last"] == last
    forged = post(client, {"v": SESSION_VERSION, "last": last | {"schedule": "<b>FORGED</b>"}})
    assert "FORGED" not in forged.ssml
    assert CONTENT.phrases.get("navigation.nothing_to_repeat") in forged.text
