"""skill.alexa.codec builds exactly what ask-sdk-core's DefaultSerializer builds and serializes
exactly as it does: on every request envelope the skill gets (builder-made, mutated by
hypothesis), on payloads generated for every model class in ask-sdk-model, and on every
response the skill sends.

"Exactly" is checked structurally (class of every object, every attribute, extra attributes for
unknown keys, datetime tzinfo class), not only with the models' lenient ``__eq__``.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import json
import pkgutil
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any

import ask_sdk_model
import pytest
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope, ResponseEnvelope
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skill.alexa.codec import Fallback, ModelCodec
from skill.alexa.skill_builder import build_skill
from skill.config import Config
from tests.builders import RequestBuilder

ROOT = Path(__file__).resolve().parent.parent
SDK = DefaultSerializer()
CODEC = ModelCodec()


def structure(value: Any) -> Any:
    """Everything that makes two deserialized values "the same", as plain data."""
    if isinstance(value, datetime):
        return ("datetime", value.isoformat(), type(value.tzinfo).__name__)
    if isinstance(value, date):
        return ("date", value.isoformat())
    if isinstance(value, Enum):
        return (type(value).__qualname__, value.value)
    if isinstance(value, list):
        return [structure(item) for item in value]
    if isinstance(value, dict):
        return {key: structure(item) for key, item in value.items()}
    if hasattr(value, "__dict__") and not isinstance(value, type):
        cls = type(value)
        return (cls.__module__, cls.__qualname__, structure(dict(vars(value))))
    return (type(value).__name__, value)


def sdk_or_error(raw: str, obj_type: Any) -> Any:
    try:
        return ("ok", structure(SDK.deserialize(raw, obj_type)))
    except Exception as exc:
        return ("error", type(exc).__name__)


def codec_or_error(payload: Any, raw: str, obj_type: Any) -> Any:
    try:
        return ("ok", structure(CODEC.decode(payload, obj_type, raw=raw)))
    except Exception as exc:
        return ("error", type(exc).__name__)


def assert_decodes_like_sdk(payload: Any, obj_type: Any = RequestEnvelope) -> None:
    raw = json.dumps(payload)
    payload = json.loads(raw)
    assert codec_or_error(payload, raw, obj_type) == sdk_or_error(raw, obj_type)


def fast_path(payload: Any, obj_type: Any = RequestEnvelope) -> Any:
    """The codec's own result, never the SDK fallback (raises Fallback instead)."""
    return CODEC.decoder(obj_type)(json.loads(json.dumps(payload)))


# --------------------------------------------------------------------------------------------
# the envelopes the skill gets


def intent_names() -> list[str]:
    model = json.loads((ROOT / "interaction_model" / "en-US.json").read_text())
    return [i["name"] for i in model["interactionModel"]["languageModel"]["intents"]]


@functools.cache
def real_envelopes() -> list[dict[str, Any]]:
    builder = RequestBuilder()
    attributes = {"routine": {"v": 1, "stretches": ["seated"], "pos": 2}, "tz": "UTC"}
    envelopes = [
        builder.launch(),
        builder.launch(session_id=None),
        builder.session_ended("USER_INITIATED"),
        builder.session_ended("EXCEEDED_MAX_REPROMPTS", attributes=attributes),
        builder.skill_event("AlexaSkillEvent.SkillDisabled"),
        builder.skill_event("AlexaSkillEvent.SkillEnabled"),
        builder.skill_event("AlexaSkillEvent.SkillAccountLinked"),
    ]
    ended = builder.session_ended("ERROR")
    ended["request"]["error"] = {"type": "INVALID_RESPONSE", "message": "bad SSML"}
    envelopes.append(ended)
    exception = builder.envelope(
        {
            "type": "System.ExceptionEncountered",
            "error": {"type": "INVALID_RESPONSE", "message": "Invalid directive"},
            "cause": {"requestId": "amzn1.echo-api.request.1"},
        },
        session_id=None,
    )
    envelopes.append(exception)
    permission = builder.skill_event("AlexaSkillEvent.SkillPermissionAccepted")
    permission["request"]["body"] = {
        "acceptedPermissions": [{"scope": "alexa::alerts:reminders:skill:readwrite"}]
    }
    envelopes.append(permission)
    for name in intent_names():
        envelopes.append(builder.intent(name))
        envelopes.append(builder.intent(name, attributes=attributes))
    envelopes.append(builder.intent("StartStretchIntent", {"Stretch": ("chair stretch", "seated")}))
    envelopes.append(builder.intent("StartStretchIntent", {"Stretch": ("the wall one", None)}))
    envelopes.append(builder.intent("SetHoldLengthIntent", {"Seconds": "45"}))
    envelopes.append(builder.intent("SetHoldLengthIntent", {"Seconds": "?"}))
    rich = builder.launch()
    rich["context"]["Viewports"] = [{"type": "APL", "id": "main", "shape": "RECTANGLE"}]
    rich["context"]["System"]["device"]["supportedInterfaces"]["Alexa.Presentation.APL"] = {
        "runtime": {"maxVersion": "2024.2"}
    }
    rich["context"]["System"]["user"]["permissions"] = {"consentToken": None}
    rich["request"]["shouldLinkResultBeReturned"] = False
    envelopes.append(rich)
    return envelopes


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


def _mutations() -> st.SearchStrategy[Any]:
    leaves = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False),
        st.text(max_size=8),
        st.sampled_from(["IntentRequest", "ER_SUCCESS_MATCH", "2026-01-01T00:00:00Z", "NONE"]),
    )
    return st.recursive(
        leaves,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
        max_leaves=6,
    )


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
            node[path[-1]][data.draw(st.text(max_size=6))] = data.draw(_mutations())
        else:
            node[path[-1]] = data.draw(_mutations())
    assert_decodes_like_sdk(envelope)


# --------------------------------------------------------------------------------------------
# every model class of ask-sdk-model


@functools.cache
def model_classes() -> list[type]:
    found: dict[str, type] = {}
    for module_info in pkgutil.walk_packages(ask_sdk_model.__path__, "ask_sdk_model."):
        module = importlib.import_module(module_info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == module.__name__ and hasattr(cls, "deserialized_types"):
                found[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return [found[name] for name in sorted(found)]


def test_there_are_many_model_classes() -> None:
    assert len(model_classes()) > 400


def _class(name: str) -> Any:
    """The class a type string names, or None: a few of ask-sdk-model's own type strings name
    modules that do not exist (the SDK then fails on that key, and so must the codec)."""
    module, _, attr = name.rpartition(".")
    try:
        return getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError):
        return None


_MISSING = object()


@st.composite
def payload_for(draw: Any, obj_type: str, depth: int = 0) -> Any:
    """A JSON value of the shape obj_type expects, sometimes not (to exercise the fallback)."""
    if draw(st.integers(0, 30)) == 0:
        return draw(_mutations())
    if depth > 4:
        return None
    if obj_type.startswith("list["):
        inner = obj_type[5:-1]
        return draw(st.lists(payload_for(inner, depth + 1), max_size=2))
    if obj_type.startswith("dict("):
        inner = obj_type.split(", ", 1)[1][:-1]
        return draw(st.dictionaries(st.text(max_size=4), payload_for(inner, depth + 1), max_size=2))
    simple = {
        "str": st.text(max_size=6),
        "int": st.integers(-5, 10**6),
        "float": st.floats(allow_nan=False, allow_infinity=False) | st.integers(-5, 5),
        "bool": st.booleans(),
        "object": _mutations(),
        "datetime": st.datetimes().map(lambda d: d.strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
        | st.datetimes().map(lambda d: d.strftime("%Y-%m-%dT%H:%M:%SZ")),
        "date": st.dates().map(lambda d: d.isoformat()),
    }.get(obj_type)
    if simple is not None:
        return draw(simple)
    cls = _class(obj_type)
    if cls is None:
        return draw(_mutations())
    if issubclass(cls, Enum):
        return draw(st.sampled_from([m.value for m in cls]))
    discriminators = getattr(cls, "discriminator_value_class_map", None)
    if discriminators:
        value = draw(st.sampled_from(sorted(discriminators)))
        cls = _class(discriminators[value])
    payload: dict[str, Any] = {}
    attribute_map = getattr(cls, "attribute_map", {})
    for attr, attr_type in cls.deserialized_types.items():
        if draw(st.booleans()):
            payload[attribute_map.get(attr, attr)] = draw(payload_for(attr_type, depth + 1))
    if discriminators:
        payload[cls.json_discriminator_key] = value
    if draw(st.integers(0, 10)) == 0:
        payload[draw(st.text(max_size=5))] = draw(_mutations())
    return payload


def _type_name(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


@settings(max_examples=800, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_generated_payloads_of_every_model_class_decode_and_encode_like_the_sdk(
    data: st.DataObject,
) -> None:
    cls = data.draw(st.sampled_from(model_classes()))
    payload = data.draw(payload_for(_type_name(cls)))
    assert_decodes_like_sdk(payload, cls)
    try:
        obj = SDK.deserialize(json.dumps(payload), cls)
    except Exception:
        return
    assert CODEC.encode(obj) == SDK.serialize(obj)


@pytest.mark.parametrize("cls", model_classes(), ids=_type_name)
def test_each_model_class_fully_populated_decodes_and_encodes_like_the_sdk(cls: type) -> None:
    payload = _full_payload(_type_name(cls))
    assert_decodes_like_sdk(payload, cls)
    obj = SDK.deserialize(json.dumps(payload), cls)
    assert CODEC.encode(obj) == SDK.serialize(obj)


def _full_payload(obj_type: str, depth: int = 0) -> Any:
    """Every field set to a plausible value (first choice of each discriminator/enum)."""
    if depth > 4:
        return None
    if obj_type.startswith("list["):
        item = _full_payload(obj_type[5:-1], depth + 1)
        return _MISSING if item is _MISSING else [item]
    if obj_type.startswith("dict("):
        item = _full_payload(obj_type.split(", ", 1)[1][:-1], depth + 1)
        return _MISSING if item is _MISSING else {"k": item}
    simple = {
        "str": "text",
        "int": 7,
        "float": 1.5,
        "bool": True,
        "object": {"any": ["thing", 1, None]},
        "datetime": "2026-11-25T19:20:30.250Z",
        "date": "2026-11-25",
    }
    if obj_type in simple:
        return simple[obj_type]
    cls = _class(obj_type)
    if cls is None:
        return _MISSING
    if issubclass(cls, Enum):
        return next(iter(cls)).value
    discriminators = getattr(cls, "discriminator_value_class_map", None)
    payload: dict[str, Any] = {}
    if discriminators:
        value = sorted(discriminators)[0]
        cls = _class(discriminators[value])
        payload[cls.json_discriminator_key] = value
    attribute_map = getattr(cls, "attribute_map", {})
    for attr, attr_type in cls.deserialized_types.items():
        value = _full_payload(attr_type, depth + 1)
        if value is not _MISSING:
            payload.setdefault(attribute_map.get(attr, attr), value)
    return payload


# --------------------------------------------------------------------------------------------
# every response the skill produces


@functools.cache
def skill_responses() -> list[ResponseEnvelope]:
    """The skill's answers to every real envelope, and along a whole conversation."""
    skill = build_skill(Config(verify_requests=False))
    responses = []
    for envelope in real_envelopes():
        request_envelope = SDK.deserialize(json.dumps(envelope), RequestEnvelope)
        responses.append(skill.invoke(request_envelope, None))
    builder = RequestBuilder()
    attributes: dict[str, Any] = {}
    steps = [
        lambda: builder.launch(attributes=attributes),
        lambda: builder.intent(
            "StartStretchIntent", {"Stretch": ("seated", "seated")}, attributes=attributes
        ),
        *[lambda: builder.intent("AMAZON.NextIntent", attributes=attributes)] * 7,
        lambda: builder.intent("BookAppointmentIntent", attributes=attributes),
        lambda: builder.intent("AMAZON.StopIntent", attributes=attributes),
    ]
    for step in steps:
        request_envelope = SDK.deserialize(json.dumps(step()), RequestEnvelope)
        response = skill.invoke(request_envelope, None)
        attributes = SDK.serialize(response).get("sessionAttributes") or {}
        responses.append(response)
    return responses


def test_every_skill_response_encodes_exactly_like_the_sdk() -> None:
    for response in skill_responses():
        assert json.dumps(CODEC.encode(response)) == json.dumps(SDK.serialize(response))


def test_responses_with_directives_encode_exactly_like_the_sdk() -> None:
    from ask_sdk_model import Response
    from ask_sdk_model.interfaces.alexa.presentation.apla import RenderDocumentDirective
    from ask_sdk_model.ui import SimpleCard, SsmlOutputSpeech

    document = {
        "type": "APLA",
        "version": "0.91",
        "mainTemplate": {
            "parameters": ["payload"],
            "items": [{"type": "Mixer", "items": [{"type": "Speech", "content": "Hold."}]}],
        },
    }
    response = ResponseEnvelope(
        version="1.0",
        session_attributes={"a": None, "b": [1, {"c": 2.5}]},
        response=Response(
            output_speech=SsmlOutputSpeech(ssml="<speak>x</speak>"),
            card=SimpleCard(title="t", content="c"),
            directives=[RenderDocumentDirective(token="t", document=document, datasources={})],
            should_end_session=False,
        ),
    )
    assert json.dumps(CODEC.encode(response)) == json.dumps(SDK.serialize(response))
    assert CODEC.encode(response)["response"]["directives"][0]["type"] == (
        "Alexa.Presentation.APLA.RenderDocument"
    )


def test_a_json_ready_document_is_passed_through_and_equals_the_sdk() -> None:
    from ask_sdk_model.interfaces.alexa.presentation.apla import RenderDocumentDirective

    from skill.alexa.codec import JsonReady

    document = JsonReady({"type": "APLA", "mainTemplate": {"items": [{"type": "Speech"}]}})
    directive = RenderDocumentDirective(token="t", document=document)
    encoded = CODEC.encode(directive)
    assert encoded["document"] is document
    assert json.dumps(encoded) == json.dumps(SDK.serialize(directive))
    holds = [
        d
        for r in skill_responses()
        for d in r.response.directives or []
        if isinstance(d, RenderDocumentDirective)
    ]
    assert holds, "the skill's hold responses carry APL-A documents"
    assert all(isinstance(d.document, JsonReady) for d in holds)


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
