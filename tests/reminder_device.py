"""A device for the reminder tests (tests/test_reminders_*.py): Alexa's APIs as a stand-in on
127.0.0.1 (`apiEndpoint`), the Settings API's time zone and the Reminders API, which keeps the
reminders it was sent and can be told to fail; an Echo whose person has or has not given the
reminders permission; and Alexa's answer to the permission question (Connections.Response)."""

from __future__ import annotations

import contextlib
import http.server
import json
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, ClassVar

from flask.testing import FlaskClient

from skill.alexa.permissions import REMINDERS_SCOPE
from skill.store.progress_store import ProgressStore
from tests.builders import RequestBuilder
from tests.conversation import Conversation, Reply
from tests.loopback import serve

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
        if self.command == "GET":
            return self._send(200, {"alertToken": token, "status": "ON", **api.reminders[token]})
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


@contextlib.contextmanager
def alexa_apis() -> Iterator[type[AlexaApis]]:
    handler = type("Apis", (AlexaApis,), {"fail": {}, "reminders": {}, "calls": []})
    with serve(handler):
        yield handler


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


def finish_seated(talk: Person) -> Reply:
    reply = talk.say("StartStretchIntent", Stretch=SEATED)
    for _ in range(10):
        if "You've finished" in reply.text:
            break
        reply = talk.say("AMAZON.NextIntent")
    assert "how your week is going" in reply.text
    return reply


OFFER = re.compile(r"[Ww]ould you like a reminder to stretch tomorrow at (\d{1,2}(:\d\d)? [AP]M)")
