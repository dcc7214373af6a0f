"""skill.alexa.codec encodes every response the skill sends, directives and pre-validated
JSON documents included, exactly as ask-sdk-core's DefaultSerializer."""

from __future__ import annotations

import functools
import json
from typing import Any

from ask_sdk_model import RequestEnvelope, ResponseEnvelope

from skill.alexa.skill_builder import build_skill
from skill.config import Config
from tests.builders import RequestBuilder
from tests.codec_checks import (
    CODEC,
    SDK,
    real_envelopes,
)


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
