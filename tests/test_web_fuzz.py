"""Property: whatever JSON arrives at /alexa (verification off, as with `serve --dev`), the
answer is never a 500, and every 200 is a response envelope ask-sdk-model can read.

Inputs are random JSON values and real envelopes (every intent of the interaction model, with
and without a routine in progress) mutated in random places: keys dropped, types changed,
random strings/ints/None/lists/objects put in, huge strings up to the 128 KiB body limit,
unicode, sent as escaped or raw UTF-8 JSON.
"""

from __future__ import annotations

import functools
import json
import random
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skill.config import Config
from skill.web.app import create_app
from tests import fuzz_harness
from tests.builders import RequestBuilder
from tests.checks import check_response
from tests.conversation import Conversation

ROOT = Path(__file__).resolve().parent.parent
MAX_BODY = Config().max_body_bytes


@functools.cache
def client() -> FlaskClient:
    """One dev-mode app for all examples (building the skill per example would dominate)."""
    return create_app(Config(verify_requests=False)).test_client()


def _intent_names() -> list[str]:
    model = json.loads((ROOT / "interaction_model" / "en-US.json").read_text())
    return [intent["name"] for intent in model["interactionModel"]["languageModel"]["intents"]]


def _mid_routine_attributes() -> list[dict[str, Any]]:
    """Session attributes a real device would carry: before, during and paused in a routine."""
    talk = Conversation(client(), RequestBuilder())
    states = [talk.launch().attributes]
    states.append(
        talk.say("StartStretchIntent", Stretch=("the chair stretch", "seated")).attributes
    )
    states.append(talk.say("AMAZON.NextIntent").attributes)
    states.append(talk.say("AMAZON.PauseIntent").attributes)
    return states


@functools.cache
def base_envelopes() -> list[dict[str, Any]]:
    """Launch, session end, a skill event, and every intent at each routine stage."""
    builder = RequestBuilder()
    slots: dict[str, dict[str, Any]] = {
        "StartStretchIntent": {"Stretch": ("the strap stretch", "supine")},
        "SetHoldLengthIntent": {"Seconds": "45"},
    }
    envelopes = [builder.launch(), builder.session_ended(), builder.skill_event()]
    for attributes in _mid_routine_attributes():
        for name in _intent_names():
            envelopes.append(builder.intent(name, slots.get(name), attributes=attributes))
    return envelopes


leaves = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
    | st.sampled_from(["", "LaunchRequest", "IntentRequest", "seated", "45", "2025-06-01"])
)
json_values = st.recursive(
    leaves,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
huge_strings = st.builds(
    lambda piece, times: (piece * times)[: MAX_BODY - 8 * 1024],
    st.text(min_size=1, max_size=8),
    st.integers(min_value=1_000, max_value=MAX_BODY),
)


def _containers(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Paths to every dict and list in node (the places a mutation can happen)."""
    found = [path] if isinstance(node, dict | list) else []
    items = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else []
    )
    for key, child in items:
        found.extend(_containers(child, (*path, key)))
    return found


def _at(node: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        node = node[key]
    return node


@st.composite
def mutated_envelopes(draw: st.DrawFn) -> Any:
    """A real envelope with one to five random edits."""
    envelope = json.loads(json.dumps(draw(st.sampled_from(base_envelopes()))))
    for _ in range(draw(st.integers(min_value=1, max_value=5))):
        paths = _containers(envelope)
        if not paths:
            break
        container = _at(envelope, draw(st.sampled_from(paths)))
        keys = list(container) if isinstance(container, dict) else list(range(len(container)))
        action = draw(st.sampled_from(["drop", "replace", "replace", "add", "huge"]))
        if action == "drop" and keys:
            key = draw(st.sampled_from(keys))
            del container[key]
        elif action in ("replace", "huge") and keys:
            key = draw(st.sampled_from(keys))
            container[key] = draw(huge_strings if action == "huge" else json_values)
        elif isinstance(container, dict):
            container[draw(st.text(max_size=12))] = draw(json_values)
        else:
            container.append(draw(json_values))
    return envelope


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(payload=mutated_envelopes() | json_values, ascii_only=st.booleans())
def test_no_input_gets_a_500(payload: Any, ascii_only: bool) -> None:
    body = json.dumps(payload, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
    result = client().post("/alexa", data=body, content_type="application/json")
    assert result.status_code in (200, 400, 413), result.get_data(as_text=True)
    if result.status_code == 200:
        check_response(result.get_json())
    else:
        assert result.get_json()["error"]


@pytest.mark.parametrize("body", [b"[" * 60_000, b'{"a":' * 20_000], ids=["lists", "objects"])
def test_json_nested_past_the_parsers_depth_is_a_400_not_a_500(body: bytes) -> None:
    result = client().post("/alexa", data=body, content_type="application/json")
    assert result.status_code == 400
    assert result.get_json() == {"error": "body is not valid JSON"}


# --------------------------------------------------------------------------------------------
# Issue 17: 20,000 seeded hostile requests, signed and unsigned, --dev and production, and
# malformed HTTP through a real gunicorn server (tests/fuzz_inputs.py, tests/fuzz_harness.py).
# The same families, longer: `python -m bench.fuzz --cases 200000` (bench/fuzz.py).

FUZZ_SEED = 17
FUZZ_CASES = 20_000
RAW_CASES = 150  # per server (--dev and production)


def _report_text(report: fuzz_harness.Report) -> str:
    lines = [f"{count} x {kind}" for kind, count in report.failure_counts.items()]
    for kind, examples in report.failures.items():
        lines += [f"{kind}:"] + [f"  {example}" for example in examples]
    return "\n".join(lines)


def test_20000_seeded_hostile_requests_get_no_5xx_and_clean_logs(tmp_path: Path) -> None:
    runner = fuzz_harness.InProcess(tmp_path)
    report = runner.run(runner.fuzzer(FUZZ_SEED).cases(FUZZ_CASES), fuzz_harness.Report())
    assert report.cases == FUZZ_CASES
    assert not report.failure_counts, _report_text(report)
    # the run reached every part: answers, rejections at the edge, verification, signed 200s
    statuses = {status for _, status in report.statuses}
    assert {200, 400, 413, 415} <= statuses
    assert report.statuses[("production signed", 200)] > 1_000
    assert report.statuses[("dev unsigned", 200)] > 1_000
    assert report.longest_log_line < fuzz_harness.MAX_LOG_LINE


@pytest.mark.parametrize("mode", ["dev", "production"])
def test_malformed_http_through_gunicorn_gets_no_5xx(mode: str, tmp_path: Path) -> None:
    rng = random.Random(FUZZ_SEED)
    bodies = [json.dumps(envelope).encode() for envelope in base_envelopes()[:40]]
    report = fuzz_harness.Report()
    with fuzz_harness.gunicorn(tmp_path, mode) as (port, log_path):
        for number in range(RAW_CASES):
            kind, data = fuzz_harness.malformed_http(rng, rng.choice(bodies))
            answers = fuzz_harness.send_raw(port, data)
            label = f"case {number} ({kind})"
            if not answers:
                report.fail("no answer", label)
            for status, head, body in answers:
                from_app = b"application/json" in head.lower()
                report.statuses[(kind, status)] += 1
                if from_app or status >= 500:
                    fuzz_harness.judge_answer(report, label, status, body)
    fuzz_harness.judge_server_log(report, mode, log_path)
    assert not report.failure_counts, _report_text(report) + f"\n{sorted(report.statuses.items())}"
    assert report.cases >= RAW_CASES
