"""The offer of a reminder at the end of a routine, and every failure of the Reminders API
answered with the routine left as it was; through the real endpoint with real envelopes, Alexa's
APIs a stand-in on 127.0.0.1 (tests/reminder_device.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient

from skill.alexa.permissions import REMINDERS_SCOPE
from skill.store.progress_store import StoreUnavailable
from tests.reminder_device import (
    EVERY_DAY,
    OFFER,
    SEATED,
    AlexaApis,
    alexa_apis,
    check_open,
    finish_seated,
    kept,
    person,
    store_of,
)


@pytest.fixture
def apis() -> Iterator[type[AlexaApis]]:
    with alexa_apis() as api:
        yield api


# --- the offer at the end of a routine ----------------------------------------------------


def test_the_week_then_the_offer_and_yes(client: FlaskClient, apis: type[AlexaApis]) -> None:
    talk = person(client, apis)
    finish_seated(talk)
    week = talk.say("AMAZON.YesIntent")
    assert week.text.startswith("This week you've stretched on 1 day.")
    found = OFFER.search(week.text)
    assert found, week.text
    assert week.text.rstrip().endswith("and every day after that?")
    check_open(week)
    token = week.attributes["reminder_offer"]
    assert re.fullmatch(r"daily@\d\d:(00|15|30|45)", token)
    reply = talk.say("AMAZON.YesIntent")
    assert reply.text.startswith(f"Okay, I'll remind you to stretch every day at {found[1]}.")
    assert kept(client) == {"alert_token": "alert-1", "schedule": token}


def test_no_to_the_offer_is_remembered(client: FlaskClient, apis: type[AlexaApis]) -> None:
    talk = person(client, apis)
    finish_seated(talk)
    offer = talk.say("AMAZON.NoIntent")
    assert offer.text.startswith("No problem, would you like a reminder to stretch tomorrow at")
    check_open(offer)
    bye = talk.say("AMAZON.NoIntent")
    assert bye.ended
    assert "no reminder" in bye.text
    assert "6 of 6 holds" in str(bye.card)  # the goodbye card, as any goodbye
    assert kept(client) == {"declined_on": "2026-11-28"}
    talk.wait(3600)  # another routine the same evening: no offer again
    talk.launch()
    finish_seated(talk)
    assert talk.say("AMAZON.NoIntent").ended
    assert apis.calls == []


@pytest.mark.parametrize("status", ["DENIED", "NOT_ANSWERED"])
def test_no_permission_for_the_offered_reminder_is_a_no_to_it(
    client: FlaskClient, apis: type[AlexaApis], status: str
) -> None:
    talk = person(client, apis, granted=False)
    finish_seated(talk)
    offer = talk.say("AMAZON.NoIntent")
    token = offer.attributes["reminder_offer"]
    asked = talk.say("AMAZON.YesIntent")  # yes to the offer: the permission is asked for
    assert asked.response["directives"][0]["type"] == "Connections.SendRequest"
    talk.alexa_answers(token, status)
    assert kept(client) == {"declined_on": "2026-11-28"}  # Amazon: no new offer for 7 days
    assert apis.calls == []


def test_the_offer_comes_once_a_session(client: FlaskClient, apis: type[AlexaApis]) -> None:
    talk = person(client, apis)
    talk.say("ReminderStatusIntent")  # the offer, from "when is my reminder?"
    finish_seated(talk)
    week = talk.say("AMAZON.YesIntent")
    assert OFFER.search(week.text) is None


def test_no_offer_when_one_is_set(client: FlaskClient, apis: type[AlexaApis]) -> None:
    talk = person(client, apis)
    talk.say("SetReminderIntent", time="19:00")
    finish_seated(talk)
    assert talk.say("AMAZON.NoIntent").ended


# --- failures: an answer, and the routine as it was ---------------------------------------


@pytest.mark.parametrize(
    ("failure", "said"),
    [
        (401, "It looks like reminders aren't allowed for Hamstring Coach any more."),
        (403, "It looks like reminders aren't allowed for Hamstring Coach any more."),
        (429, "Alexa's reminders are busy right now. Try again in a minute."),
        (500, "I couldn't reach Alexa's reminders just now"),
        (503, "I couldn't reach Alexa's reminders just now"),
        ("timeout", "I couldn't reach Alexa's reminders just now"),
    ],
)
def test_each_failure_mid_routine_is_answered_and_the_routine_goes_on(
    client: FlaskClient, apis: type[AlexaApis], failure: int | str, said: str
) -> None:
    talk = person(client, apis)
    first = talk.say("StartStretchIntent", Stretch=SEATED)
    settled = talk.say("AMAZON.PauseIntent")  # the set's holds counted, the routine paused
    routine = settled.attributes["routine"]
    apis.fail["POST"] = failure
    reply = talk.say("SetReminderIntent", time="19:00")
    assert reply.text.startswith(said)
    check_open(reply)
    assert reply.attributes["routine"] == routine  # the routine as it was
    assert kept(client) is None
    if failure in (401, 403):
        assert reply.card == {"type": "AskForPermissionsConsent", "permissions": [REMINDERS_SCOPE]}
    else:
        assert reply.card is None or reply.card.get("type") != "AskForPermissionsConsent"
    goes_on = talk.say("AMAZON.ResumeIntent")
    assert goes_on.holds, "the routine goes on"
    assert first.holds


def test_asked_mid_hold_the_hold_starts_again(client: FlaskClient, apis: type[AlexaApis]) -> None:
    talk = person(client, apis)
    talk.say("StartStretchIntent", Stretch=SEATED)
    reply = talk.say("SetReminderIntent", at=40, time="19:00", repeat=EVERY_DAY)
    assert reply.text.startswith("Okay, I'll remind you to stretch every day at 7 PM.")
    check_open(reply)
    assert kept(client) == {"alert_token": "alert-1", "schedule": "daily@19:00"}
    assert talk.say("AMAZON.NextIntent").holds, "ready: the routine goes on"


def test_a_failed_cancel_keeps_the_reminder(client: FlaskClient, apis: type[AlexaApis]) -> None:
    talk = person(client, apis)
    talk.say("SetReminderIntent", time="19:00")
    apis.fail["DELETE"] = 503
    reply = talk.say("CancelReminderIntent")
    assert reply.text.startswith("I couldn't reach Alexa's reminders just now")
    assert kept(client) == {"alert_token": "alert-1", "schedule": "daily@19:00"}


def test_no_user_profile_no_reminder(client: FlaskClient, apis: type[AlexaApis]) -> None:
    """With the database down the id could not be kept: no reminder is set."""
    talk = person(client, apis)
    store = store_of(client)
    with pytest.MonkeyPatch.context() as outage:

        def down(*args: object, **kwargs: object) -> None:
            raise StoreUnavailable("get_profile failed (sqlite): database is locked")

        outage.setattr(store, "get_profile", down)
        reply = talk.say("SetReminderIntent", time="19:00")
    assert reply.text.startswith("I can't keep track of a reminder for you just now")
    check_open(reply)
    assert apis.calls == []


def test_skill_disabled_forgets_the_reminder(client: FlaskClient, apis: type[AlexaApis]) -> None:
    talk = person(client, apis)
    talk.say("SetReminderIntent", time="19:00")
    assert kept(client) is not None
    result = client.post("/alexa", json=talk.builder.skill_event("AlexaSkillEvent.SkillDisabled"))
    assert result.status_code == 200
    assert kept(client) is None
