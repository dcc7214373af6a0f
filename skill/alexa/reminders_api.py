"""The person's stretch reminder in Alexa's Reminders API: create, update, delete.

Calls go through the SDK's ReminderManagementServiceClient on our TimeoutApiClient, so each
waits at most api_guard.CALL_DEADLINE_S and an endpoint that failed recently is skipped. Every
failure becomes a `ReminderOutcome` the handler can say, never an exception: a reminder that
could not be set must not cost the person their routine.

The request body follows Amazon's Reminders API reference: a SCHEDULED_ABSOLUTE trigger whose
`scheduledTime` is the first ring in the person's local wall time, without a zone (Amazon's
examples have none; the zone is `timeZoneId`); a repeating reminder adds `recurrence` with
`startDateTime` and RFC 5545 `recurrenceRules` (the deprecated `freq`/`byDay` are not sent).
"""

from __future__ import annotations

import logging
from datetime import datetime
from enum import StrEnum
from xml.sax.saxutils import escape

from ask_sdk_core.exceptions import SerializationException
from ask_sdk_core.handler_input import HandlerInput
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

from skill.alexa.api_guard import ApiSkipped
from skill.alexa.memory import request_time_of
from skill.alexa.time_zone import zone_info
from skill.core.reminders import ReminderSchedule, Repeat

log = logging.getLogger(__name__)

DEFAULT_LOCALE = "en-US"
WEEKDAYS = "MO,TU,WE,TH,FR"


class ReminderOutcome(StrEnum):
    OK = "ok"
    REVOKED = "revoked"  # 401/403: the permission is gone (the card is sent)
    BUSY = "busy"  # 429: throttled
    UNREACHABLE = "unreachable"  # 5xx, a time-out, no answer, an answer we cannot read
    GONE = "gone"  # 404: the reminder was deleted elsewhere (the Alexa app, or it expired)


def recurrence_rule(schedule: ReminderSchedule) -> str | None:
    """The RFC 5545 rule for a repeating schedule ("FREQ=DAILY;BYHOUR=19;..."); None once."""
    at = f"BYHOUR={schedule.hour};BYMINUTE={schedule.minute};BYSECOND=0;INTERVAL=1"
    if schedule.repeat is Repeat.DAILY:
        return f"FREQ=DAILY;{at}"
    if schedule.repeat is Repeat.WEEKDAYS:
        return f"FREQ=WEEKLY;BYDAY={WEEKDAYS};{at}"
    return None


def reminder_request(
    schedule: ReminderSchedule, text: str, locale: str, zone_name: str, now_local: datetime
) -> ReminderRequest:
    """The body of a create or update. `now_local`: the request's time as the person's naive
    local wall time; the reminder first rings at the schedule's first time after it."""
    now_local = now_local.replace(microsecond=0, tzinfo=None)
    first = schedule.first_after(now_local)
    rule = recurrence_rule(schedule)
    recurrence = None
    if rule is not None:
        recurrence = Recurrence(start_date_time=first, recurrence_rules=[rule])
    return ReminderRequest(
        request_time=now_local,
        trigger=Trigger(
            object_type=TriggerType.SCHEDULED_ABSOLUTE,
            scheduled_time=first,
            time_zone_id=zone_name,
            recurrence=recurrence,
        ),
        alert_info=AlertInfo(
            spoken_info=SpokenInfo(
                content=[
                    SpokenText(locale=locale, text=text, ssml=f"<speak>{escape(text)}</speak>")
                ]
            )
        ),
        push_notification=PushNotification(status=PushNotificationStatus.ENABLED),
    )


def local_now(handler_input: HandlerInput, zone_name: str) -> datetime:
    """The request's time as naive local wall time in `zone_name`."""
    moment = request_time_of(handler_input).astimezone(zone_info(zone_name))
    return moment.replace(tzinfo=None, microsecond=0)


def save_reminder(
    handler_input: HandlerInput,
    schedule: ReminderSchedule,
    text: str,
    zone_name: str,
    alert_token: str | None,
) -> tuple[ReminderOutcome, str | None]:
    """Update the reminder `alert_token` names (PUT), or create one (POST) when there is none
    or it was deleted elsewhere (404). OK comes with the reminder's alert token."""
    locale = getattr(handler_input.request_envelope.request, "locale", None) or DEFAULT_LOCALE
    body = reminder_request(schedule, text, locale, zone_name, local_now(handler_input, zone_name))
    client = _client(handler_input)
    if client is None:
        return ReminderOutcome.UNREACHABLE, None
    if alert_token is not None:
        try:
            updated = client.update_reminder(alert_token, body)
        except Exception as exc:
            outcome = _failure("update", exc)
            if outcome is not ReminderOutcome.GONE:
                return outcome, None
        else:
            return ReminderOutcome.OK, getattr(updated, "alert_token", None) or alert_token
    try:
        created = client.create_reminder(body)
    except Exception as exc:
        outcome = _failure("create", exc)
        return (ReminderOutcome.UNREACHABLE if outcome is ReminderOutcome.GONE else outcome), None
    token = getattr(created, "alert_token", None)
    if not (isinstance(token, str) and token):
        log.error("Reminders API: created, but no alertToken in the answer")
        return ReminderOutcome.UNREACHABLE, None
    return ReminderOutcome.OK, token


def delete_reminder(handler_input: HandlerInput, alert_token: str) -> ReminderOutcome:
    """Delete the reminder; GONE when Alexa no longer has it (deleted elsewhere)."""
    client = _client(handler_input)
    if client is None:
        return ReminderOutcome.UNREACHABLE
    try:
        client.delete_reminder(alert_token)
    except Exception as exc:
        return _failure("delete", exc)
    return ReminderOutcome.OK


def find_reminder(handler_input: HandlerInput, alert_token: str) -> ReminderOutcome:
    """Whether Alexa still has the reminder: OK, or GONE when it was deleted elsewhere (in
    the Alexa app, or three days after a one-day reminder rang)."""
    client = _client(handler_input)
    if client is None:
        return ReminderOutcome.UNREACHABLE
    try:
        client.get_reminder(alert_token)
    except SerializationException:
        # ask-sdk-model cannot read a reminder back (its AlertInfo names a SpokenInfo module
        # that does not exist), and it reads only a 2xx answer: so Alexa has it.
        return ReminderOutcome.OK
    except Exception as exc:
        return _failure("get", exc)
    return ReminderOutcome.OK


def _client(handler_input: HandlerInput) -> ReminderManagementServiceClient | None:
    factory = handler_input.service_client_factory
    if factory is None:  # the skill was built without an API client
        return None
    try:
        return factory.get_reminder_management_service()
    except ValueError:  # the SDK's word for a client it could not make
        log.warning("Reminders API: no service client")
        return None


def _failure(operation: str, exc: Exception) -> ReminderOutcome:
    """What a failed call means for the person. The SDK wraps anything our API client raised
    (a time-out, an unreachable or skipped endpoint) as a ServiceException with status 500
    whose context is the original; an error body it cannot read raises its own exception."""
    cause = exc.__context__
    if isinstance(exc, ApiSkipped) or isinstance(cause, ApiSkipped):
        return ReminderOutcome.UNREACHABLE  # the breaker logged it once already
    status = exc.status_code if isinstance(exc, ServiceException) else None
    if isinstance(exc, ServiceException) and isinstance(cause, ServiceException):
        status = 0  # our client gave up (ApiUnreachable): no HTTP answer at all
    outcome = {
        401: ReminderOutcome.REVOKED,
        403: ReminderOutcome.REVOKED,
        404: ReminderOutcome.GONE,
        429: ReminderOutcome.BUSY,
    }.get(status or -1, ReminderOutcome.UNREACHABLE)
    if status == 400:  # Amazon refused our request body: a bug of ours, worth an error
        log.error("Reminders API %s: 400 %s", operation, getattr(exc, "body", None))
    elif outcome is ReminderOutcome.UNREACHABLE:
        log.warning("Reminders API %s failed: %s %s", operation, status, type(exc).__name__)
    else:
        log.info("Reminders API %s: %s (%s)", operation, status, outcome.value)
    return outcome
