"""Request envelopes as an Echo sends them, and the session a device keeps between turns.

The skill under test must not be able to tell the simulator from a device: same envelope
shape (ask-sdk-model deserializes it), same context, session attributes carried from each
response into the next request, a fresh session after the skill ends one. The user id is
stable so progress kept by the skill (SQLite by default) persists from one chat to the next.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from skill.simulator.clock import timestamp, wall_now
from skill.simulator.display import APL_INTERFACE, USER_EVENT, Display
from skill.simulator.nlu import DEFAULT_SKILL_ID, Recognition

USER_ID = "amzn1.ask.account.LOCAL-SIMULATOR"
DEVICE_ID = "amzn1.ask.device.LOCAL-SIMULATOR"
# No network: a loopback address nobody listens on makes the skill's Settings API call fail
# at once, unless the simulator serves one there (see settings_api).
OFFLINE_API_ENDPOINT = "http://127.0.0.1:9"
SESSION_END_REASONS = ("USER_INITIATED", "ERROR", "EXCEEDED_MAX_REPROMPTS")


def _new_id(kind: str) -> str:
    return f"amzn1.echo-api.{kind}.{uuid.uuid4()}"


@dataclass
class DeviceSession:
    """What a device remembers of the open conversation; `id` None means no session."""

    id: str | None = None
    new: bool = True
    attributes: dict[str, Any] = field(default_factory=dict)

    @property
    def open(self) -> bool:
        return self.id is not None

    def begin(self) -> None:
        """Start a fresh session (LaunchRequest or a one-shot intent)."""
        self.id, self.new, self.attributes = _new_id("session"), True, {}

    def close(self) -> None:
        self.id, self.new, self.attributes = None, True, {}

    def carry(self, response_envelope: dict[str, Any]) -> None:
        """After a response: keep its sessionAttributes, or close if the skill ended it.

        A missing `shouldEndSession` closes it too: a headless Echo closes the microphone.
        """
        response = response_envelope.get("response") or {}
        if response.get("shouldEndSession") is False:
            self.new = False
            self.attributes = dict(response_envelope.get("sessionAttributes") or {})
        else:
            self.close()


@dataclass(frozen=True)
class EnvelopeFactory:
    """Builds LaunchRequest, IntentRequest, SessionEndedRequest and UserEvent envelopes.

    With a `display` (an Echo Show, a Fire TV) every request says so: the APL interface, the
    Viewport, and `visual` (the visual context) while a document is on screen.
    """

    application_id: str = DEFAULT_SKILL_ID
    user_id: str = USER_ID
    device_id: str = DEVICE_ID
    locale: str = "en-US"
    api_endpoint: str = OFFLINE_API_ENDPOINT
    api_access_token: str = "simulator-token"  # only ever sent to api_endpoint
    display: Display | None = None  # None: no screen (an Echo Dot)
    # The permission scopes the account holds, {scope: "GRANTED" | "DENIED"}, read at each
    # request (a grant given by voice shows in the next one); None: none at all.
    scopes: Callable[[], dict[str, str]] | None = None

    def user(self) -> dict[str, Any]:
        """context.System.user (and session.user): the id, and `permissions` when any scope
        has a status: {"consentToken": …, "scopes": {scope: {"status": …}}} (ask-sdk-model
        Permissions; consentToken only once something is granted)."""
        user: dict[str, Any] = {"userId": self.user_id}
        scopes = self.scopes() if self.scopes is not None else {}
        if scopes:
            permissions: dict[str, Any] = {
                "scopes": {name: {"status": status} for name, status in scopes.items()}
            }
            if "GRANTED" in scopes.values():
                permissions["consentToken"] = self.api_access_token
            user["permissions"] = permissions
        return user

    def context(self, visual: dict[str, Any] | None = None) -> dict[str, Any]:
        """The request's context; `visual`: context["Alexa.Presentation.APL"] (screen only)."""
        interfaces: dict[str, Any] = {"Alexa.Presentation.APLA": {}, "AudioPlayer": {}}
        context: dict[str, Any] = {
            "System": {
                "application": {"applicationId": self.application_id},
                "user": self.user(),
                "device": {"deviceId": self.device_id, "supportedInterfaces": interfaces},
                "apiEndpoint": self.api_endpoint,
                "apiAccessToken": self.api_access_token,
            },
            "AudioPlayer": {"playerActivity": "IDLE"},
        }
        if self.display is not None:
            interfaces[APL_INTERFACE] = self.display.interface()
            context["Viewport"] = self.display.viewport_state()
            if visual is not None:
                context[APL_INTERFACE] = visual
        return context

    def envelope(
        self,
        request: dict[str, Any],
        session: DeviceSession,
        at: datetime | None = None,
        visual: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Wrap `request` with the context and, when a session is open, the session.

        `at`: the device's time for the request (skill.simulator.clock); None: the wall clock.
        """
        body: dict[str, Any] = {
            "version": "1.0",
            "context": self.context(visual),
            "request": {
                "requestId": _new_id("request"),
                "timestamp": timestamp(at or wall_now()),
                "locale": self.locale,
                **request,
            },
        }
        if session.open:
            body["session"] = {
                "new": session.new,
                "sessionId": session.id,
                "application": {"applicationId": self.application_id},
                "user": self.user(),
                "attributes": dict(session.attributes),
            }
        return body

    def launch(
        self,
        session: DeviceSession,
        at: datetime | None = None,
        visual: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        return self.envelope({"type": "LaunchRequest"}, session, at, visual)

    def intent(
        self,
        recognition: Recognition,
        session: DeviceSession,
        at: datetime | None = None,
        visual: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """An IntentRequest with every declared slot, resolutions as the NLU produced them."""
        intent = {
            "name": recognition.intent,
            "confirmationStatus": "NONE",
            "slots": {name: slot.to_alexa() for name, slot in recognition.slots.items()},
        }
        request = {"type": "IntentRequest", "dialogState": "COMPLETED", "intent": intent}
        return self.envelope(request, session, at, visual)

    def user_event(
        self,
        touch: dict[str, Any],
        session: DeviceSession,
        at: datetime | None = None,
        visual: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """An Alexa.Presentation.APL.UserEvent: what a SendEvent command sends on a touch.

        `touch`: token (of the document touched), arguments (the SendEvent's) and source (the
        component and handler, e.g. {"type": "TouchWrapper", "handler": "Press", ...}).
        """
        request = {"type": USER_EVENT, **touch}
        return self.envelope(request, session, at, visual)

    def connections_response(
        self,
        name: str,
        status: tuple[str, str],
        payload: dict[str, Any] | None,
        token: str,
        session: DeviceSession,
        at: datetime | None = None,
        visual: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """A Connections.Response: Alexa's answer to the skill's Connections.SendRequest.

        `status`: (code, message), "200" when the task ran; `payload` e.g. for AskFor
        {"status": "ACCEPTED", "permissionScopes": [...]}; `token` the directive's, as sent.
        """
        request: dict[str, Any] = {
            "type": "Connections.Response",
            "name": name,
            "status": {"code": status[0], "message": status[1]},
            "token": token,
        }
        if payload is not None:
            request["payload"] = payload
        return self.envelope(request, session, at, visual)

    def session_ended(
        self,
        reason: str,
        session: DeviceSession,
        at: datetime | None = None,
        visual: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        if reason not in SESSION_END_REASONS:
            raise ValueError(f"unknown SessionEndedRequest reason {reason!r}")
        request: dict[str, Any] = {"type": "SessionEndedRequest", "reason": reason}
        if reason == "ERROR":
            request["error"] = {"type": "INVALID_RESPONSE", "message": "simulated error"}
        return self.envelope(request, session, at, visual)


def summary(envelope: dict[str, Any]) -> dict[str, Any]:
    """The parts of a request worth showing: type, intent, session id, new, attributes."""
    request = envelope.get("request", {})
    session = envelope.get("session")
    out: dict[str, Any] = {"type": request.get("type"), "locale": request.get("locale")}
    if "intent" in request:
        out["intent"] = request["intent"]["name"]
    if "reason" in request:
        out["reason"] = request["reason"]
    if request.get("type") == "Connections.Response":
        out["name"] = request.get("name")
        out["status"] = request.get("status")
        out["payload"] = request.get("payload")
    if request.get("type") == USER_EVENT:
        out["arguments"] = request.get("arguments")
    if session is not None:
        out["session"] = {
            "id": session["sessionId"],
            "new": session["new"],
            "attributes": sorted(session["attributes"]),
        }
    return out
