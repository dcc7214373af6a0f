"""Keeps a slow Alexa service API from slowing the skill: one overall deadline per call, a few
worker threads at most, and a remembered failure per API endpoint.

Why each bound (issue 17, finding 4): socket timeouts do not cover name resolution, so a host
that does not resolve cost 5 s per launch; nothing remembered the failure, so every new device
paid it again, and at 64 connections the skill served nothing. Now a call is given up after
`CALL_DEADLINE_S` whatever the network does (the thread making it finishes on its own socket
timeouts, or when the resolver gives up); at most `MAX_CALLS_IN_FLIGHT` such threads exist,
and a call that would need one more is refused at once; an endpoint that timed out or could not
be reached is skipped for `ENDPOINT_RETRY_S`, then one call probes it. A skipped or failed
call is a ServiceException, which the time zone lookup already answers with UTC.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import TypeVar

from ask_sdk_model.services.service_exception import ServiceException

log = logging.getLogger(__name__)

T = TypeVar("T")

# Everything the launch does besides this call takes well under 100 ms; the whole answer must
# stay within 1.5 s (and Alexa's 8 s). The Settings API normally answers in ~0.1-0.2 s.
CALL_DEADLINE_S = 0.6
# serve runs 4 request threads per worker, each making one call at a time; twice that leaves
# every request thread a worker even while four calls hang on a resolver (a failing endpoint
# can catch up to four before its first deadline opens the breaker).
MAX_CALLS_IN_FLIGHT = 8
# A timed-out or unreachable endpoint is left alone this long, then probed by one call.
ENDPOINT_RETRY_S = 60.0
# Endpoints remembered (Amazon has three; a dev server can be sent any).
MAX_ENDPOINTS = 64


class ApiUnreachable(ServiceException):
    """The API's host could not be resolved, connected to or read from in time."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"Alexa API unreachable: {reason}", 0, None, None)


class ApiSkipped(ServiceException):
    """The call was not made: its endpoint failed recently, or every worker is busy."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"Alexa API call skipped: {reason}", 0, None, None)


@dataclass
class _Open:
    retry_at: float
    probing: bool = False


class EndpointBreaker:
    """Per endpoint: closed (calls go through) until a call times out or cannot reach it; then
    open (calls skipped) for `retry_s`; then one probe call, whose outcome closes or reopens it.
    Shared by a worker's threads; bounded to `max_endpoints` open endpoints (the oldest goes)."""

    def __init__(
        self,
        retry_s: float = ENDPOINT_RETRY_S,
        max_endpoints: int = MAX_ENDPOINTS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.retry_s = retry_s
        self.max_endpoints = max_endpoints
        self.clock = clock
        self._open: OrderedDict[str, _Open] = OrderedDict()
        self._lock = threading.Lock()

    def allow(self, endpoint: str) -> bool:
        """Whether a call to `endpoint` may go out now (True for the one probe when due)."""
        with self._lock:
            state = self._open.get(endpoint)
            if state is None:
                return True
            if state.probing or self.clock() < state.retry_at:
                return False
            state.probing = True
            return True

    def failed(self, endpoint: str) -> None:
        with self._lock:
            if endpoint not in self._open:
                log.warning("Alexa API %s unreachable: skipped for %.0f s", endpoint, self.retry_s)
            self._open[endpoint] = _Open(self.clock() + self.retry_s)
            self._open.move_to_end(endpoint)
            while len(self._open) > self.max_endpoints:
                self._open.popitem(last=False)

    def succeeded(self, endpoint: str) -> None:
        with self._lock:
            if self._open.pop(endpoint, None) is not None:
                log.info("Alexa API %s reachable again", endpoint)

    def released(self, endpoint: str) -> None:
        """A granted call was not made after all: let the next one probe instead."""
        with self._lock:
            state = self._open.get(endpoint)
            if state is not None:
                state.probing = False


@dataclass
class _Call:
    """Who came first, the answer or the caller giving up (decided under `lock`)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    finished: bool = False
    gave_up: bool = False


class DeadlineCalls:
    """Runs calls on a few daemon threads and waits for each at most `deadline_s`.

    A call the caller stopped waiting for opens the breaker, and so does its late completion,
    even a success: an endpoint that answers after the deadline is too slow to be useful, and
    closing the breaker on that answer would make every launch wait the deadline again (a
    steady 0.8 s API cost each launch 0.6 s). A call answered in time closes it, unless it
    raised `ApiUnreachable`, which opens it; an HTTP error is still an answer.
    """

    def __init__(
        self,
        deadline_s: float = CALL_DEADLINE_S,
        max_in_flight: int = MAX_CALLS_IN_FLIGHT,
        breaker: EndpointBreaker | None = None,
    ) -> None:
        self.deadline_s = deadline_s
        self.breaker = breaker or EndpointBreaker()
        self._slots = threading.BoundedSemaphore(max_in_flight)

    def call(self, endpoint: str, work: Callable[[], T]) -> T:
        """`work()`'s result, or ApiSkipped / ApiUnreachable within `deadline_s`."""
        if not self._slots.acquire(blocking=False):
            raise ApiSkipped("all workers busy")
        if not self.breaker.allow(endpoint):
            self._slots.release()
            raise ApiSkipped("endpoint failed recently")
        future: Future[T] = Future()
        call = _Call()
        try:
            threading.Thread(
                target=self._run, args=(endpoint, work, future, call), name="alexa-api", daemon=True
            ).start()
        except RuntimeError:  # cannot start a thread (interpreter shutting down, no memory)
            self._slots.release()
            self.breaker.released(endpoint)
            raise ApiSkipped("no worker thread") from None
        try:
            return future.result(timeout=self.deadline_s)
        except FutureTimeout:
            with call.lock:
                answered_in_time = call.finished
                call.gave_up = not answered_in_time
            if answered_in_time:  # finished at the deadline: its outcome is on its way
                return future.result()
            self.breaker.failed(endpoint)
            raise ApiUnreachable(f"no answer within {self.deadline_s:g} s") from None

    def _run(self, endpoint: str, work: Callable[[], T], future: Future[T], call: _Call) -> None:
        outcome: BaseException | None = None
        result: T | None = None
        try:
            result = work()
        except BaseException as exc:  # handed to the caller, who decides
            outcome = exc
        with call.lock:
            call.finished = True
            late = call.gave_up
        if late or isinstance(outcome, ApiUnreachable):
            self.breaker.failed(endpoint)
        else:
            self.breaker.succeeded(endpoint)  # it answered (an HTTP error is still an answer)
        self._slots.release()  # before the caller wakes: its next call finds the slot free
        if outcome is not None:
            future.set_exception(outcome)
        else:
            future.set_result(result)  # type: ignore[arg-type]
