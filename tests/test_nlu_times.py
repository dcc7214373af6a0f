"""Times and dates as Alexa fills AMAZON.TIME and AMAZON.DATE, and the reminder intents (issue 20).

The values follow Amazon's slot type reference ("two p m" -> "14:00", "tomorrow" -> an ISO
date on or after today); parts of the day are the codes MO, AF, EV, NI.
"""

from __future__ import annotations

from datetime import date

import pytest

from skill.simulator.nlu import FALLBACK, Recognizer, SlotValue, normalize, parse_date, parse_time
from tests.nlu_fixture import MODEL, SKILL_ID

SATURDAY = date(2026, 11, 28)


@pytest.fixture(scope="module")
def recognizer() -> Recognizer:
    return Recognizer(MODEL, skill_id=SKILL_ID, today=SATURDAY)


@pytest.mark.parametrize(
    ("said", "value"),
    [
        ("7 pm", "19:00"),
        ("seven thirty p m", "19:30"),
        ("7:30 p.m.", "19:30"),
        ("two p m", "14:00"),  # Amazon's own example
        ("four in the morning", "04:00"),  # and its other one
        ("8", "08:00"),  # no am or pm: as said (the skill picks the half of the day)
        ("19", "19:00"),
        ("nineteen thirty", "19:30"),
        ("seven oh five", "07:05"),
        ("7:05", "07:05"),
        ("eight o'clock", "08:00"),
        ("seven fifteen in the evening", "19:15"),
        ("7 tonight", "19:00"),
        ("half past seven pm", "19:30"),
        ("quarter to 8", "07:45"),
        ("noon", "12:00"),
        ("midnight", "00:00"),
        ("12 am", "00:00"),
        ("12 pm", "12:00"),
        ("twelve at night", "00:00"),
        ("morning", "MO"),
        ("this morning", "MO"),
        ("afternoon", "AF"),
        ("evening", "EV"),
        ("in the evening", "EV"),
        ("tonight", "NI"),
        ("night", "NI"),
    ],
)
def test_parse_time(said: str, value: str) -> None:
    assert parse_time(normalize(said)) == value


@pytest.mark.parametrize(
    "said",
    ["30", "forty five", "24", "2400", "13 pm", "0 am", "seven sixty", "a minute", "tomorrow", ""],
)
def test_not_a_time(said: str) -> None:
    assert parse_time(normalize(said)) is None


@pytest.mark.parametrize(
    ("said", "value"),
    [
        ("today", "2026-11-28"),
        ("tomorrow", "2026-11-29"),
        ("the day after tomorrow", "2026-11-30"),
        ("monday", "2026-11-30"),
        ("on sunday", "2026-11-29"),
        ("next friday", "2026-12-04"),
        ("saturday", "2026-12-05"),  # the next such day, not today
    ],
)
def test_parse_date(said: str, value: str) -> None:
    assert parse_date(said, SATURDAY) == value


@pytest.mark.parametrize("said", ["tonight", "next week", "friday week", "7 pm", "someday"])
def test_not_a_date(said: str) -> None:
    assert parse_date(said, SATURDAY) is None


def _values(rec_slots: dict[str, SlotValue]) -> dict[str, str]:
    return {k: v.resolved_id or v.value for k, v in rec_slots.items() if v.value is not None}


@pytest.mark.parametrize(
    ("said", "intent", "slots"),
    [
        ("remind me to stretch every day at 7 pm", "SetReminderIntent",
         {"time": "19:00", "repeat": "daily"}),
        ("remind me tomorrow morning", "SetReminderIntent",
         {"date": "2026-11-29", "time": "MO"}),
        ("remind me on weekdays at 8", "SetReminderIntent",
         {"time": "08:00", "repeat": "weekdays"}),
        ("remind me monday to friday at seven thirty", "SetReminderIntent",
         {"time": "07:30", "repeat": "weekdays"}),
        ("remind me on monday at noon", "SetReminderIntent",
         {"date": "2026-11-30", "time": "12:00"}),
        ("set a reminder", "SetReminderIntent", {}),
        ("remind me to stretch", "SetReminderIntent", {}),
        ("at 7 pm", "SetReminderIntent", {"time": "19:00"}),  # the answer to "what time?"
        ("when is my reminder", "ReminderStatusIntent", {}),
        ("do i have a reminder", "ReminderStatusIntent", {}),
        ("change my reminder to 8", "ChangeReminderIntent", {"time": "08:00"}),
        ("move my reminder to seven thirty p m", "ChangeReminderIntent", {"time": "19:30"}),
        ("cancel my reminder", "CancelReminderIntent", {}),
        ("stop reminding me", "CancelReminderIntent", {}),
        ("delete my stretch reminder", "CancelReminderIntent", {}),
    ],
)  # fmt: skip
def test_reminder_samples_fill_times_dates_and_repeats(
    recognizer: Recognizer, said: str, intent: str, slots: dict[str, str]
) -> None:
    rec = recognizer.recognize(said)
    assert (rec.intent, _values(rec.slots)) == (intent, slots)
    assert rec.method == "exact"
    assert recognizer.recognize(said, strict=True).intent == intent  # what Alexa guarantees


@pytest.mark.parametrize(
    ("said", "intent"),
    [
        ("stop", "AMAZON.StopIntent"),
        ("cancel", "AMAZON.CancelIntent"),
        ("remind me how to do the stretch", "HowToIntent"),
        ("remind me how to do it", "HowToIntent"),
        ("remind me how to breathe", "BreathingIntent"),
        ("delete my data", "PrivacyIntent"),
        ("every day", "HowOftenIntent"),
        ("hold for 20 seconds", "SetHoldLengthIntent"),
        ("i can't stop peeing", "RedFlagIntent"),
        ("what time is it", FALLBACK),
        ("i'd like a reminder to stretch", "SetReminderIntent"),  # a tie never starts a routine
    ],
)
def test_reminder_words_leave_other_intents_alone(
    recognizer: Recognizer, said: str, intent: str
) -> None:
    assert recognizer.recognize(said).intent == intent


def test_time_slot_is_sent_like_alexa(recognizer: Recognizer) -> None:
    rec = recognizer.recognize("remind me at 7 pm")
    assert rec.slots["time"].to_alexa() == {
        "name": "time",
        "value": "19:00",
        "confirmationStatus": "NONE",
        "source": "USER",
    }  # a built-in type: no resolutions
    assert rec.slots["date"].to_alexa() == {"name": "date", "confirmationStatus": "NONE"}
    assert rec.slots["repeat"].to_alexa() == {"name": "repeat", "confirmationStatus": "NONE"}


def test_repeat_is_resolved_against_the_custom_type(recognizer: Recognizer) -> None:
    slot = recognizer.recognize("remind me every weekday at 8").slots["repeat"]
    assert slot.value == "every weekday"
    assert slot.resolution == {
        "resolutionsPerAuthority": [
            {
                "authority": f"amzn1.er-authority.echo-sdk.{SKILL_ID}.REMINDER_REPEAT",
                "status": {"code": "ER_SUCCESS_MATCH"},
                "values": [{"value": {"name": "on weekdays", "id": "weekdays"}}],
            }
        ]
    }


def test_tomorrow_counts_from_the_day_the_recognizer_is_given() -> None:
    clock = {"today": date(2026, 12, 31)}
    moving = Recognizer(MODEL, today=lambda: clock["today"])  # a device across midnight
    assert moving.recognize("remind me tomorrow").slots["date"].value == "2027-01-01"
    clock["today"] = date(2027, 1, 1)
    assert moving.recognize("remind me tomorrow").slots["date"].value == "2027-01-02"


def test_a_dated_recognizer_shares_the_samples(recognizer: Recognizer) -> None:
    """A device passes its own local date without building a recognizer again."""
    newer = recognizer.dated(date(2027, 1, 1))
    assert newer.recognize("remind me tomorrow").slots["date"].value == "2027-01-02"
    assert recognizer.recognize("remind me tomorrow").slots["date"].value == "2026-11-29"
    assert newer._compiled is recognizer._compiled


def test_today_defaults_to_the_machines_date() -> None:
    rec = Recognizer(MODEL).recognize("remind me today at 7 pm")
    assert rec.slots["date"].value == date.today().isoformat()


@pytest.mark.parametrize(
    ("said", "intent", "slots"),
    [
        ("uh can you remind me to do my stretches at like 7 tonight", "SetReminderIntent",
         {"time": "19:00"}),
        ("could you remind me every morning at 8", "SetReminderIntent",
         {"time": "08:00", "repeat": "mornings"}),  # "every morning" is a repeat, not a time
        ("push the reminder back to 8 30", "ChangeReminderIntent", {"time": "08:30"}),
    ],
)  # fmt: skip
def test_fuzzy_matching_reads_times_as_one_token(
    recognizer: Recognizer, said: str, intent: str, slots: dict[str, str]
) -> None:
    rec = recognizer.recognize(said)
    assert (rec.intent, _values(rec.slots), rec.method) == (intent, slots, "fuzzy")


def test_an_unparsable_time_is_no_exact_match(recognizer: Recognizer) -> None:
    """ "change my reminder to forty five" has no time in it: never a slot value of "?"."""
    rec = recognizer.recognize("change my reminder to forty five")
    assert rec.method != "exact"
    assert all(v.value != "?" for v in rec.slots.values())


def test_the_model_declares_the_reminder_slots_the_skill_reads() -> None:
    slots = {i.name: {s.name: s.type for s in i.slots} for i in MODEL.intents}
    assert slots["SetReminderIntent"] == {
        "time": "AMAZON.TIME",
        "date": "AMAZON.DATE",
        "repeat": "REMINDER_REPEAT",
    }
    assert slots["ChangeReminderIntent"] == {"time": "AMAZON.TIME"}
    assert slots["ReminderStatusIntent"] == slots["CancelReminderIntent"] == {}
    repeat = {v.id: {v.value, *v.synonyms} for v in MODEL.types["REMINDER_REPEAT"].values}
    # the skill reads each id (skill.core.reminders): mornings and evenings are every day
    assert set(repeat) == {"daily", "weekdays", "mornings", "evenings"}
    assert {"every day", "each day", "daily"} <= repeat["daily"]
    assert {"every morning", "each morning"} <= repeat["mornings"]
    assert {"every night", "every evening", "nightly"} <= repeat["evenings"]
    assert {
        "weekdays", "every weekday", "on weekdays", "monday to friday", "workdays"
    } <= repeat["weekdays"]  # fmt: skip
