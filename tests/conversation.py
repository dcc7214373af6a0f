"""A device in a test: posts turns to the Flask endpoint and carries session attributes from
each response into the next request, as an Echo does. Every response is checked."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask.testing import FlaskClient

from tests.builders import RequestBuilder, SlotSpec, new_session_id
from tests.checks import (
    apla_directives,
    apla_hold_lengths,
    apla_lines,
    check_response,
    hold_lengths,
)


@dataclass
class Reply:
    body: dict[str, Any]

    @property
    def response(self) -> dict[str, Any]:
        return self.body["response"]

    @property
    def ssml(self) -> str:
        return (self.response.get("outputSpeech") or {}).get("ssml", "")

    @property
    def directive(self) -> dict[str, Any] | None:
        """The APL for Audio document, if the response has one."""
        found = apla_directives(self.response)
        return found[0] if found else None

    @property
    def text(self) -> str:
        """What is said, in playing order (outputSpeech, then the APL-A document), without
        markup, whitespace folded."""
        said = " ".join(re.sub(r"<[^>]+>", " ", self.ssml).split())
        if self.directive is None:
            return said
        return " ".join([said, *apla_lines(self.directive)]).strip()

    @property
    def reprompt(self) -> str:
        ssml = ((self.response.get("reprompt") or {}).get("outputSpeech") or {}).get("ssml", "")
        return " ".join(re.sub(r"<[^>]+>", " ", ssml).split())

    @property
    def ended(self) -> bool:
        return self.response.get("shouldEndSession") is True

    @property
    def card(self) -> dict[str, Any] | None:
        return self.response.get("card")

    @property
    def attributes(self) -> dict[str, Any]:
        return self.body.get("sessionAttributes") or {}

    @property
    def holds(self) -> list[float]:
        """Each hold's length: by the timing model in SSML, exact in an APL-A document."""
        lengths = hold_lengths(self.ssml) if self.ssml else []
        if self.directive is not None:
            lengths += apla_hold_lengths(self.directive)
        return lengths


class Conversation:
    def __init__(self, client: FlaskClient, builder: RequestBuilder) -> None:
        self.client = client
        self.builder = builder
        self.attributes: dict[str, Any] = {}
        self.session_id = new_session_id()
        self.new = True
        self.replies: list[Reply] = []

    def post(self, envelope: dict[str, Any]) -> Reply:
        result = self.client.post("/alexa", json=envelope)
        assert result.status_code == 200, result.get_data(as_text=True)
        reply = Reply(result.get_json())
        check_response(reply.body)
        self.replies.append(reply)
        self.attributes = reply.attributes
        self.new = False
        if reply.ended:
            self.attributes, self.session_id, self.new = {}, new_session_id(), True
        return reply

    def _kw(self) -> dict[str, Any]:
        return {"session_id": self.session_id, "attributes": self.attributes, "new": self.new}

    def launch(self) -> Reply:
        return self.post(self.builder.launch(**self._kw()))

    def say(self, intent: str, **slots: SlotSpec) -> Reply:
        return self.post(self.builder.intent(intent, slots, **self._kw()))

    def end_session(self, reason: str = "USER_INITIATED") -> Reply:
        return self.post(self.builder.session_ended(reason, **self._kw()))
