"""The Reminders API stand-in's permission and failure modes, and ask-sdk-model's own client
against it: what `chat --reminders-permission` and `--reminders-api-fails` rest on."""

from __future__ import annotations

import time
from datetime import datetime

import pytest
import requests
from ask_sdk_model.services import ApiConfiguration
from ask_sdk_model.services.reminder_management import (
    AlertInfo,
    PushNotification,
    PushNotificationStatus,
    Recurrence,
    ReminderManagementServiceClient,
    ReminderRequest,
    SpokenInfo,
    SpokenText,
    Trigger,
    TriggerType,
)
from ask_sdk_model.services.service_exception import ServiceException

from skill.alexa.api_client import TimeoutApiClient
from skill.alexa.api_guard import CALL_DEADLINE_S
from skill.simulator.reminders_api import FAILURES, PATH, TIMEOUT_SLEEP_S, Permission, RemindersApi
from skill.simulator.settings_api import SettingsApi
from tests.test_simulator_reminders import (
    DAILY,
    TEXT,
    TOKEN,
    Call,
    _error,
    call,
    serializer,
    stand_in,
)

__all__ = ["call", "stand_in"]  # the fixtures, used by name


# --- permission and failure modes --------------------------------------------------------------


@pytest.mark.parametrize("permission", [Permission.ASK, Permission.DENIED])
def test_without_the_scope_granted_create_is_forbidden_and_the_rest_unauthorized(
    call: Call, stand_in: tuple[SettingsApi, RemindersApi], permission: Permission
) -> None:
    _, api = stand_in
    alert = call("POST", body=DAILY).json()["alertToken"]
    api.permission = permission
    _error(call("POST", body=DAILY), 403)
    _error(call("GET"), 401)
    _error(call("PUT", f"{PATH}/{alert}", DAILY), 401)
    _error(call("DELETE", f"{PATH}/{alert}"), 401)
    assert len(api.reminders()) == 1


@pytest.mark.parametrize("status", [f for f in FAILURES if f != "timeout"])
def test_a_failure_mode_answers_every_call_with_its_status(
    call: Call, stand_in: tuple[SettingsApi, RemindersApi], status: str
) -> None:
    _, api = stand_in
    api.set_failure(status)
    _error(call("POST", body=DAILY), int(status))
    _error(call("GET"), int(status))
    api.set_failure(None)
    assert call("POST", body=DAILY).status_code == 200


def test_the_time_out_mode_answers_after_the_skills_client_gave_up(
    stand_in: tuple[SettingsApi, RemindersApi],
) -> None:
    assert TIMEOUT_SLEEP_S > CALL_DEADLINE_S + 0.5
    _, api = stand_in
    api.set_failure("timeout")
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with pytest.raises(requests.Timeout):
        requests.post(stand_in[0].url + PATH, json=DAILY, headers=headers, timeout=0.2)
    deadline = time.monotonic() + 5
    while not api.requests and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [r.status for r in api.requests] == [504]  # answered, after the client had gone
    with pytest.raises(ValueError, match="unknown failure"):
        api.set_failure("418")


# --- ask-sdk-model's own client against the stand-in ------------------------------------------


def _client(url: str) -> ReminderManagementServiceClient:
    config = ApiConfiguration(
        serializer=serializer,
        api_client=TimeoutApiClient(),
        authorization_value=TOKEN,
        api_endpoint=url,
    )
    return ReminderManagementServiceClient(config)


def test_the_sdks_client_creates_reads_and_deletes_through_the_stand_in(
    stand_in: tuple[SettingsApi, RemindersApi],
) -> None:
    server, api = stand_in
    client = _client(server.url)
    request = ReminderRequest(
        request_time=datetime(2026, 11, 28, 19, 4),
        trigger=Trigger(
            object_type=TriggerType.SCHEDULED_ABSOLUTE,
            scheduled_time=datetime(2026, 11, 29, 19, 0),
            time_zone_id="America/New_York",
            recurrence=Recurrence(
                start_date_time=datetime(2026, 11, 29, 19, 0),
                recurrence_rules=["FREQ=DAILY;BYHOUR=19;BYMINUTE=0;BYSECOND=0"],
            ),
        ),
        alert_info=AlertInfo(SpokenInfo([SpokenText(locale="en-US", text=TEXT)])),
        push_notification=PushNotification(PushNotificationStatus.ENABLED),
    )
    created = client.create_reminder(request)
    assert created.alert_token
    assert api.requests[-1].body["trigger"]["scheduledTime"] == "2026-11-29T19:00:00"
    updated = client.update_reminder(created.alert_token, request)
    assert updated.version == "2"
    # (ask-sdk-model 1.82.0 cannot read a GET's alertInfo: it names a module it lacks.)
    client.delete_reminder(created.alert_token)
    assert api.reminders() == []
    api.permission = Permission.DENIED
    with pytest.raises(ServiceException) as refused:
        client.create_reminder(request)
    assert refused.value.status_code == 403
