"""A stretch reminder by voice, through the real endpoint with real envelopes: set, change,
cancel, ask about it, Alexa's permission question and its answers, the offer at the end of a
routine, and every failure of the Reminders API answered with the routine left as it was.

Alexa's APIs are a stand-in on 127.0.0.1 (`apiEndpoint`): the Settings API's time zone and the
Reminders API, which keeps the reminders it was sent and can be told to fail."""

from __future__ import annotations

import http.server
import json
import re
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, ClassVar

import pytest
from flask.testing import FlaskClient

from skill.alexa.permissions import REMINDERS_SCOPE
from skill.core.content import load_content
from skill.core.turns import Coach
from skill.store.progress_store import ProgressStore, StoreUnavailable
from tests.builders import RequestBuilder
from tests.conversation import Conversation, Reply

ZONE = "America/Los_Angeles"
# Saturday 28 November 2026, 7:07 PM in Los Angeles.
EVENING = datetime(2026, 11, 29, 3, 7, tzinfo=UTC)
SEATED = ("seated hamstring stretch", "seated")
EVERY_DAY = ("every day", "daily")
WEEKDAYS = ("on weekdays", "weekdays")
USER = "amzn1.ask.account.REMINDERS"


class AlexaApis(http.server.BaseHTTPRequestHandler):
    """The Settings API's time zone, and the Reminders API with its reminders by token."""

    fail: ClassVar[dict[str, int | str]] = {}  # method -> status, or "timeout"
    reminders: ClassVar[dict[str, dict[str, Any]]] = {}
    calls: ClassVar[list[tuple[str, str, dict[str, Any] | None]]] = []
    made = 0

    def do_GET(self) -> None:  # POST, PUT and DELETE too (see below)
        api = type(self)
        if self.path.endswith("/settings/System.timeZone"):
            return self._send(200, ZONE)
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length)) if length else None
        api.calls.append((self.command, self.path, body))
        failure = api.fail.get(self.command)
        if failure == "timeout":
            time.sleep(2.0)
            return None
        if isinstance(failure, int):
            return self._send(failure, {"code": "ERROR", "message": "stand-in failure"})
        token = self.path.rsplit("/", 1)[-1]
        if self.command == "POST":
            api.made += 1
            token = f"alert-{api.made}"
        elif token not in api.reminders:
            return self._send(404, {"code": "NOT_FOUND", "message": "no such reminder"})
        if self.command == "DELETE":
            del api.reminders[token]
            return self._send(200, None)
        api.reminders[token] = body or {}
        return self._send(200, {"alertToken": token, "status": "ON", "version": "1"})

    def _send(self, status: int, answer: Any) -> None:
        data = b"" if answer is None else json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


for _method in ("POST", "PUT", "DELETE"):
    setattr(AlexaApis, f"do_{_method}", AlexaApis.do_GET)


class QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # the skill hangs up on a slow API on purpose


@pytest.fixture
def apis() -> Iterator[type[AlexaApis]]:
    handler = type("Apis", (AlexaApis,), {"fail": {}, "reminders": {}, "calls": []})
    server = QuietServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    handler.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield handler
    finally:
        server.shutdown()
        server.server_close()


class Echo(RequestBuilder):
    """An Echo whose person has (`granted`) or has not given the skill the reminders
    permission, as `context.System.user.permissions` says it."""

    granted = False

    def _context(self) -> dict[str, Any]:
        context = super()._context()
        if self.granted:
            context["System"]["user"]["permissions"] = {
                "consentToken": "consent-token",
                "scopes": {REMINDERS_SCOPE: {"status": "GRANTED"}},
            }
        return context

    def connections_response(
        self, token: str, status: str | None, code: str = "200", **kw: Any
    ) -> dict[str, Any]:
        """Alexa's answer to AskFor (Amazon's voice permissions page)."""
        request: dict[str, Any] = {
            "type": "Connections.Response",
            "name": "AskFor",
            "status": {"code": code, "message": "OK" if code == "200" else "Error"},
            "token": token,
        }
        if status is not None:
            request["payload"] = {
                "permissionScopes": [
                    {"permissionScope": REMINDERS_SCOPE, "consentLevel": "ACCOUNT"}
                ],
                "status": status,
            }
        return self.envelope(request, **kw)


class Person(Conversation):
    """A conversation that can also receive Alexa's answer to the permission question."""

    builder: Echo

    def alexa_answers(self, token: str, status: str | None, code: str = "200") -> Reply:
        self._stamp(None)
        return self.post(self.builder.connections_response(token, status, code, **self._kw()))


def person(client: FlaskClient, apis: type[AlexaApis], granted: bool = True) -> Person:
    echo = Echo(user_id=USER, api_endpoint=apis.url)
    echo.granted = granted
    talk = Person(client, echo, start=EVENING)
    talk.launch()  # the disclaimer, once
    return talk


def store_of(client: FlaskClient) -> ProgressStore:
    return client.application.extensions["progress_store"]


def kept(client: FlaskClient) -> dict[str, Any] | None:
    return store_of(client).get_profile(USER).reminder


def directives(reply: Reply) -> list[dict[str, Any]]:
    return reply.response.get("directives") or []


def check_open(reply: Reply) -> None:
    """An answer that leads back to where the person was: a question, and a reprompt."""
    assert not reply.ended
    assert reply.reprompt
    assert reply.text.rstrip().endswith("?")


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
    again = talk.say("CancelReminderIntent")
    assert again.text.startswith("You don't have a stretch reminder.")
    assert len(apis.calls) == 2  # nothing to delete: no call


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


# --- the offer at the end of a routine ----------------------------------------------------


def finish_seated(talk: Person) -> Reply:
    reply = talk.say("StartStretchIntent", Stretch=SEATED)
    for _ in range(10):
        if "You've finished" in reply.text:
            break
        reply = talk.say("AMAZON.NextIntent")
    assert "how your week is going" in reply.text
    return reply


OFFER = re.compile(r"[Ww]ould you like a reminder to stretch tomorrow at (\d{1,2}(:\d\d)? [AP]M)")


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
    assert kept(client) == {"declined_on": "2026-11-28"}
    talk.wait(3600)  # another routine the same evening: no offer again
    talk.launch()
    finish_seated(talk)
    assert talk.say("AMAZON.NoIntent").ended
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
