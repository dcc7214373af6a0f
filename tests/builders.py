"""Real Alexa request envelopes for tests: built fresh each call, never shared mutable JSON."""

from __future__ import annotations

import copy
import itertools
import uuid
from datetime import UTC, datetime
from typing import Any

APP_ID = "amzn1.ask.skill.00000000-0000-0000-0000-000000000000"
_ids = itertools.count(1)

SlotSpec = str | tuple[str, str | None]


def screen_device(
    max_version: str = "2024.3",
    pixel_width: int = 1280,
    pixel_height: int = 800,
    dpi: int = 160,
    shape: str = "RECTANGLE",
    mode: str = "HUB",
) -> dict[str, Any]:
    """What a device with a screen adds to `context`: APL in its supportedInterfaces with the
    runtime's maxVersion, and the `Viewport` object (ask-sdk-model's ViewportState). The
    defaults are an Echo Show 8-class landscape hub."""
    return {
        "interfaces": {"Alexa.Presentation.APL": {"runtime": {"maxVersion": max_version}}},
        "Viewport": {
            "experiences": [
                {
                    "arcMinuteWidth": 221,
                    "arcMinuteHeight": 162,
                    "canRotate": False,
                    "canResize": False,
                }
            ],
            "mode": mode,
            "shape": shape,
            "pixelWidth": pixel_width,
            "pixelHeight": pixel_height,
            "dpi": dpi,
            "currentPixelWidth": pixel_width,
            "currentPixelHeight": pixel_height,
            "touch": ["SINGLE"],
            "keyboard": [],
            "video": {"codecs": ["H_264_42", "H_264_41"]},
        },
    }


ECHO_SHOW = screen_device()
ECHO_SHOW_ROUND = screen_device(pixel_width=480, pixel_height=480, shape="ROUND")


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class RequestBuilder:
    """Builds request envelopes as an Echo would send them."""

    def __init__(
        self,
        *,
        user_id: str = "amzn1.ask.account.TESTUSER",
        device_id: str = "amzn1.ask.device.TESTDEVICE",
        application_id: str = APP_ID,
        locale: str = "en-US",
        api_endpoint: str = "https://api.amazonalexa.com",
        api_access_token: str = "test-token",
        now: datetime | None = None,
        screen: dict[str, Any] | None = None,
    ) -> None:
        """`screen`: a device with a screen (screen_device()); None: a speaker (Echo Dot)."""
        self.screen = screen
        self.user_id = user_id
        self.device_id = device_id
        self.application_id = application_id
        self.locale = locale
        self.api_endpoint = api_endpoint
        self.api_access_token = api_access_token
        self.now = now

    def timestamp(self) -> str:
        return iso(self.now or datetime.now(UTC))

    def _context(self) -> dict[str, Any]:
        interfaces: dict[str, Any] = {"Alexa.Presentation.APLA": {}}
        context: dict[str, Any] = {
            "System": {
                "application": {"applicationId": self.application_id},
                "user": {"userId": self.user_id},
                "device": {"deviceId": self.device_id, "supportedInterfaces": interfaces},
                "apiEndpoint": self.api_endpoint,
                "apiAccessToken": self.api_access_token,
            }
        }
        if self.screen is not None:
            interfaces.update(copy.deepcopy(self.screen["interfaces"]))
            context["Viewport"] = copy.deepcopy(self.screen["Viewport"])
        return context

    def _session(
        self, session_id: str, attributes: dict[str, Any] | None, new: bool
    ) -> dict[str, Any]:
        return {
            "new": new,
            "sessionId": session_id,
            "application": {"applicationId": self.application_id},
            "user": {"userId": self.user_id},
            "attributes": dict(attributes or {}),
        }

    def envelope(
        self,
        request: dict[str, Any],
        *,
        session_id: str | None = "amzn1.echo-api.session.TEST",
        attributes: dict[str, Any] | None = None,
        new: bool = False,
    ) -> dict[str, Any]:
        request = {
            "requestId": f"amzn1.echo-api.request.{next(_ids)}",
            "timestamp": self.timestamp(),
            "locale": self.locale,
            **request,
        }
        envelope: dict[str, Any] = {
            "version": "1.0",
            "context": self._context(),
            "request": request,
        }
        if session_id is not None:
            envelope["session"] = self._session(session_id, attributes, new)
        return envelope

    def launch(self, **kw: Any) -> dict[str, Any]:
        kw.setdefault("new", True)
        return self.envelope({"type": "LaunchRequest"}, **kw)

    def intent(
        self, name: str, slots: dict[str, SlotSpec] | None = None, **kw: Any
    ) -> dict[str, Any]:
        """An IntentRequest; a slot given as (words, id) resolves like a custom slot type,
        (words, None) is a custom slot Alexa could not resolve, plain words a built-in type."""
        built = {}
        for slot, spec in (slots or {}).items():
            built[slot] = slot_json(slot, spec)
        intent = {"name": name, "confirmationStatus": "NONE", "slots": built}
        return self.envelope(
            {"type": "IntentRequest", "dialogState": "COMPLETED", "intent": intent}, **kw
        )

    def user_event(
        self,
        arguments: list[Any] | None,
        token: str | None = "hamstring-coach-screen",
        **kw: Any,
    ) -> dict[str, Any]:
        """A touch on the screen: `Alexa.Presentation.APL.UserEvent` with the SendEvent's
        arguments, the document's token and the component that sent it."""
        request: dict[str, Any] = {
            "type": "Alexa.Presentation.APL.UserEvent",
            "source": {"type": "TouchWrapper", "handler": "Press", "id": "button"},
        }
        if token is not None:
            request["token"] = token
        if arguments is not None:
            request["arguments"] = list(arguments)
        return self.envelope(request, **kw)

    def session_ended(self, reason: str = "USER_INITIATED", **kw: Any) -> dict[str, Any]:
        return self.envelope({"type": "SessionEndedRequest", "reason": reason}, **kw)

    def skill_event(self, event_type: str = "AlexaSkillEvent.SkillDisabled") -> dict[str, Any]:
        env = self.envelope(
            {
                "type": event_type,
                "eventCreationTime": self.timestamp(),
                "eventPublishingTime": self.timestamp(),
            },
            session_id=None,
        )
        env["context"]["System"].pop("device")
        return env


def slot_json(name: str, spec: SlotSpec) -> dict[str, Any]:
    if isinstance(spec, str):
        return {"name": name, "value": spec, "confirmationStatus": "NONE"}
    words, slot_id = spec
    authority = f"amzn1.er-authority.echo-sdk.{APP_ID}.STRETCH_NAME"
    if slot_id is None:
        resolution = {"authority": authority, "status": {"code": "ER_SUCCESS_NO_MATCH"}}
    else:
        resolution = {
            "authority": authority,
            "status": {"code": "ER_SUCCESS_MATCH"},
            "values": [{"value": {"name": words, "id": slot_id}}],
        }
    return {
        "name": name,
        "value": words,
        "confirmationStatus": "NONE",
        "resolutions": {"resolutionsPerAuthority": [resolution]},
    }


def new_session_id() -> str:
    return f"amzn1.echo-api.session.{uuid.uuid4()}"
