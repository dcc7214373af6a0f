"""A stand-in for Alexa's Reminders API, served on loopback beside the Settings API stand-in.

The skill calls `{apiEndpoint}/v1/alerts/reminders` with the request's apiAccessToken as a
bearer token; the simulator must not send that to Amazon, and a test must see exactly what the
skill sent. So this keeps each user's reminders (by token), checks every request against
Amazon's documented shape (skill.simulator.reminder_schema: 400 and Amazon's error body
{"code", "message"} for a bad one), records every request, and answers as Amazon does:
- POST /v1/alerts/reminders, PUT/GET/DELETE /v1/alerts/reminders/{alertToken}, GET all;
- success 200 (the status ask-sdk-model's ReminderManagementServiceClient declares; Amazon's
  page was not found to say 200 or 201, and the SDK takes any 2xx) with alertToken,
  createdTime, updatedTime, status ON, version and href;
- 404 for an alertToken it does not hold (a reminder deleted in the Alexa app);
- without the reminders scope granted: 403 on POST (the SDK's "Forbidden" for create), 401 on
  the rest (the SDK's UserAuthenticationException: "If customer does not have permission").

Modes, for tests and `chat`: `permission` (ask: never asked, granted, denied) and `fail`
(401, 403, 429, 500, 503 or "timeout": answer only after the skill's client has given up).
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from skill.alexa.api_client import CONNECT_TIMEOUT_S, READ_TIMEOUT_S
from skill.alexa.api_guard import CALL_DEADLINE_S
from skill.simulator.reminder_modes import FAILURES, Permission
from skill.simulator.reminder_schema import BadReminder, check_reminder, describe_reminder

SCOPE = "alexa::alerts:reminders:skill:readwrite"
PATH = "/v1/alerts/reminders"
# Longer than the skill's API client waits for an answer (its call deadline, its socket
# timeouts), so the skill times out.
TIMEOUT_SLEEP_S = max(CALL_DEADLINE_S, CONNECT_TIMEOUT_S + READ_TIMEOUT_S) + 1.0
_FAILURE_BODIES = {
    401: ("UNAUTHORIZED", "Request is not authorized/authenticated."),
    403: ("FORBIDDEN", "The skill may not create reminders for this customer."),
    404: ("NOT_FOUND", "No reminder with this alertToken."),
    429: ("RATE_EXCEEDED", "Too many requests: the skill is throttled."),
    500: ("INTERNAL_SERVER_ERROR", "Internal Server Error."),
    503: ("SERVICE_UNAVAILABLE", "Service Unavailable."),
    504: ("GATEWAY_TIMEOUT", "Gateway Timeout."),
}


@dataclass(frozen=True)
class Recorded:
    """One request as the stand-in saw it, and the status it answered."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any  # the parsed JSON, the raw text if not JSON, None if empty
    status: int


@dataclass
class Reminder:
    """A reminder the stand-in holds: the request body as sent, and Amazon's bookkeeping."""

    token: str
    body: dict[str, Any]
    created: str
    updated: str
    version: int = 1

    def summary(self) -> dict[str, Any]:
        """What POST and PUT answer (ask-sdk-model ReminderResponse)."""
        return {
            "alertToken": self.token,
            "createdTime": self.created,
            "updatedTime": self.updated,
            "status": "ON",
            "version": str(self.version),
            "href": f"{PATH}/{self.token}",
        }

    def full(self) -> dict[str, Any]:
        """What GET answers (ask-sdk-model GetReminderResponse / Reminder)."""
        out = self.summary()
        del out["href"]
        out.update(
            trigger=self.body["trigger"],
            alertInfo=self.body["alertInfo"],
            pushNotification=self.body.get("pushNotification", {"status": "ENABLED"}),
        )
        return out


@dataclass
class RemindersApi:
    """The Reminders API's state and answers; thread-safe (the server answers in threads)."""

    permission: Permission = Permission.ASK
    fail: str | None = None  # one of FAILURES, or None to answer normally
    timeout_sleep_s: float = TIMEOUT_SLEEP_S
    requests: list[Recorded] = field(default_factory=list)
    changes: int = 0  # successful creates, updates and deletes so far
    _users: dict[str, dict[str, Reminder]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def register(self, access_token: str) -> None:
        """Accept `access_token` as a user's apiAccessToken (the envelopes carry it)."""
        with self._lock:
            self._users.setdefault(access_token, {})

    def set_failure(self, fail: str | None) -> None:
        if fail is not None and fail not in FAILURES:
            raise ValueError(f"unknown failure {fail!r}: one of {', '.join(FAILURES)}")
        self.fail = fail

    def scopes(self) -> dict[str, str]:
        """The scope statuses a request's context.System.user.permissions carries."""
        if self.permission is Permission.ASK:
            return {}
        return {SCOPE: "GRANTED" if self.permission is Permission.GRANTED else "DENIED"}

    def reminders(self, access_token: str | None = None) -> list[Reminder]:
        """The reminders held for `access_token` (default: every user's), oldest first."""
        with self._lock:
            users = [self._users.get(access_token, {})] if access_token else self._users.values()
            return [r for user in users for r in user.values()]

    def describe(self, access_token: str | None = None) -> list[str]:
        """Each reminder held, in a line ("every day at 19:00 America/New_York, '...'")."""
        return [describe_reminder(r.body) for r in self.reminders(access_token)]

    def handle(
        self, method: str, path: str, headers: dict[str, str], raw: bytes
    ) -> tuple[int, dict[str, Any] | None]:
        """Answer one request: (HTTP status, JSON body or None), and record it."""
        text = raw.decode("utf-8", errors="replace")
        try:
            body: Any = json.loads(text) if text else None
        except ValueError:
            body = text
        lowered = {k.lower(): v for k, v in headers.items()}
        status, answer = self._answer(method, path.split("?", 1)[0], lowered, body)
        self.requests.append(Recorded(method, path, dict(headers), body, status))
        return status, answer

    def _answer(
        self, method: str, path: str, headers: dict[str, str], body: Any
    ) -> tuple[int, dict[str, Any] | None]:
        token = _bearer(headers)
        with self._lock:
            known = token is not None and token in self._users
        if not known:
            return _error(401, "UNAUTHORIZED", "Authorization: Bearer <apiAccessToken> required.")
        if self.fail == "timeout":
            time.sleep(self.timeout_sleep_s)
            return _error(504)
        if self.fail is not None:
            return _error(int(self.fail))
        if self.permission is not Permission.GRANTED:
            return _error(403 if method == "POST" else 401)
        assert token is not None
        alert = path[len(PATH) + 1 :] if path.startswith(PATH + "/") else None
        if path == PATH and method == "POST":
            return self._save(token, None, headers, body)
        if path == PATH and method == "GET":
            return 200, self._all(token)
        if alert and "/" not in alert and method in ("GET", "PUT", "DELETE"):
            return self._one(token, alert, method, headers, body)
        return _error(405, "METHOD_NOT_ALLOWED", f"{method} {path} is not a Reminders API call.")

    def _one(
        self, token: str, alert: str, method: str, headers: dict[str, str], body: Any
    ) -> tuple[int, dict[str, Any] | None]:
        with self._lock:
            reminder = self._users[token].get(alert)
        if reminder is None:
            return _error(404)
        if method == "GET":
            return 200, reminder.full()
        if method == "PUT":
            return self._save(token, reminder, headers, body)
        with self._lock:
            del self._users[token][alert]
            self.changes += 1
        return 200, None

    def _save(
        self, token: str, reminder: Reminder | None, headers: dict[str, str], body: Any
    ) -> tuple[int, dict[str, Any] | None]:
        """Create (reminder None) or update after the checks Amazon's schema implies."""
        content_type = headers.get("content-type", "")
        if not content_type.startswith("application/json"):
            return _error(400, "INVALID_REQUEST", "Content-Type must be application/json.")
        try:
            check_reminder(body)
        except BadReminder as exc:
            return _error(400, exc.code, exc.message)
        now = _now()
        with self._lock:
            if reminder is None:
                reminder = Reminder(str(uuid.uuid4()), body, now, now)
                self._users[token][reminder.token] = reminder
            else:
                reminder.body, reminder.updated = body, now
                reminder.version += 1
            self.changes += 1
            return 200, reminder.summary()

    def _all(self, token: str) -> dict[str, Any]:
        alerts = [r.full() for r in self.reminders(token)]
        return {"totalCount": str(len(alerts)), "alerts": alerts, "links": None}


def _bearer(headers: dict[str, str]) -> str | None:
    value = headers.get("authorization", "")
    scheme, _, token = value.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def _error(status: int, code: str = "", message: str = "") -> tuple[int, dict[str, Any]]:
    """Amazon's error body: {"code": ..., "message": ...}."""
    default_code, default_message = _FAILURE_BODIES.get(status, ("ERROR", "Error."))
    return status, {"code": code or default_code, "message": message or default_message}


def _now() -> str:
    """Created/updated time as Amazon's example writes it: UTC, milliseconds, "Z"."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
