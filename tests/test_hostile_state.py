"""Session attributes are untrusted input (issue 17, finding 3): whatever a client sends back as
session attributes (`serve --dev`, or any validly signed request), the skill answers 200, sends
back only a clean SessionState, and spends bounded time and bytes on it.

The property test mutates states the skill really wrote (harvested from a conversation) with
hostile values (infinities, NaN, huge or fractional numbers, long strings and lists, deep
nesting, unknown keys) and posts them through the real /alexa endpoint. The named tests are the
audit's own cases.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skill.config import MAX_BODY_BYTES, Config
from skill.core.content import load_content
from skill.core.session_state import SessionState
from skill.web.app import create_app
from tests.builders import RequestBuilder
from tests.conversation import Conversation
from tests.hostile import body_of, hostile_attributes

CONTENT = load_content()
SEATED = ("seated stretch", "seated")
# Alexa's limit for a whole response is 24 KB; the biggest legitimate answer (a set of three
# holds as an APL-A document, tests below) is about 9 KB, and hostile attributes must never
# make one bigger than what the skill says on its own.
MAX_RESPONSE_BYTES = 24 * 1024
# The biggest state the skill writes is under 1 KB (a running routine, the recipe for repeat
# with its own routine, a set's 6 holds, the preferences); nothing a client sends may grow it.
MAX_ATTRIBUTES_BYTES = 1024
MAX_REQUEST_MS = 50.0  # per request, for any attributes up to the body limit (128 KB)
INTENTS = (
    "AMAZON.NextIntent",
    "AMAZON.RepeatIntent",
    "AMAZON.ResumeIntent",
    "AMAZON.PauseIntent",
    "AMAZON.PreviousIntent",
    "AMAZON.StartOverIntent",
    "AMAZON.YesIntent",
    "AMAZON.NoIntent",
    "AMAZON.HelpIntent",
    "AMAZON.FallbackIntent",
    "AMAZON.StopIntent",
    "HowManyLeftIntent",
    "HowLongIntent",
    "SetHoldLengthIntent",
    "ProgressIntent",
    "StepByStepIntent",
    "RedFlagIntent",
)
# The Settings API (time zone) answers at once with a refusal here, so the times measured are
# the skill's own (a silent API is finding 4's, not this one's).
NO_API = "http://127.0.0.1:9"


class Failures(logging.Handler):
    """Collects the catch-all handler's "handler failed" lines: a hostile state must not
    make any handler fail, not even into the polite error answer."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> FlaskClient:
    tmp: Path = tmp_path_factory.mktemp("hostile")
    config = Config(verify_requests=False, database_url=f"sqlite:///{tmp}/progress.sqlite3")
    return create_app(config).test_client()


@pytest.fixture(scope="module")
def failures() -> Iterator[Failures]:
    handler = Failures()
    logger = logging.getLogger("skill.alexa.handlers.errors")
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)


@pytest.fixture(scope="module")
def legit(client: FlaskClient) -> list[dict[str, Any]]:
    """Every state the skill wrote in a conversation that goes through most of what it keeps:
    a set under way, a step-by-step hold, pause, repeat, a changed hold length, progress."""
    builder = RequestBuilder(user_id="amzn1.ask.account.HARVEST", api_endpoint=NO_API)
    talk = Conversation(client, builder)
    talk.launch()
    talk.say("StartStretchIntent", Stretch=("my routine", "full"))
    talk.say("AMAZON.NextIntent", at=5.0)
    talk.say("AMAZON.PauseIntent")
    talk.say("AMAZON.RepeatIntent")
    talk.say("AMAZON.ResumeIntent")
    talk.say("HowManyLeftIntent", at=40.0)
    talk.say("SetHoldLengthIntent", Seconds="45")
    talk.say("StepByStepIntent")
    talk.say("StartStretchIntent", Stretch=SEATED)
    talk.say("AMAZON.HelpIntent")
    talk.say("ProgressIntent")
    talk.say("InjuryCareIntent")
    talk.say("BouncingIntent")
    talk.say("AMAZON.StopIntent")
    talk.launch()  # a launch that offers the saved routine
    states = [reply.attributes for reply in talk.replies if reply.attributes]
    unique = {json.dumps(state, sort_keys=True): state for state in states}
    return list(unique.values())


def post(client: FlaskClient, intent: str, attributes: Any) -> tuple[int, bytes, float, int]:
    """Status, body, the best of three times (ms) for one request with these attributes, and
    the request's size."""
    builder = RequestBuilder(api_endpoint=NO_API)
    slots = {"Seconds": "45"} if intent == "SetHoldLengthIntent" else None
    envelope = builder.intent(intent, slots)
    envelope["session"]["attributes"] = attributes  # as sent, whatever it is
    body = body_of(envelope)
    best = math.inf
    for _ in range(3):
        started = time.perf_counter()
        result = client.post("/alexa", data=body, content_type="application/json")
        best = min(best, (time.perf_counter() - started) * 1000)
    return result.status_code, result.get_data(), best, len(body)


def assert_clean_answer(status: int, body: bytes, failures: Failures) -> dict[str, Any]:
    """200, no handler failed, a bounded answer whose attributes are exactly a clean state."""
    assert status == 200, body[:300]
    assert not failures.lines, failures.lines
    assert len(body) < MAX_RESPONSE_BYTES
    answer = json.loads(body)
    attributes = answer.get("sessionAttributes") or {}
    assert len(json.dumps(attributes)) < MAX_ATTRIBUTES_BYTES
    # a fixed point of the cleaner: only known keys, each value one the skill could write
    assert SessionState.from_dict(attributes, CONTENT).to_dict() == attributes
    return answer


def test_the_legitimate_states_are_within_the_bounds(
    client: FlaskClient, legit: list[dict[str, Any]], failures: Failures
) -> None:
    """The bounds are not tighter than what the skill itself writes and says."""
    assert any("playing" in state for state in legit)
    assert any("prefs" in state for state in legit)
    for state in legit:
        assert len(json.dumps(state)) < MAX_ATTRIBUTES_BYTES
        for intent in INTENTS:
            assert_clean_answer(*post(client, intent, state)[:2], failures)


@settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_hostile_attributes_get_a_clean_bounded_answer(
    client: FlaskClient, legit: list[dict[str, Any]], failures: Failures, data: st.DataObject
) -> None:
    failures.lines.clear()
    attributes = data.draw(hostile_attributes(legit))
    intent = data.draw(st.sampled_from(INTENTS))
    status, body, ms, size = post(client, intent, attributes)
    if size > MAX_BODY_BYTES:
        assert status == 413  # the endpoint's limit, before the skill
        return
    if not isinstance(attributes, dict) and status == 400:
        return  # not an object: not an Alexa request envelope, refused before the skill
    assert_clean_answer(status, body, failures)
    assert ms < MAX_REQUEST_MS


# -- the audit's cases, one by one ----------------------------------------------------------


def _running() -> dict[str, Any]:
    return {
        "v": 1,
        "stretches": ["seated", "supine"],
        "reps": 3,
        "hold": 30,
        "pos": 1,
        "stage": "active",
        "done": 1,
    }


@pytest.mark.parametrize("field", ["reps", "hold", "pos", "done"])
@pytest.mark.parametrize("number", [math.inf, -math.inf, math.nan, 1e308, 10**30])
def test_a_routine_state_with_an_odd_number_is_dropped_not_raised(
    client: FlaskClient, failures: Failures, field: str, number: Any
) -> None:
    failures.lines.clear()
    attributes = {"v": 2, "routine": _running() | {field: number}, "hold_seconds": 30}
    status, body, _, _ = post(client, "AMAZON.NextIntent", attributes)
    answer = assert_clean_answer(status, body, failures)
    assert "routine" not in answer["sessionAttributes"]
    assert answer["sessionAttributes"]["hold_seconds"] == 30  # the rest is read on its own


def test_the_error_answer_carries_only_the_cleaned_state(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A handler that fails on a state with 50 KB of junk beside it: the polite error answer
    sends back the state as read and cleaned, and none of the junk."""
    from skill.alexa.handlers.routine import NextIntentHandler

    def boom(self: Any, handler_input: Any) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(NextIntentHandler, "handle", boom)
    state = {"v": 2, "routine": _running(), "hold_seconds": 30, "tz": "UTC"}
    status, body, _, _ = post(client, "AMAZON.NextIntent", state | {"junk": "x" * 50_000})
    assert status == 200
    answer = json.loads(body)
    assert "went wrong" in answer["response"]["outputSpeech"]["ssml"]
    assert answer["sessionAttributes"] == state
    assert len(body) < 2048


def test_a_state_that_cannot_be_read_at_all_is_answered_with_none(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even if reading the state itself failed, nothing the client sent goes back."""

    def unreadable(cls: Any, data: Any, content: Any) -> SessionState:
        raise RuntimeError("a bug in the reader")

    monkeypatch.setattr(SessionState, "from_known", classmethod(unreadable))
    attributes = {"v": 2, "junk": "x" * 50_000, "tz": "Europe/Paris"}
    status, body, _, _ = post(client, "AMAZON.HelpIntent", attributes)
    assert status == 200
    answer = json.loads(body)
    assert "went wrong" in answer["response"]["outputSpeech"]["ssml"]
    assert not answer.get("sessionAttributes")
    assert answer["response"]["shouldEndSession"] is False  # the session goes on


@pytest.mark.parametrize("where", ["junk", "routine", "last", "playing", "prefs"])
def test_deep_nesting_never_reaches_a_walk_or_the_encoder(
    client: FlaskClient, failures: Failures, where: str
) -> None:
    failures.lines.clear()
    for shape in ("list", "dict"):
        attributes = {"v": 2, "hold_seconds": 45, where: f"__deep_600_{shape}__"}
        status, body, _, _ = post(client, "AMAZON.RepeatIntent", attributes)
        kept = assert_clean_answer(status, body, failures)["sessionAttributes"]
        # beside the state, never looked at; inside it, the whole state is refused unread
        assert (kept.get("hold_seconds") == 45) is (where == "junk")


def _best_us(work: Any, runs: int = 30) -> float:
    best = math.inf
    for _ in range(runs):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return best * 1e6


HUGE = {  # each near the body limit (128 KB), each refused before it is walked
    "12,000 stretches": {"v": 2, "routine": _running() | {"stretches": ["seated"] * 12_000}},
    "12,000 known stretches": {"v": 2, "prefs": {"known": ["seated"] * 12_000}},
    "12,000 playback rows": {"v": 2, "playing": {"at": 1, "len": 9, "holds": [[0, 0, 1]] * 12_000}},
    "12,000 question keys": {"v": 2, "last": {"kind": "question", "keys": ["a"] * 12_000}},
    "a 120 KB time zone": {"v": 2, "tz": "x" * 120_000},
}


@pytest.mark.parametrize("name", list(HUGE))
def test_a_huge_state_is_refused_in_microseconds_not_walked(name: str) -> None:
    """Refusing the biggest state a body can carry costs no more than reading a real one
    (best of 30 runs each, so a busy machine does not decide)."""
    from skill.alexa.session_attributes import parse_state

    huge = HUGE[name]
    real = {"v": 2, "routine": _running(), "hold_seconds": 30, "tz": "Europe/Paris"}
    assert parse_state(huge, CONTENT) == SessionState()
    assert SessionState.from_dict(huge, CONTENT) == SessionState()
    refused = _best_us(lambda: SessionState.from_dict(huge, CONTENT))
    read = _best_us(lambda: SessionState.from_dict(real, CONTENT))
    assert refused < max(read, 20.0), (refused, read)
    assert _best_us(lambda: parse_state(huge, CONTENT)) < max(read, 20.0)


def test_the_bounds_hold_the_biggest_state_the_skill_can_write() -> None:
    """STATE_BOUNDS refuse nothing the skill writes: every stretch at the most reps, a recipe
    with its own routine, a question of the most keys, a whole set playing, every preference."""
    from skill.core import routine as routines
    from skill.core.playback import Playback, PlayedHold, PlayPlan
    from skill.core.preferences import Detail, Pace, Preferences
    from skill.core.session_state import (
        MAX_QUESTION_KEYS,
        STATE_BOUNDS,
        STATE_KEYS,
        Expect,
        Replay,
        TurnKind,
        plain_phrases,
    )

    limits = CONTENT.routine
    stretches = tuple(sorted(CONTENT.stretch_ids))
    state = routines.start(stretches, limits.reps_per_leg, limits.hold_seconds_max).state
    other = routines.start(stretches[:1], limits.reps_per_leg, limits.hold_seconds_min).state
    holds = tuple(PlayedHold(i, i * 10, i * 10 + 5) for i in range(state.total))
    longest = max(plain_phrases(CONTENT), key=len)
    biggest = SessionState(
        routine=state,
        hold_seconds=limits.hold_seconds_max,
        disclaimer_heard=True,
        expects=Expect.START_ROUTINE,
        time_zone="America/Argentina/ComodRivadavia",
        last=Replay(TurnKind.HOLD, other, ref="next_stretch", at_start=True, disclaimer=True),
        playing=Playback(2**53, PlayPlan(holds, 300_000)),
        prefs=Preferences(Pace.STEP, Detail.COUNT, frozenset(stretches)),
        reminder_offer="once@2026-11-29T08:00",  # the longest schedule token
    )
    assert set(biggest.to_dict()) == set(STATE_KEYS)  # a new field must be read, too
    question = Replay(TurnKind.QUESTION, keys=(longest,) * MAX_QUESTION_KEYS, reprompt=longest)
    for written in (biggest, SessionState(routine=state, last=question)):
        data = json.loads(json.dumps(written.to_dict()))
        assert STATE_BOUNDS.admit(data)
        assert SessionState.from_dict(data, CONTENT) == written
        assert len(json.dumps(data)) < MAX_ATTRIBUTES_BYTES
    names = [*CONTENT.answers, *CONTENT.clinic, *CONTENT.stretch_ids, *plain_phrases(CONTENT)]
    assert max(len(name) for name in names) <= STATE_BOUNDS.string
