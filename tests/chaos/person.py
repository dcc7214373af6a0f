"""People talking to the server over HTTP, as tests/conversation.py does in process.

A `Person` is a `Conversation` whose requests go over a real socket: session attributes carried
from each answer to the next request, and a device clock that advances by what each answer
plays, so the hands-free holds a set played are counted (and saved) by the next request. Each
person stretches in a loop: launch, start the seated stretch, "ready" for the second leg, then
silence (the session ends); on a failed request the device gives up on the session, as an Echo
does, and the person launches again. Every request is timed and its status recorded.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import requests
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.builders import RequestBuilder, new_session_id
from tests.certs import sign_body
from tests.checks import check_response
from tests.conversation import Conversation, Reply

#: Alexa gives up on a skill after 8 s; so does our device.
ALEXA_TIMEOUT_S = 8.0
#: A pause between a person's requests (real time; the device clock moves on its own).
THINK_S = 0.1
SEATED = ("seated stretch", "seated")

Status = int | str  # an HTTP status, or "timeout", "no answer", "bad answer"


@dataclass(frozen=True)
class Sample:
    group: str  # "person", "healthz", or a fault's own load (e.g. "new cert URL")
    phase: str  # "warm-up", "fault", "recovery": when the request was sent
    latency_s: float
    status: Status
    sent_at: float = 0.0  # time.monotonic() when sent


@dataclass
class Stage:
    """The phase every thread reads when it sends, and the event that stops them."""

    phase: str = "warm-up"
    stop: threading.Event = field(default_factory=threading.Event)
    lifted_at: float = 0.0  # time.monotonic() when the fault window closed


class Recorder:
    """Samples from all threads (list.append is atomic in CPython)."""

    def __init__(self) -> None:
        self.samples: list[Sample] = []

    def add(self, sample: Sample) -> None:
        self.samples.append(sample)


@dataclass(frozen=True)
class Signer:
    """Signs bodies as Alexa does: a leaf key and the URL of its certificate chain."""

    cert_url: str
    key: rsa.RSAPrivateKey

    def headers(self, body: bytes) -> dict[str, str]:
        return {"SignatureCertChainUrl": self.cert_url, "Signature-256": sign_body(body, self.key)}


def timed_post(
    http: requests.Session, url: str, body: bytes, headers: dict[str, str]
) -> tuple[float, Status, requests.Response | None]:
    """One POST: (seconds, status, response); a timeout or a dropped connection is a status."""
    started = time.perf_counter()
    try:
        response = http.post(url, data=body, headers=headers, timeout=ALEXA_TIMEOUT_S)
    except requests.Timeout:
        return time.perf_counter() - started, "timeout", None
    except requests.RequestException:
        return time.perf_counter() - started, "no answer", None
    return time.perf_counter() - started, response.status_code, response


class RequestFailed(Exception):
    """The device got no usable answer; the session is over."""


class Person(Conversation):
    """One person on one device, talking over HTTP; see the module docstring."""

    def __init__(
        self,
        base_url: str,
        builder: RequestBuilder,
        stage: Stage,
        recorder: Recorder,
        signer: Signer | None = None,
    ) -> None:
        super().__init__(client=None, builder=builder)  # type: ignore[arg-type]
        self.url = f"{base_url}/alexa"
        self.stage = stage
        self.recorder = recorder
        self.signer = signer
        self.http = requests.Session()
        self.http.trust_env = False
        self.last: Reply | None = None
        self.turn = 0  # the next request of the session: see next_turn
        self.finished: Counter[str] = Counter()  # holds finished, by the phase they were told in

    def post(self, envelope: dict[str, Any]) -> Reply:
        body = json.dumps(envelope).encode()
        headers = {"Content-Type": "application/json"}
        if self.signer is not None:
            headers |= self.signer.headers(body)
        phase = self.stage.phase
        if not self.new and self.last is not None and self.last.playing:
            # this request is sent after the last answer played to its end: its holds are done
            self.finished[phase] += len(self.last.playing["holds"])
        sent = time.monotonic()
        latency, status, response = timed_post(self.http, self.url, body, headers)
        reply = None
        if response is not None and status == 200:
            try:
                reply = Reply(response.json())
                check_response(reply.body)
            except (ValueError, KeyError, TypeError, AssertionError):
                status, reply = "bad answer", None
        self.recorder.add(Sample("person", phase, latency, status, sent))
        if reply is None:
            self._give_up()
            raise RequestFailed(status)
        self.attributes, self.new, self.last = reply.attributes, False, reply
        self._last_sent, self._last_plays = self.clock, reply.plays_seconds
        if reply.ended:
            self.attributes, self.session_id, self.new = {}, new_session_id(), True
        return reply

    def _give_up(self) -> None:
        """What an Echo does when the skill fails: an error sound, the session ends."""
        self.attributes, self.session_id, self.new, self.last = {}, new_session_id(), True, None
        self.turn = 0
        self.wait(10)

    def next_turn(self) -> None:
        """The next request of a session: launch, start the seated stretch, "ready" once the
        right leg has played, then silence (the session ends)."""
        turn = self.turn
        if turn == 0:
            self.launch()
        elif turn == 1:
            self.say("StartStretchIntent", Stretch=SEATED)
        elif turn == 2:
            self.say("AMAZON.NextIntent")
        else:
            self.end_session("EXCEEDED_MAX_REPROMPTS")
            self.attributes, self.session_id, self.new = {}, new_session_id(), True
        self.turn = 0 if self.new else turn + 1  # an ended session starts over

    def run(self) -> None:
        """Stretch, session after session, until the stage says stop; the next stage goes on
        from the same turn of the same session."""
        while not self.stage.stop.is_set():
            with contextlib.suppress(RequestFailed):
                self.next_turn()

    def launch(self, at: float | None = None) -> Reply:
        self._pause()
        return super().launch(at)

    def say(self, intent: str, at: float | None = None, **slots: Any) -> Reply:
        self._pause()
        return super().say(intent, at, **slots)

    def end_session(self, reason: str = "USER_INITIATED", at: float | None = None) -> Reply:
        self._pause()
        return super().end_session(reason, at)

    def _pause(self) -> None:
        """Think a moment; stop (between requests) once the stage says so."""
        if self.stage.stop.wait(THINK_S):
            raise RequestFailed("stopped")


def new_builder(user_id: str, api_endpoint: str) -> RequestBuilder:
    """A device of its own for each person, starting now."""
    return RequestBuilder(
        user_id=user_id,
        device_id=f"amzn1.ask.device.{user_id.rsplit('.', 1)[-1]}",
        api_endpoint=api_endpoint,
        now=datetime.now(UTC).replace(microsecond=0),
    )
