"""How the codec tests compare the codec with ask-sdk-core's DefaultSerializer: structurally
(class of every object, every attribute, extra attributes for unknown keys, datetime tzinfo
class), not only with the models' lenient ``__eq__``; and the inputs they share: the request
envelopes the skill gets, and odd JSON values."""

from __future__ import annotations

import functools
import json
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any

from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope
from hypothesis import strategies as st

from skill.alexa.codec import ModelCodec
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


def mutations() -> st.SearchStrategy[Any]:
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
