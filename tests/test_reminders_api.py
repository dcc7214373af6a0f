"""The Reminders API calls, on a small stand-in on 127.0.0.1: the request bodies exactly as the
SDK sends them, checked against the shape in Amazon's Reminders API reference, and each failure
an answer the skill can give (reminders_api.ReminderOutcome)."""

from __future__ import annotations

import http.server
import json
import re
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any, ClassVar

import pytest
from ask_sdk_core.attributes_manager import AttributesManager
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope
from ask_sdk_model.services import ApiConfiguration, ServiceClientFactory

from skill.alexa.api_client import TimeoutApiClient
from skill.alexa.reminders_api import (
    ReminderOutcome,
    delete_reminder,
    find_reminder,
    reminder_request,
    save_reminder,
)
from skill.core.reminders import ReminderSchedule, Repeat
from tests.builders import RequestBuilder
from tests.loopback import serve

TEXT = "Time for your hamstring stretches."
# Saturday 28 November 2026, 18:04:30 in Los Angeles.
NOW_UTC = datetime(2026, 11, 29, 2, 4, 30, tzinfo=UTC)
ZONE = "America/Los_Angeles"
# Amazon's example writes local times without a zone ("2019-09-22T19:00:00.000").
LOCAL_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?")
RRULE = re.compile(
    r"FREQ=(DAILY|WEEKLY)(;BYDAY=(MO|TU|WE|TH|FR|SA|SU)(,(MO|TU|WE|TH|FR|SA|SU))*)?"
    r";BYHOUR=\d{1,2};BYMINUTE=\d{1,2};BYSECOND=0;INTERVAL=1"
)
serializer = DefaultSerializer()


def body_of(schedule: ReminderSchedule, locale: str = "en-US") -> dict[str, Any]:
    """The JSON the SDK puts on the wire for this schedule."""
    now_local = datetime(2026, 11, 28, 18, 4, 30, 672000)
    return json.loads(
        json.dumps(serializer.serialize(reminder_request(schedule, TEXT, locale, ZONE, now_local)))
    )


def check_amazon_shape(body: dict[str, Any]) -> None:
    """The fields and formats of Amazon's SCHEDULED_ABSOLUTE example, nothing else."""
    assert set(body) == {"requestTime", "trigger", "alertInfo", "pushNotification"}
    assert LOCAL_TIME.fullmatch(body["requestTime"])
    trigger = body["trigger"]
    assert trigger["type"] == "SCHEDULED_ABSOLUTE"
    assert LOCAL_TIME.fullmatch(trigger["scheduledTime"])
    assert trigger["timeZoneId"] == ZONE
    assert set(trigger) <= {"type", "scheduledTime", "timeZoneId", "recurrence"}
    if "recurrence" in trigger:
        recurrence = trigger["recurrence"]
        assert set(recurrence) == {"startDateTime", "recurrenceRules"}  # not freq / byDay
        assert LOCAL_TIME.fullmatch(recurrence["startDateTime"])
        assert all(RRULE.fullmatch(rule) for rule in recurrence["recurrenceRules"])
    (content,) = body["alertInfo"]["spokenInfo"]["content"]
    assert set(content) == {"locale", "text", "ssml"}
    assert content["ssml"] == f"<speak>{content['text']}</speak>"
    assert body["pushNotification"] == {"status": "ENABLED"}


def test_a_daily_reminder_rings_from_the_next_time_on() -> None:
    body = body_of(ReminderSchedule(19, 0, Repeat.DAILY))
    check_amazon_shape(body)
    assert body["requestTime"] == "2026-11-28T18:04:30"
    assert body["trigger"]["scheduledTime"] == "2026-11-28T19:00:00"  # later today
    assert body["trigger"]["recurrence"] == {
        "startDateTime": "2026-11-28T19:00:00",
        "recurrenceRules": ["FREQ=DAILY;BYHOUR=19;BYMINUTE=0;BYSECOND=0;INTERVAL=1"],
    }
    assert body["alertInfo"]["spokenInfo"]["content"] == [
        {"locale": "en-US", "text": TEXT, "ssml": f"<speak>{TEXT}</speak>"}
    ]


def test_a_weekday_reminder_starts_on_monday_when_asked_on_a_saturday() -> None:
    body = body_of(ReminderSchedule(8, 15, Repeat.WEEKDAYS), locale="en-GB")
    check_amazon_shape(body)
    assert body["trigger"]["scheduledTime"] == "2026-11-30T08:15:00"
    assert body["trigger"]["recurrence"]["recurrenceRules"] == [
        "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=8;BYMINUTE=15;BYSECOND=0;INTERVAL=1"
    ]
    assert body["alertInfo"]["spokenInfo"]["content"][0]["locale"] == "en-GB"


def test_a_one_day_reminder_has_no_recurrence() -> None:
    body = body_of(ReminderSchedule(8, 0, Repeat.ONCE, date(2026, 11, 29)))
    check_amazon_shape(body)
    assert body["trigger"] == {
        "type": "SCHEDULED_ABSOLUTE",
        "scheduledTime": "2026-11-29T08:00:00",
        "timeZoneId": ZONE,
    }


# --- the calls, against a stand-in ----------------------------------------------------------


class RemindersApi(http.server.BaseHTTPRequestHandler):
    """Answers like the Reminders API: a status per method, the bodies it was sent kept."""

    statuses: ClassVar[dict[str, int]] = {}
    delay = 0.0
    calls: ClassVar[list[tuple[str, str, dict[str, Any] | None, str]]] = []

    def _answer(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else None
        type(self).calls.append((method, self.path, body, self.headers.get("Authorization", "")))
        time.sleep(self.delay)
        status = self.statuses.get(method, 200)
        if status == 200 and method in ("POST", "PUT", "GET"):
            token = self.path.rsplit("/", 1)[-1] if method != "POST" else "alert-1"
            answer: dict[str, Any] = {"alertToken": token, "status": "ON", "version": "1"}
            if method == "GET":  # a reminder read back has its parts, as Amazon's GET answers
                answer.update({k: v for k, v in body_of(DAILY_7PM).items() if k != "requestTime"})
        elif status == 200:
            answer = {}
        else:
            answer = {"code": "ERROR", "message": f"status {status}"}
        data = json.dumps(answer).encode() if answer or status != 200 else b""
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:  # PUT and DELETE too (http.server looks up do_<method>)
        self._answer(self.command)

    def log_message(self, *args: object) -> None:
        pass


for _method in ("PUT", "DELETE", "GET"):
    setattr(RemindersApi, f"do_{_method}", RemindersApi.do_POST)


@pytest.fixture
def api() -> Iterator[type[RemindersApi]]:
    handler = type("Api", (RemindersApi,), {"statuses": {}, "calls": []})
    with serve(handler):
        yield handler


def handler_input(api: type[RemindersApi]) -> HandlerInput:
    """A request's HandlerInput as the skill builds it: our API client under the SDK's."""
    builder = RequestBuilder(api_endpoint=api.url, now=NOW_UTC)
    envelope = serializer.deserialize(
        json.dumps(builder.intent("SetReminderIntent")), RequestEnvelope
    )
    factory = ServiceClientFactory(
        ApiConfiguration(
            serializer=serializer,
            api_client=TimeoutApiClient(),
            authorization_value="test-token",
            api_endpoint=api.url,
        )
    )
    return HandlerInput(
        request_envelope=envelope,
        attributes_manager=AttributesManager(envelope),
        service_client_factory=factory,
    )


DAILY_7PM = ReminderSchedule(19, 0, Repeat.DAILY)


def test_a_new_reminder_is_posted_with_the_bearer_token(api: type[RemindersApi]) -> None:
    outcome = save_reminder(handler_input(api), DAILY_7PM, TEXT, ZONE, None)
    assert outcome == (ReminderOutcome.OK, "alert-1")
    ((method, path, body, auth),) = api.calls
    assert (method, path, auth) == ("POST", "/v1/alerts/reminders", "Bearer test-token")
    assert body is not None
    check_amazon_shape(body)
    assert body["requestTime"] == "2026-11-28T18:04:30"  # the request's time, local
    assert body["trigger"]["scheduledTime"] == "2026-11-28T19:00:00"


def test_a_kept_reminder_is_updated_not_doubled(api: type[RemindersApi]) -> None:
    outcome = save_reminder(handler_input(api), DAILY_7PM, TEXT, ZONE, "alert-9")
    assert outcome == (ReminderOutcome.OK, "alert-9")
    assert [(m, p) for m, p, _, _ in api.calls] == [("PUT", "/v1/alerts/reminders/alert-9")]


def test_a_reminder_deleted_elsewhere_is_created_again(api: type[RemindersApi]) -> None:
    api.statuses["PUT"] = 404
    outcome = save_reminder(handler_input(api), DAILY_7PM, TEXT, ZONE, "alert-9")
    assert outcome == (ReminderOutcome.OK, "alert-1")
    assert [m for m, _, _, _ in api.calls] == ["PUT", "POST"]


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (401, ReminderOutcome.REVOKED),
        (403, ReminderOutcome.REVOKED),
        (429, ReminderOutcome.BUSY),
        (500, ReminderOutcome.UNREACHABLE),
        (503, ReminderOutcome.UNREACHABLE),
        (400, ReminderOutcome.UNREACHABLE),
    ],
)
def test_each_failure_to_create_is_an_answer(
    api: type[RemindersApi], status: int, outcome: ReminderOutcome
) -> None:
    api.statuses["POST"] = status
    assert save_reminder(handler_input(api), DAILY_7PM, TEXT, ZONE, None) == (outcome, None)


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (401, ReminderOutcome.REVOKED),
        (403, ReminderOutcome.REVOKED),
        (429, ReminderOutcome.BUSY),
        (500, ReminderOutcome.UNREACHABLE),
        (503, ReminderOutcome.UNREACHABLE),
    ],
)
def test_each_failure_to_update_is_an_answer_and_nothing_is_created(
    api: type[RemindersApi], status: int, outcome: ReminderOutcome
) -> None:
    api.statuses["PUT"] = status
    assert save_reminder(handler_input(api), DAILY_7PM, TEXT, ZONE, "alert-9") == (outcome, None)
    assert [m for m, _, _, _ in api.calls] == ["PUT"]


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (200, ReminderOutcome.OK),
        (401, ReminderOutcome.REVOKED),
        (403, ReminderOutcome.REVOKED),
        (404, ReminderOutcome.GONE),
        (429, ReminderOutcome.BUSY),
        (500, ReminderOutcome.UNREACHABLE),
        (503, ReminderOutcome.UNREACHABLE),
    ],
)
def test_delete_answers(api: type[RemindersApi], status: int, outcome: ReminderOutcome) -> None:
    api.statuses["DELETE"] = status
    assert delete_reminder(handler_input(api), "alert-9") is outcome
    assert [(m, p) for m, p, _, _ in api.calls] == [("DELETE", "/v1/alerts/reminders/alert-9")]


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (200, ReminderOutcome.OK),
        (401, ReminderOutcome.REVOKED),
        (404, ReminderOutcome.GONE),
        (429, ReminderOutcome.BUSY),
        (500, ReminderOutcome.UNREACHABLE),
    ],
)
def test_find_answers(api: type[RemindersApi], status: int, outcome: ReminderOutcome) -> None:
    api.statuses["GET"] = status
    assert find_reminder(handler_input(api), "alert-9") is outcome
    assert [(m, p) for m, p, _, _ in api.calls] == [("GET", "/v1/alerts/reminders/alert-9")]


def test_a_slow_api_is_given_up_on_in_time(api: type[RemindersApi]) -> None:
    api.delay = 3.0
    started = time.monotonic()
    assert save_reminder(handler_input(api), DAILY_7PM, TEXT, ZONE, None) == (
        ReminderOutcome.UNREACHABLE,
        None,
    )
    assert time.monotonic() - started < 2.0


def test_an_unreachable_api_is_unreachable() -> None:
    closed = type("Api", (RemindersApi,), {"url": "http://127.0.0.1:9"})  # nothing listens
    assert delete_reminder(handler_input(closed), "alert-9") is ReminderOutcome.UNREACHABLE
