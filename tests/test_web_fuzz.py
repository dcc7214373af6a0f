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
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skill.config import Config
from skill.web.app import create_app
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
