"""A Settings API that does not resolve or never answers costs one launch at most
api_guard.CALL_DEADLINE_S, the next launches nothing (the failure is remembered per endpoint),
and one call probes it again after the window (issue 17, finding 4)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from skill.alexa.api_client import TimeoutApiClient
from skill.alexa.api_guard import (
    CALL_DEADLINE_S,
    ApiSkipped,
    ApiUnreachable,
    DeadlineCalls,
    EndpointBreaker,
)
from skill.config import Config
from skill.web.app import create_app
from tests.builders import RequestBuilder

UNRESOLVABLE = "api.unresolvable.test"
ZONE = "America/Los_Angeles"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def slow_resolver(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """getaddrinfo takes 5 s and fails for UNRESOLVABLE (a resolver that times out), as it did
    in the audit; other names resolve as usual. Returns the names asked for."""
    real = socket.getaddrinfo
    asked: list[str] = []

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        asked.append(host)
        if host == UNRESOLVABLE:
            time.sleep(5)
            raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked


class SilentApi:
    """A local port that accepts connections and says nothing, until `heal()`: then it answers
    every request as the Settings API would."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0), backlog=64)
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.healed = threading.Event()
        self.requests = 0
        self._held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def heal(self) -> None:
        self.healed.set()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            if not self.healed.is_set():
                self._held.append(conn)  # never answered
                continue
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            conn.recv(65536)
            self.requests += 1
            body = f'"{ZONE}"'.encode()
            conn.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
                + f"Content-Length: {len(body)}\r\n\r\n".encode()
                + body
            )

    def close(self) -> None:
        self.listener.close()
        for conn in self._held:
            conn.close()


@pytest.fixture
def silent_api() -> Iterator[SilentApi]:
    api = SilentApi()
    try:
        yield api
    finally:
        api.close()


@pytest.fixture
def app(config: Config) -> Flask:
    return create_app(config)


def api_client_of(app: Flask) -> TimeoutApiClient:
    client = app.extensions["alexa_endpoint"].skill.api_client
    assert isinstance(client, TimeoutApiClient)
    return client


def timed_launch(client: FlaskClient, endpoint: str, device: str) -> float:
    builder = RequestBuilder(api_endpoint=endpoint, device_id=f"amzn1.ask.device.{device}")
    started = time.monotonic()
    response = client.post("/alexa", json=builder.launch())
    elapsed = time.monotonic() - started
    assert response.status_code == 200
    assert response.get_json()["response"]["outputSpeech"]  # the person is answered
    return elapsed


def test_an_unresolvable_api_costs_one_launch_the_deadline_and_the_next_nothing(
    app: Flask, slow_resolver: list[str]
) -> None:
    client = app.test_client()
    first = timed_launch(client, f"https://{UNRESOLVABLE}", "KITCHEN")
    assert first < 1.5
    assert first >= CALL_DEADLINE_S * 0.9  # it did wait for the API, up to the deadline
    second = timed_launch(client, f"https://{UNRESOLVABLE}", "BEDROOM")
    assert second < 0.3  # remembered: no second wait on the resolver
    assert slow_resolver.count(UNRESOLVABLE) == 1


def test_a_silent_api_costs_one_launch_and_heals_after_the_window(
    app: Flask, silent_api: SilentApi
) -> None:
    clock = Clock()
    api_client_of(app).calls.breaker.clock = clock
    client = app.test_client()
    assert timed_launch(client, silent_api.url, "D1") < 1.5
    for device in ("D2", "D3", "D4"):
        assert timed_launch(client, silent_api.url, device) < 0.3
    silent_api.heal()
    clock.now += 59
    timed_launch(client, silent_api.url, "D5")
    assert silent_api.requests == 0  # still inside the window: not asked
    clock.now += 2
    assert timed_launch(client, silent_api.url, "D6") < 1.5
    assert silent_api.requests == 1  # the probe
    zones = api_client_of(app).time_zones
    assert zones.get((silent_api.url, "amzn1.ask.device.D6")) == ZONE
    timed_launch(client, silent_api.url, "D7")
    assert silent_api.requests == 2  # closed again: every new device is asked


# --------------------------------------------------------------------------------------------
# the parts


def test_one_probe_at_a_time_and_its_outcome_decides() -> None:
    clock = Clock()
    breaker = EndpointBreaker(retry_s=60, clock=clock)
    breaker.failed("a")
    assert not breaker.allow("a")
    assert breaker.allow("b")
    clock.now += 60
    assert breaker.allow("a")  # the probe
    assert not breaker.allow("a")  # only one
    breaker.failed("a")
    assert not breaker.allow("a")
    clock.now += 60
    assert breaker.allow("a")
    breaker.released("a")  # granted but not made: the next caller probes
    assert breaker.allow("a")
    breaker.succeeded("a")
    assert breaker.allow("a")
    assert breaker.allow("a")


def test_remembered_endpoints_are_bounded() -> None:
    breaker = EndpointBreaker(max_endpoints=3)
    for endpoint in "abcd":
        breaker.failed(endpoint)
    assert breaker.allow("a")  # the oldest was forgotten
    assert not any(breaker.allow(endpoint) for endpoint in "bcd")


def test_a_steadily_slow_api_costs_one_launch_and_the_next_ones_nothing() -> None:
    """An API that always answers, but after the deadline (0.8 s against 0.6 s): the caller
    gave up, so the late answer is useless and counts as a failure. The first launch waits the
    deadline; the next ones, after that late answer has come in, do not wait at all."""
    calls = DeadlineCalls()  # the production deadline
    answered = threading.Event()

    def slow_api() -> str:
        time.sleep(0.8)
        answered.set()
        return "answered"

    started = time.monotonic()
    with pytest.raises(ApiUnreachable):
        calls.call("slow", slow_api)
    assert CALL_DEADLINE_S * 0.9 <= time.monotonic() - started < CALL_DEADLINE_S + 0.2
    assert answered.wait(2)
    time.sleep(0.05)  # the worker publishes its outcome after the answer
    for _ in range(3):
        started = time.monotonic()
        with pytest.raises(ApiSkipped):
            calls.call("slow", slow_api)
        assert time.monotonic() - started < 0.05


def test_an_answer_in_time_closes_the_breaker_after_its_probe() -> None:
    """Only an answer the caller still waited for proves the endpoint useful again."""
    clock = Clock()
    calls = DeadlineCalls(deadline_s=0.2, breaker=EndpointBreaker(retry_s=60, clock=clock))
    release = threading.Event()
    with pytest.raises(ApiUnreachable):
        calls.call("slow", lambda: release.wait(5))
    release.set()
    time.sleep(0.1)  # its late completion is in (and counted as a failure)
    assert not calls.breaker.allow("slow")
    clock.now += 60
    assert calls.call("slow", lambda: "answered") == "answered"  # the probe, in time
    assert calls.call("slow", lambda: "again") == "again"  # closed: no probe needed


def test_worker_threads_are_bounded_and_a_full_house_does_not_wait() -> None:
    calls = DeadlineCalls(deadline_s=0.1, max_in_flight=4)
    release = threading.Event()
    before = threading.active_count()
    outcomes: list[str] = []
    started = time.monotonic()
    for n in range(20):  # 20 endpoints, all hanging
        try:
            calls.call(f"endpoint-{n}", lambda: release.wait(5))
        except ApiUnreachable:
            outcomes.append("deadline")
        except ApiSkipped:
            outcomes.append("skipped")
    elapsed = time.monotonic() - started
    assert outcomes == ["deadline"] * 4 + ["skipped"] * 16
    assert elapsed < 4 * 0.1 + 0.5  # the skipped ones did not wait
    assert threading.active_count() - before <= 4
    release.set()
    for _ in range(100):
        if threading.active_count() <= before:
            break
        time.sleep(0.01)
    assert threading.active_count() <= before
    assert calls.call("endpoint-new", lambda: 7) == 7  # slots are given back
