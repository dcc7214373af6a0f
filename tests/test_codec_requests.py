"""skill.alexa.codec decodes every request envelope the skill gets (builder-made, with odd
values, mutated by hypothesis) exactly as ask-sdk-core's DefaultSerializer does, also when
threads share a fresh codec."""

from __future__ import annotations

import json
from typing import Any

import pytest
from ask_sdk_model import RequestEnvelope
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skill.alexa.codec import Fallback, ModelCodec
from tests.builders import RequestBuilder
from tests.codec_checks import (
    SDK,
    assert_decodes_like_sdk,
    fast_path,
    mutations,
    real_envelopes,
    structure,
)


@pytest.mark.parametrize("index", range(len(real_envelopes())))
def test_every_real_envelope_takes_the_fast_path_and_equals_the_sdk(index: int) -> None:
    envelope = real_envelopes()[index]
    expected = structure(SDK.deserialize(json.dumps(envelope), RequestEnvelope))
    assert structure(fast_path(envelope)) == expected
    assert fast_path(envelope) == SDK.deserialize(json.dumps(envelope), RequestEnvelope)


def test_unknown_fields_become_extra_attributes_as_in_the_sdk() -> None:
    envelope = RequestBuilder().intent("AMAZON.NextIntent")
    envelope["newTopLevel"] = {"a": 1}
    envelope["request"]["brandNewField"] = [1, 2]
    envelope["request"]["intent"]["slots"] = {"X": {"name": "X", "value": "y", "extra": None}}
    envelope["context"]["System"]["device"]["persistentEndpointId"] = "e"
    fast = fast_path(envelope)
    assert fast.newTopLevel == {"a": 1}
    assert fast.request.brandNewField == [1, 2]
    assert_decodes_like_sdk(envelope)


@pytest.mark.parametrize(
    "stamp",
    [
        "2026-11-25T19:20:30Z",
        "2026-11-25T19:20:30.5Z",
        "2026-11-25T19:20:30.123Z",
        "2026-11-25T19:20:30.123456Z",
        "2026-11-25T19:20:30.1234567Z",
        "2026-11-25T19:20:30+00:00",
        "2026-11-25T21:20:30+02:00",
        "2026-11-25T19:20:30",
        "2026-11-25 19:20:30",
        "2026-11-25",
        "2026-02-30T19:20:30Z",
        "2026-11-25T24:00:00Z",
        "not a time",
        "",
        12,
        None,
        [],
    ],
)
def test_timestamps_in_any_format_decode_like_the_sdk(stamp: Any) -> None:
    envelope = RequestBuilder().launch()
    envelope["request"]["timestamp"] = stamp
    assert_decodes_like_sdk(envelope)
    event = RequestBuilder().skill_event()
    event["request"]["eventCreationTime"] = stamp
    assert_decodes_like_sdk(event)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("request", "reason"), "SOME_NEW_REASON"),
        (("request", "reason"), None),
        (("request", "type"), "Some.New.RequestType"),
        (("request", "intent", "confirmationStatus"), "MAYBE"),
        (("request", "dialogState"), 3),
        (("session", "new"), "yes"),
        (("session", "attributes"), []),
        (("context", "System", "user"), "someone"),
        (("context", "System", "user"), ""),
        (("context", "System", "device", "supportedInterfaces"), None),
        (("version",), 1),
        (("request", "intent", "slots"), {"S": None}),
    ],
)
def test_odd_values_behave_like_the_sdk(path: tuple[str, ...], value: Any) -> None:
    builder = RequestBuilder()
    envelope = (
        builder.session_ended() if path[-1] == "reason" else builder.intent("AMAZON.HelpIntent")
    )
    node = envelope
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    assert_decodes_like_sdk(envelope)


def test_an_unknown_enum_value_is_a_400_not_a_500(client: Any) -> None:
    envelope = RequestBuilder().session_ended()
    envelope["request"]["reason"] = "SOME_NEW_REASON"
    reply = client.post("/alexa", json=envelope)
    assert reply.status_code == 400  # what the SDK's serializer always made of it
    with pytest.raises(Fallback):
        fast_path(envelope)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_envelopes_decode_like_the_sdk(data: st.DataObject) -> None:
    envelope = json.loads(json.dumps(data.draw(st.sampled_from(real_envelopes()))))
    for _ in range(data.draw(st.integers(1, 3))):
        paths = _paths(envelope)
        path = data.draw(st.sampled_from(paths))
        node = envelope
        for key in path[:-1]:
            node = node[key]
        action = data.draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "delete" and isinstance(node, dict):
            del node[path[-1]]
        elif action == "add" and isinstance(node[path[-1]], dict):
            node[path[-1]][data.draw(st.text(max_size=6))] = data.draw(mutations())
        else:
            node[path[-1]] = data.draw(mutations())
    assert_decodes_like_sdk(envelope)


def test_a_fresh_codec_shared_by_threads_builds_the_same_objects() -> None:
    """Plans are made on first use by whichever thread comes first; none may see half a plan."""
    import threading

    codec = ModelCodec()
    envelopes = [json.loads(json.dumps(e)) for e in real_envelopes()]
    expected = [structure(SDK.deserialize(json.dumps(e), RequestEnvelope)) for e in envelopes]
    barrier = threading.Barrier(8)
    failures: list[str] = []

    def work() -> None:
        barrier.wait()
        for envelope, want in zip(envelopes, expected, strict=True):
            if structure(codec.decode(envelope, RequestEnvelope)) != want:
                failures.append(envelope["request"]["type"])

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
