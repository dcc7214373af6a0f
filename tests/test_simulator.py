"""The local simulator's device: the envelopes an Echo would send, and the session it keeps.

Everything here runs the real skill in process (no network, no server) through the same
Device the `chat` and `say` commands use. Rendering: test_simulator_render.py; the `chat` and
`say` commands: test_simulator_commands.py.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope
from ask_sdk_model.intent_request import IntentRequest
from ask_sdk_model.launch_request import LaunchRequest
from ask_sdk_model.session_ended_reason import SessionEndedReason
from ask_sdk_model.session_ended_request import SessionEndedRequest

from skill.config import Config
from skill.simulator.device import MODEL_PATH, Device
from skill.simulator.envelopes import USER_ID, DeviceSession, EnvelopeFactory
from skill.simulator.nlu import Recognizer, load_model
from skill.simulator.settings_api import SettingsApi
from skill.simulator.transport import InProcessTransport
from tests.checks import check_response

MODEL = load_model(MODEL_PATH)
serializer = DefaultSerializer()


class Recording(InProcessTransport):
    """The in-process skill, keeping every request and response for inspection."""

    def __init__(self, config: Config) -> None:
        super().__init__(config)
        self.sent: list[dict[str, Any]] = []
        self.received: list[dict[str, Any]] = []

    def send(self, envelope: dict[str, Any]) -> dict[str, Any]:
        self.sent.append(envelope)
        response = super().send(envelope)
        check_response(response)
        self.received.append(response)
        return response


@pytest.fixture
def transport(config: Config) -> Recording:
    return Recording(config)


@pytest.fixture
def device(transport: Recording) -> Device:
    return Device(transport)


def deserialize(envelope: dict[str, Any]) -> RequestEnvelope:
    return serializer.deserialize(json.dumps(envelope), RequestEnvelope)


# --- envelopes ----------------------------------------------------------------------------


def test_launch_envelope_is_what_an_echo_sends(device: Device, transport: Recording) -> None:
    device.say("open hamstring coach")
    sent = transport.sent[0]
    parsed = deserialize(sent)
    assert isinstance(parsed.request, LaunchRequest)
    assert parsed.session.new is True
    assert parsed.session.session_id.startswith("amzn1.echo-api.session.")
    assert parsed.context.system.user.user_id == USER_ID
    assert parsed.request.locale == "en-US"
    system = sent["context"]["System"]
    assert system["device"]["supportedInterfaces"] == {
        "Alexa.Presentation.APLA": {},
        "AudioPlayer": {},
    }
    assert set(system) == {"application", "user", "device", "apiEndpoint", "apiAccessToken"}
    assert sent["session"]["application"] == system["application"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", sent["request"]["timestamp"])


def test_intent_envelope_carries_slot_resolution(device: Device, transport: Recording) -> None:
    device.say("open hamstring coach")
    device.say("let's do the chair stretch")
    parsed = deserialize(transport.sent[1])
    assert isinstance(parsed.request, IntentRequest)
    assert parsed.request.intent.name == "StartStretchIntent"
    slot = parsed.request.intent.slots["Stretch"]
    assert slot.value == "chair stretch"
    authority = slot.resolutions.resolutions_per_authority[0]
    assert authority.status.code.value == "ER_SUCCESS_MATCH"
    assert authority.values[0].value.id == "seated"
    assert parsed.session.new is False
    assert "Let's do the seated hamstring stretch" in json.dumps(transport.received[1])


def test_locale_and_ids_are_configurable() -> None:
    factory = EnvelopeFactory(application_id="amzn1.ask.skill.x", locale="en-GB")
    envelope = factory.launch(DeviceSession())
    assert "session" not in envelope  # no session open: none sent
    assert envelope["request"]["locale"] == "en-GB"
    assert envelope["context"]["System"]["application"]["applicationId"] == "amzn1.ask.skill.x"
    with pytest.raises(ValueError, match="reason"):
        factory.session_ended("BORED", DeviceSession())


def test_session_attributes_are_carried_into_the_next_request(
    device: Device, transport: Recording
) -> None:
    device.say("open hamstring coach")
    device.say("start the seated stretch")
    device.say("next")
    first, second, third = transport.sent
    assert first["session"]["attributes"] == {}
    assert second["session"]["attributes"] == transport.received[0]["sessionAttributes"]
    assert third["session"]["attributes"] == transport.received[1]["sessionAttributes"]
    # The set's record travels with the session, and the next request settles it: "next" came
    # after the whole right leg played, so its three holds count and the left leg is next.
    carried = third["session"]["attributes"]
    assert carried["routine"]["pos"] == 0
    assert [hold[0] for hold in carried["playing"]["holds"]] == [0, 1, 2]
    settled = transport.received[2]["sessionAttributes"]["routine"]
    assert (settled["pos"], settled["done"]) == (3, 0b111)
    assert len({e["session"]["sessionId"] for e in transport.sent}) == 1


def test_quit_sends_session_ended_user_initiated(device: Device, transport: Recording) -> None:
    device.say("open hamstring coach")
    exchange = device.say("quit")
    assert exchange.leave
    parsed = deserialize(transport.sent[-1])
    assert isinstance(parsed.request, SessionEndedRequest)
    assert parsed.request.reason is SessionEndedReason.USER_INITIATED
    assert parsed.session.session_id == transport.sent[0]["session"]["sessionId"]
    assert not device.session.open


def test_quit_without_a_session_sends_nothing(device: Device, transport: Recording) -> None:
    assert device.say("exit").leave
    assert transport.sent == []


def test_silence_reprompts_once_then_ends_the_session(device: Device, transport: Recording) -> None:
    device.say("open hamstring coach")
    reprompt = device.say("")
    assert reprompt.request is None
    assert "Say seated stretch, lying stretch, or full routine." in reprompt.text
    ended = device.say("   ")
    parsed = deserialize(transport.sent[-1])
    assert parsed.request.reason is SessionEndedReason.EXCEEDED_MAX_REPROMPTS
    assert "EXCEEDED_MAX_REPROMPTS" in ended.text
    assert not device.session.open


def test_a_new_session_after_the_skill_ends_one(device: Device, transport: Recording) -> None:
    device.say("open hamstring coach")
    stop = device.say("stop")
    assert stop.rendered is not None
    assert stop.rendered.ends_session
    assert not device.session.open
    device.say("what's the phone number")
    first, _, third = transport.sent
    assert third["session"]["new"] is True
    assert third["session"]["sessionId"] != first["session"]["sessionId"]
    assert third["session"]["attributes"] == {}


def test_one_shot_launch_opens_a_session_with_the_intent(
    device: Device, transport: Recording
) -> None:
    exchange = device.say("ask hamstring coach for the phone number")
    sent = transport.sent[0]
    assert sent["request"]["intent"]["name"] == "BookAppointmentIntent"
    assert sent["session"]["new"] is True
    assert exchange.note == ""
    assert "904-858-7045. I've" in exchange.text  # the number ends its sentence


def test_plain_utterance_without_session_is_sent_as_one_shot(device: Device) -> None:
    exchange = device.say("start the seated stretch")
    assert "ask hamstring coach to start the seated stretch" in exchange.note
    assert exchange.recognition is not None
    assert exchange.recognition.intent == "StartStretchIntent"


def test_every_intent_reaches_the_skill_through_the_device(device: Device) -> None:
    """One sample per intent of the model, typed into the simulator: each gets a valid answer."""
    recognizer = Recognizer(MODEL)
    for intent in MODEL.intents:
        sample = next((s for s in intent.samples if "{" not in s), None)
        if sample is None or intent.name == "AMAZON.StopIntent":
            continue
        device.say("open hamstring coach")
        exchange = device.say(sample)
        assert exchange.recognition is not None
        assert exchange.recognition.intent == recognizer.recognize(sample).intent == intent.name
        assert exchange.response is not None
        assert exchange.response["response"], sample


def test_settings_api_answers_the_time_zone(device: Device) -> None:
    with SettingsApi("Europe/Paris") as api:
        device.factory = EnvelopeFactory(api_endpoint=api.url)
        exchange = device.say("open hamstring coach")
    assert exchange.response is not None
    assert exchange.response["sessionAttributes"]["tz"] == "Europe/Paris"
