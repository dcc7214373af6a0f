"""A plain ask-sdk-core skill on Flask: the floor the issue quotes ("about half" of bare Flask).

It is what the SDK's own hello-world sample and flask-ask-sdk's webservice handler do, with
nothing of ours in it: `SkillBuilder` handlers matched by the SDK's predicates, the response
builder, and `DefaultSerializer` for the envelope in and out. Request verification is left out
(flask-ask-sdk's verifier does not import here; docs/alexa-platform.md, "Request
verification"), so this row is the SDK's own cost per request without storage, logging or
verification. Served with the same gunicorn settings as the skill and the reference.
"""

from __future__ import annotations

from typing import Any

from ask_sdk_core.dispatch_components import AbstractExceptionHandler, AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_core.skill_builder import SkillBuilder
from ask_sdk_core.utils import is_intent_name, is_request_type
from ask_sdk_model import RequestEnvelope, Response
from flask import Flask, jsonify, request

WELCOME = "Welcome. Say start the seated stretch, or ask me a question."
HOLD = "Hold the stretch and breathe slowly. Say next when you are ready."
ANSWER = "No bouncing. Hold still and breathe."
REPROMPT = "Say next when you are ready."


class LaunchRequestHandler(AbstractRequestHandler):  # type: ignore[misc]
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_request_type("LaunchRequest")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        return handler_input.response_builder.speak(WELCOME).ask(REPROMPT).response


class StretchIntentHandler(AbstractRequestHandler):  # type: ignore[misc]
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(
            is_intent_name("StartStretchIntent")(handler_input)
            or is_intent_name("AMAZON.NextIntent")(handler_input)
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        return handler_input.response_builder.speak(HOLD).ask(REPROMPT).response


class AnyOtherIntentHandler(AbstractRequestHandler):  # type: ignore[misc]
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_request_type("IntentRequest")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        return handler_input.response_builder.speak(ANSWER).ask(REPROMPT).response


class SessionEndedRequestHandler(AbstractRequestHandler):  # type: ignore[misc]
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_request_type("SessionEndedRequest")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        return handler_input.response_builder.response


class CatchAllExceptionHandler(AbstractExceptionHandler):  # type: ignore[misc]
    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        return True

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        return handler_input.response_builder.speak("Sorry, something went wrong.").response


def create_sdk_app() -> Flask:
    builder = SkillBuilder()
    for handler in (
        LaunchRequestHandler(),
        StretchIntentHandler(),
        AnyOtherIntentHandler(),
        SessionEndedRequestHandler(),
    ):
        builder.add_request_handler(handler)
    builder.add_exception_handler(CatchAllExceptionHandler())
    skill = builder.create()
    serializer = DefaultSerializer()
    app = Flask(__name__)

    @app.post("/alexa")
    def alexa() -> Any:
        # As ask-sdk-webservice-support's WebserviceSkillHandler: deserialize, invoke, serialize.
        envelope = serializer.deserialize(
            payload=request.get_data(as_text=True), obj_type=RequestEnvelope
        )
        response = skill.invoke(request_envelope=envelope, context=None)
        return jsonify(serializer.serialize(response))

    return app
