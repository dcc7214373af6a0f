"""A device in a test: posts turns to the Flask endpoint and carries session attributes from
each response into the next request, as an Echo does. Every response is checked."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from flask.testing import FlaskClient

from skill.voice import apla
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
    def plays_seconds(self) -> float:
        """How long a device plays this response: outputSpeech, then the APL-A document."""
        said = apla.estimate_seconds(apla.speech_ssml(self.ssml)) if self.ssml else 0.0
        if self.directive is None:
            return said
        return said + apla.estimate_seconds(self.directive["document"]["mainTemplate"]["items"][0])

    @property
    def playing(self) -> dict[str, Any] | None:
        """The skill's record of the holds this response plays (session attributes)."""
        return self.attributes.get("playing")

    @property
    def holds(self) -> list[float]:
        """Each hold's length: by the timing model in SSML, exact in an APL-A document."""
        lengths = hold_lengths(self.ssml) if self.ssml else []
        if self.directive is not None:
            lengths += apla_hold_lengths(self.directive)
        return lengths


SPEAKING_SECONDS = 1.0  # a person's reply after a response has played to its end
LISTEN_SECONDS = 8.0  # Alexa listens this long after a response, and again after the reprompt


class Conversation:
    """A device with a clock: each request's timestamp is when it would be sent on an Echo.
    By default a person speaks once the last response has played to its end; `at=` says how
    many seconds into the last response they cut in, `wait()` lets time pass."""

    def __init__(
        self, client: FlaskClient, builder: RequestBuilder, start: datetime | None = None
    ) -> None:
        self.client = client
        self.builder = builder
        self.attributes: dict[str, Any] = {}
        self.session_id = new_session_id()
        self.new = True
        self.replies: list[Reply] = []
        self.clock = start or builder.now or datetime.now(UTC).replace(microsecond=0)
        self._last_sent = self.clock
        self._last_plays = 0.0

    def _stamp(self, at: float | None) -> None:
        """Set the clock for the next request: `at` s into the last response, or after it."""
        if at is not None:
            moment = self._last_sent + timedelta(seconds=min(at, self._last_plays))
        else:
            moment = self._last_sent + timedelta(seconds=self._last_plays + SPEAKING_SECONDS)
        self.clock = max(self.clock, moment)
        self.builder.now = self.clock

    def wait(self, seconds: float) -> None:
        """Time passes after the last response has played (a later launch, the next day)."""
        self._stamp(None)
        self.clock += timedelta(seconds=seconds)
        self._last_sent, self._last_plays = self.clock, 0.0

    def post(self, envelope: dict[str, Any]) -> Reply:
        result = self.client.post("/alexa", json=envelope)
        assert result.status_code == 200, result.get_data(as_text=True)
        reply = Reply(result.get_json())
        check_response(reply.body)
        self.replies.append(reply)
        self.attributes = reply.attributes
        self.new = False
        self._last_sent, self._last_plays = self.clock, reply.plays_seconds
        if reply.ended:
            self.attributes, self.session_id, self.new = {}, new_session_id(), True
        return reply

    def _kw(self) -> dict[str, Any]:
        return {"session_id": self.session_id, "attributes": self.attributes, "new": self.new}

    def launch(self, at: float | None = None) -> Reply:
        self._stamp(at)
        return self.post(self.builder.launch(**self._kw()))

    def say(self, intent: str, at: float | None = None, **slots: SlotSpec) -> Reply:
        self._stamp(at)
        return self.post(self.builder.intent(intent, slots, **self._kw()))

    def end_session(self, reason: str = "USER_INITIATED", at: float | None = None) -> Reply:
        """The session ends: `at` s into the last response (the person left), or, by default
        for EXCEEDED_MAX_REPROMPTS, after the listening, the reprompt and the listening again."""
        if at is None and reason == "EXCEEDED_MAX_REPROMPTS":
            self.wait(2 * LISTEN_SECONDS + 5 - SPEAKING_SECONDS)
        self._stamp(at)
        return self.post(self.builder.session_ended(reason, **self._kw()))
