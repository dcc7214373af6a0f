"""A stretch reminder by voice, through the real endpoint with real envelopes: set, change,
cancel and ask about it, and Alexa's permission question and its answers. Alexa's APIs are a
stand-in on 127.0.0.1 (tests/reminder_device.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient

from skill.alexa.permissions import REMINDERS_SCOPE
from skill.core.content import load_content
from skill.core.turns import Coach
from tests.builders import ECHO_SHOW
from tests.reminder_device import (
    EVENING,
    EVERY_DAY,
    USER,
    WEEKDAYS,
    ZONE,
    AlexaApis,
    Echo,
    Person,
    alexa_apis,
    check_open,
    directives,
    kept,
    person,
)


@pytest.fixture
def apis() -> Iterator[type[AlexaApis]]:
    with alexa_apis() as api:
        yield api


# --- set, with the permission -------------------------------------------------------------


def test_remind_me_every_day_at_7pm(client: FlaskClient, apis: type[AlexaApis]) -> None:
    talk = person(client, apis)
    reply = talk.say("SetReminderIntent", time="19:00", repeat=EVERY_DAY)
    assert reply.text.startswith("Okay, I'll remind you to stretch every day at 7 PM.")
    check_open(reply)
    ((method, path, body),) = apis.calls
    assert (method, path) == ("POST", "/v1/alerts/reminders")
    assert body is not None
    assert body["trigger"] == {
        "type": "SCHEDULED_ABSOLUTE",
        "scheduledTime": "2026-11-29T19:00:00",  # 7:07 PM now: tomorrow's is the first
        "timeZoneId": ZONE,
        "recurrence": {
            "startDateTime": "2026-11-29T19:00:00",
            "recurrenceRules": ["FREQ=DAILY;BYHOUR=19;BYMINUTE=0;BYSECOND=0;INTERVAL=1"],
        },
    }
    spoken = body["alertInfo"]["spokenInfo"]["content"][0]
    assert spoken["locale"] == "en-US"
    assert spoken["text"] == Coach(load_content()).reminder_text()  # content: reminders.spoken
    assert spoken["ssml"] == f"<speak>{spoken['text']}</speak>"
    assert body["pushNotification"] == {"status": "ENABLED"}
    assert kept(client) == {"alert_token": "alert-1", "schedule": "daily@19:00"}


def test_set_a_reminder_asks_the_time_and_at_7pm_sets_a_daily_one(
    client: FlaskClient, apis: type[AlexaApis]
) -> None:
    talk = person(client, apis)
    asked = talk.say("SetReminderIntent")
    assert "What time should I remind you" in asked.text
    check_open(asked)
    assert apis.calls == []
    reply = talk.say("SetReminderIntent", time="19:00")
    assert "every day at 7 PM" in reply.text
    assert kept(client) == {"alert_token": "alert-1", "schedule": "daily@19:00"}


def test_weekdays_and_tomorrow_morning(client: FlaskClient, apis: type[AlexaApis]) -> None:
    talk = person(client, apis)
    weekdays = talk.say("SetReminderIntent", time="08:00", repeat=WEEKDAYS)
    assert "on weekdays at 8 AM" in weekdays.text
    rule = apis.calls[-1][2]["trigger"]["recurrence"]["recurrenceRules"]  # type: ignore[index]
    assert rule == ["FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=8;BYMINUTE=0;BYSECOND=0;INTERVAL=1"]
    # One reminder per person: asking again moves it (PUT), it does not add a second.
    once = talk.say("SetReminderIntent", time="MO", date="2026-11-29")
    assert "tomorrow at 8 AM" in once.text
    method, path, body = apis.calls[-1]
    assert (method, path) == ("PUT", "/v1/alerts/reminders/alert-1")
    assert body is not None
    assert body["trigger"] == {
        "type": "SCHEDULED_ABSOLUTE",
        "scheduledTime": "2026-11-29T08:00:00",
        "timeZoneId": ZONE,
    }
    assert list(apis.reminders) == ["alert-1"]


# --- the permission, asked by voice -------------------------------------------------------


def test_without_the_permission_alexa_asks_and_accepted_sets_it(
    client: FlaskClient, apis: type[AlexaApis]
) -> None:
    talk = person(client, apis, granted=False)
    ask = talk.say("SetReminderIntent", time="19:00", repeat=EVERY_DAY)
    assert apis.calls == []  # no call without the permission
    assert "permission" in ask.text
    assert directives(ask) == [
        {
            "type": "Connections.SendRequest",
            "name": "AskFor",
            "payload": {
                "@type": "AskForPermissionsConsentRequest",
                "@version": "2",
                "permissionScopes": [
                    {"permissionScope": REMINDERS_SCOPE, "consentLevel": "ACCOUNT"}
                ],
            },
            "token": "daily@19:00",
        }
    ]
    assert "reprompt" not in ask.response  # Alexa's own question comes next
    assert "shouldEndSession" not in ask.response
    talk.builder.granted = True  # the person said "I approve"
    done = talk.alexa_answers("daily@19:00", "ACCEPTED")
    assert done.text.startswith("Okay, I'll remind you to stretch every day at 7 PM.")
    check_open(done)
    assert [c[0] for c in apis.calls] == ["POST"]
    assert kept(client) == {"alert_token": "alert-1", "schedule": "daily@19:00"}


def test_on_a_screen_the_ask_goes_alone(client: FlaskClient, apis: type[AlexaApis]) -> None:
    """No screen and no APL-A with Alexa's question: the SendRequest is the only directive."""
    echo = Echo(user_id=USER, api_endpoint=apis.url, screen=ECHO_SHOW)
    talk = Person(client, echo, start=EVENING)
    assert any(d["type"] != "Connections.SendRequest" for d in directives(talk.launch()))
    ask = talk.say("SetReminderIntent", time="19:00")
    assert [d["type"] for d in directives(ask)] == ["Connections.SendRequest"]
    assert ask.card is None


@pytest.mark.parametrize(
    ("status", "said"),
    [
        ("DENIED", "You can allow reminders for Hamstring Coach in the Alexa app any time."),
        ("NOT_ANSWERED", "I haven't set a reminder."),
        (None, "I haven't set a reminder."),
    ],
)
def test_the_permission_denied_or_not_answered(
    client: FlaskClient, apis: type[AlexaApis], status: str | None, said: str
) -> None:
    talk = person(client, apis, granted=False)
    talk.say("SetReminderIntent", time="19:00")
    reply = talk.alexa_answers("daily@19:00", status)
    assert said in reply.text
    check_open(reply)
    assert reply.card is None
    assert apis.calls == []
    assert kept(client) is None


def test_no_voice_consent_sends_the_card(client: FlaskClient, apis: type[AlexaApis]) -> None:
    talk = person(client, apis, granted=False)
    talk.say("SetReminderIntent", time="19:00")
    reply = talk.alexa_answers("daily@19:00", None, code="400")
    assert reply.text.startswith("I've sent a card to your Alexa app to allow reminders")
    assert reply.card == {"type": "AskForPermissionsConsent", "permissions": [REMINDERS_SCOPE]}
    check_open(reply)
    assert apis.calls == []


def test_a_bad_token_is_a_short_safe_answer(client: FlaskClient, apis: type[AlexaApis]) -> None:
    talk = person(client, apis)
    reply = talk.alexa_answers("daily@25:99; DROP TABLE", "ACCEPTED")
    assert "I haven't set a reminder." in reply.text
    assert apis.calls == []


# --- change, cancel, ask --------------------------------------------------------------------


def test_change_keeps_the_half_of_the_day_and_the_repeat(
    client: FlaskClient, apis: type[AlexaApis]
) -> None:
    talk = person(client, apis)
    talk.say("SetReminderIntent", time="19:00", repeat=WEEKDAYS)
    reply = talk.say("ChangeReminderIntent", time="08:00")  # "change my reminder to 8"
    assert reply.text.startswith("Okay, your stretch reminder is now on weekdays at 8 PM.")
    method, path, body = apis.calls[-1]
    assert (method, path) == ("PUT", "/v1/alerts/reminders/alert-1")
    assert body is not None
    assert "BYHOUR=20;" in body["trigger"]["recurrence"]["recurrenceRules"][0]
    assert kept(client) == {"alert_token": "alert-1", "schedule": "weekdays@20:00"}


def test_change_with_none_yet_sets_a_daily_one(client: FlaskClient, apis: type[AlexaApis]) -> None:
    talk = person(client, apis)
    reply = talk.say("ChangeReminderIntent", time="08:00")
    assert "every day at 8 AM" in reply.text
    assert kept(client) == {"alert_token": "alert-1", "schedule": "daily@08:00"}


def test_status_cancel_and_none(client: FlaskClient, apis: type[AlexaApis]) -> None:
    talk = person(client, apis)
    talk.say("SetReminderIntent", time="19:00")
    status = talk.say("ReminderStatusIntent")
    assert status.text.startswith("Your stretch reminder is every day at 7 PM.")
    check_open(status)
    cancelled = talk.say("CancelReminderIntent")
    assert cancelled.text.startswith("Okay, I've cancelled your stretch reminder")
    assert apis.calls[-1][:2] == ("DELETE", "/v1/alerts/reminders/alert-1")
    assert apis.reminders == {}
    assert kept(client) is None
    assert [c[0] for c in apis.calls] == ["POST", "GET", "DELETE"]
    again = talk.say("CancelReminderIntent")
    assert again.text.startswith("You don't have a stretch reminder.")
    assert len(apis.calls) == 3  # nothing to delete: no call


def test_status_with_none_offers_one_and_yes_sets_it(
    client: FlaskClient, apis: type[AlexaApis]
) -> None:
    talk = person(client, apis)
    offer = talk.say("ReminderStatusIntent")
    found = re.search(r"You don't have a stretch reminder\. Would you like one (.+)\?", offer.text)
    assert found, offer.text
    check_open(offer)
    reply = talk.say("AMAZON.YesIntent")
    assert reply.text.startswith("Okay, I'll remind you to stretch every day at 7 PM.")
    assert kept(client) == {"alert_token": "alert-1", "schedule": "daily@19:00"}


def test_deleted_elsewhere(client: FlaskClient, apis: type[AlexaApis]) -> None:
    """Deleted in the Alexa app: an update creates a new one; a cancel finds none."""
    talk = person(client, apis)
    talk.say("SetReminderIntent", time="19:00")
    apis.reminders.clear()
    moved = talk.say("ChangeReminderIntent", time="20:00")
    assert "8 PM" in moved.text
    assert [c[0] for c in apis.calls] == ["POST", "PUT", "POST"]
    assert kept(client) == {"alert_token": "alert-2", "schedule": "daily@20:00"}
    apis.reminders.clear()
    gone = talk.say("CancelReminderIntent")
    assert gone.text.startswith("You don't have a stretch reminder.")
    assert kept(client) is None


def test_when_is_my_reminder_after_it_was_deleted_in_the_app(
    client: FlaskClient, apis: type[AlexaApis]
) -> None:
    talk = person(client, apis)
    talk.say("SetReminderIntent", time="19:00")
    apis.reminders.clear()
    reply = talk.say("ReminderStatusIntent")
    assert reply.text.startswith("You don't have a stretch reminder. Would you like one")
    assert kept(client) is None
    apis.fail["GET"] = 503  # a failing check trusts the record
    talk.say("AMAZON.YesIntent")
    assert talk.say("ReminderStatusIntent").text.startswith("Your stretch reminder is every day")


def test_cancel_after_the_permission_was_taken_back(
    client: FlaskClient, apis: type[AlexaApis]
) -> None:
    talk = person(client, apis)
    talk.say("SetReminderIntent", time="19:00")
    talk.builder.granted = False  # turned off in the Alexa app
    reply = talk.say("CancelReminderIntent")
    assert reply.text.startswith("It looks like reminders aren't allowed for Hamstring Coach")
    assert reply.card == {"type": "AskForPermissionsConsent", "permissions": [REMINDERS_SCOPE]}
    assert [c[0] for c in apis.calls] == ["POST"]  # no call without the permission
