"""The Reminders API stand-in over HTTP, and Alexa's permission round trip on the device.

The stand-in is what the skill calls in `chat`: it must refuse what Amazon refuses (each rule
broken alone gets 400 and a reason), answer what Amazon answers (ask-sdk-model's client reads
it), and fail on demand. The device part drives a scripted skill (a fake transport) through
AskFor -> Alexa's prompt -> the person's answer -> Connections.Response, and checks the request
deserializes with ask-sdk-model as the skill's would.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from ask_sdk_core.serialize import DefaultSerializer

from skill.simulator.reminders_api import (
    PATH,
    Permission,
    RemindersApi,
)
from skill.simulator.settings_api import SettingsApi

TOKEN = "simulator-token"
TEXT = "Time for your hamstring stretches. Say, Alexa, open Hamstring Coach."
DAILY = {
    "requestTime": "2026-11-28T19:04:00.672",
    "trigger": {
        "type": "SCHEDULED_ABSOLUTE",
        "scheduledTime": "2026-11-29T19:00:00.000",
        "timeZoneId": "America/New_York",
        "recurrence": {
            "startDateTime": "2026-11-29T19:00:00.000",
            "recurrenceRules": ["FREQ=DAILY;BYHOUR=19;BYMINUTE=0;BYSECOND=0;INTERVAL=1"],
        },
    },
    "alertInfo": {"spokenInfo": {"content": [{"locale": "en-US", "text": TEXT}]}},
    "pushNotification": {"status": "ENABLED"},
}
serializer = DefaultSerializer()


@pytest.fixture
def stand_in() -> Iterator[tuple[SettingsApi, RemindersApi]]:
    reminders = RemindersApi(permission=Permission.GRANTED, timeout_sleep_s=0.5)
    reminders.register(TOKEN)
    with SettingsApi(time_zone="America/New_York", reminders=reminders) as server:
        yield server, reminders


Call = Callable[..., requests.Response]


@pytest.fixture
def call(stand_in: tuple[SettingsApi, RemindersApi]) -> Iterator[Call]:
    server, _ = stand_in
    session = requests.Session()

    def send(
        method: str,
        path: str = PATH,
        body: Any = None,
        token: str | None = TOKEN,
        **headers: str,
    ) -> requests.Response:
        sent = {"Content-Type": "application/json", **headers}
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        data = json.dumps(body) if body is not None else None
        return session.request(method, server.url + path, data=data, headers=sent, timeout=5)

    yield send
    session.close()


def _error(answer: requests.Response, status: int) -> dict[str, str]:
    """Amazon's error body: {"code", "message"}."""
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert set(body) == {"code", "message"}
    assert body["code"]
    assert body["message"]
    return body


# --- the lifecycle --------------------------------------------------------------------------


def test_a_reminder_is_created_read_updated_listed_and_deleted(
    call: Call, stand_in: tuple[SettingsApi, RemindersApi]
) -> None:
    _, api = stand_in
    created = call("POST", body=DAILY)
    assert created.status_code == 200, created.text
    body = created.json()
    assert set(body) == {"alertToken", "createdTime", "updatedTime", "status", "version", "href"}
    assert body["status"] == "ON"
    assert body["version"] == "1"
    assert body["createdTime"].endswith("Z")
    alert = body["alertToken"]
    assert body["href"] == f"{PATH}/{alert}"

    got = call("GET", f"{PATH}/{alert}").json()
    assert got["trigger"] == DAILY["trigger"]
    assert got["alertInfo"] == DAILY["alertInfo"]

    later = copy.deepcopy(DAILY)
    later["trigger"]["recurrence"]["recurrenceRules"] = ["FREQ=DAILY;BYHOUR=20;BYMINUTE=0"]
    updated = call("PUT", f"{PATH}/{alert}", later)
    assert updated.status_code == 200
    assert updated.json()["version"] == "2"
    assert updated.json()["alertToken"] == alert
    assert api.describe() == [
        "every day at 20:00 America/New_York, 'Time for your hamstring stretches...'"
    ]

    listed = call("GET").json()
    assert listed["totalCount"] == "1"
    assert [a["alertToken"] for a in listed["alerts"]] == [alert]

    assert call("DELETE", f"{PATH}/{alert}").status_code == 200
    _error(call("GET", f"{PATH}/{alert}"), 404)
    _error(call("DELETE", f"{PATH}/{alert}"), 404)  # deleted elsewhere: the skill's GONE
    _error(call("PUT", f"{PATH}/{alert}", DAILY), 404)
    assert call("GET").json()["totalCount"] == "0"
    assert api.changes == 3  # create, update, delete: what chat prints after


def test_every_request_is_recorded_with_its_headers_and_body(
    call: Call, stand_in: tuple[SettingsApi, RemindersApi]
) -> None:
    _, api = stand_in
    call("POST", body=DAILY)
    call("GET")
    post, get = api.requests
    assert (post.method, post.path, post.status) == ("POST", PATH, 200)
    assert post.headers["Authorization"] == f"Bearer {TOKEN}"
    assert post.body == DAILY
    assert (get.method, get.body) == ("GET", None)


def test_reminders_are_kept_per_user(
    call: Call, stand_in: tuple[SettingsApi, RemindersApi]
) -> None:
    _, api = stand_in
    api.register("someone-else")
    call("POST", body=DAILY)
    assert call("GET", token="someone-else").json()["totalCount"] == "0"
    assert call("GET").json()["totalCount"] == "1"


def test_the_settings_api_still_answers_on_the_same_server(call: Call) -> None:
    answer = call("GET", "/v2/devices/dev/settings/System.timeZone")
    assert answer.json() == "America/New_York"


# --- the bearer token -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("token", "extra"),
    [(None, {}), ("not-the-envelopes-token", {}), (None, {"Authorization": f"Basic {TOKEN}"})],
)
def test_a_request_without_the_envelopes_bearer_token_is_refused(
    call: Call, token: str | None, extra: dict[str, str]
) -> None:
    _error(call("POST", body=DAILY, token=token, **extra), 401)


# --- Amazon's schema: each rule broken alone ----------------------------------------------------


def _without(path: str) -> Callable[[dict[str, Any]], None]:
    *parents, last = path.split(".")

    def change(body: dict[str, Any]) -> None:
        for key in parents:
            body = body[key]
        del body[last]

    return change


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    *parents, last = path.split(".")

    def change(body: dict[str, Any]) -> None:
        for key in parents:
            body = body[key]
        body[last] = value

    return change


BROKEN = {
    "no requestTime": (_without("requestTime"), "INVALID_REQUEST_TIME"),
    "requestTime not ISO": (_set("requestTime", "yesterday"), "INVALID_REQUEST_TIME"),
    "no trigger": (_without("trigger"), "INVALID_TRIGGER"),
    "unknown trigger type": (_set("trigger.type", "SCHEDULED_SOMETIME"), "INVALID_TRIGGER_TYPE"),
    "no scheduledTime": (
        _without("trigger.scheduledTime"),
        "INVALID_TRIGGER_SCHEDULED_TIME_FORMAT",
    ),
    "scheduledTime in UTC": (
        _set("trigger.scheduledTime", "2026-11-29T19:00:00Z"),
        "INVALID_TRIGGER_SCHEDULED_TIME_FORMAT",
    ),
    "scheduledTime with an offset": (
        _set("trigger.scheduledTime", "2026-11-29T19:00:00-05:00"),
        "INVALID_TRIGGER_SCHEDULED_TIME_FORMAT",
    ),
    "scheduledTime not a day": (
        _set("trigger.scheduledTime", "2026-02-30T19:00:00"),
        "INVALID_TRIGGER_SCHEDULED_TIME_FORMAT",
    ),
    "time zone not IANA": (_set("trigger.timeZoneId", "EST5EDT-ish"), "INVALID_TIME_ZONE"),
    "time zone empty": (_set("trigger.timeZoneId", ""), "INVALID_TIME_ZONE"),
    "deprecated freq only": (
        _set("trigger.recurrence", {"freq": "DAILY"}),
        "UNSUPPORTED_TRIGGER_RECURRENCE",
    ),
    "no startDateTime": (
        _without("trigger.recurrence.startDateTime"),
        "INVALID_TRIGGER_SCHEDULED_TIME_FORMAT",
    ),
    "endDateTime before start": (
        _set("trigger.recurrence.endDateTime", "2026-11-01T19:00:00"),
        "INVALID_TRIGGER_RECURRENCE",
    ),
    "no rules": (_set("trigger.recurrence.recurrenceRules", []), "INVALID_TRIGGER_RECURRENCE"),
    "monthly": (
        _set("trigger.recurrence.recurrenceRules", ["FREQ=MONTHLY;BYHOUR=19;BYMINUTE=0"]),
        "INVALID_RECURRENCE_RULE",
    ),
    "weekly without days": (
        _set("trigger.recurrence.recurrenceRules", ["FREQ=WEEKLY;BYHOUR=19;BYMINUTE=0"]),
        "INVALID_RECURRENCE_RULE",
    ),
    "a day that is not one": (
        _set(
            "trigger.recurrence.recurrenceRules",
            ["FREQ=WEEKLY;BYDAY=MO,XX;BYHOUR=19;BYMINUTE=0"],
        ),
        "INVALID_RECURRENCE_RULE",
    ),
    "hour 24": (
        _set("trigger.recurrence.recurrenceRules", ["FREQ=DAILY;BYHOUR=24;BYMINUTE=0"]),
        "INVALID_RECURRENCE_RULE",
    ),
    "no hour": (
        _set("trigger.recurrence.recurrenceRules", ["FREQ=DAILY;BYMINUTE=0"]),
        "INVALID_RECURRENCE_RULE",
    ),
    "an unknown part": (
        _set("trigger.recurrence.recurrenceRules", ["FREQ=DAILY;BYHOUR=19;BYMINUTE=0;X=1"]),
        "INVALID_RECURRENCE_RULE",
    ),
    "interval zero": (
        _set("trigger.recurrence.recurrenceRules", ["FREQ=DAILY;BYHOUR=19;BYMINUTE=0;INTERVAL=0"]),
        "INVALID_RECURRENCE_RULE",
    ),
    "no spoken content": (_set("alertInfo.spokenInfo.content", []), "INVALID_ALERT_INFO"),
    "no alertInfo": (_without("alertInfo"), "INVALID_ALERT_INFO"),
    "empty text": (
        _set("alertInfo.spokenInfo.content", [{"locale": "en-US", "text": " "}]),
        "INVALID_ALERT_INFO",
    ),
    "no locale": (_set("alertInfo.spokenInfo.content", [{"text": TEXT}]), "INVALID_LOCALE"),
    "ssml not speak": (
        _set("alertInfo.spokenInfo.content", [{"locale": "en-US", "text": TEXT, "ssml": "hi"}]),
        "INVALID_ALERT_INFO",
    ),
    "push status unknown": (_set("pushNotification.status", "LOUD"), "INVALID_PUSH_NOTIFICATION"),
}


@pytest.mark.parametrize("name", list(BROKEN))
def test_each_schema_rule_broken_alone_is_refused_with_a_reason(
    call: Call, stand_in: tuple[SettingsApi, RemindersApi], name: str
) -> None:
    change, code = BROKEN[name]
    body = copy.deepcopy(DAILY)
    change(body)
    assert _error(call("POST", body=body), 400)["code"] == code
    created = call("POST", body=DAILY).json()["alertToken"]
    assert _error(call("PUT", f"{PATH}/{created}", body), 400)["code"] == code
    _, api = stand_in
    assert len(api.reminders()) == 1  # nothing kept from the bad ones


@pytest.mark.parametrize(
    "valid",
    [
        pytest.param(
            _set(
                "trigger.recurrence.recurrenceRules",
                ["FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=8;BYMINUTE=0;BYSECOND=0;"],
            ),
            id="weekdays",
        ),
        pytest.param(_without("trigger.recurrence"), id="once"),
        pytest.param(_without("trigger.timeZoneId"), id="the device's zone"),
        pytest.param(_without("pushNotification"), id="no push notification"),
        # What the SDK sends for an aware datetime.
        pytest.param(_set("requestTime", "2026-11-28T19:04:00+00:00"), id="aware requestTime"),
    ],
)
def test_what_amazon_documents_is_accepted(
    call: Call, valid: Callable[[dict[str, Any]], None]
) -> None:
    body = copy.deepcopy(DAILY)
    valid(body)
    assert call("POST", body=body).status_code == 200


def test_a_body_that_is_not_json_is_refused(call: Call) -> None:
    _error(call("POST", body=DAILY, **{"Content-Type": "text/plain"}), 400)
    assert _error(call("POST", body="not an object"), 400)["code"] == "INVALID_REQUEST"
