"""Alexa's permission round trip on the simulated device: a scripted skill (a fake transport)
asks with AskFor, Alexa says her prompt, the person's next words answer it, and the skill gets
the Connections.Response, which must deserialize with ask-sdk-model as the skill's would.
"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope
from ask_sdk_model.interfaces.connections import ConnectionsResponse
from ask_sdk_model.permission_status import PermissionStatus

from skill.simulator.chat import Chat
from skill.simulator.clock import DeviceClock
from skill.simulator.device import Device
from skill.simulator.envelopes import EnvelopeFactory
from skill.simulator.reminders_api import PATH, SCOPE, Permission, RemindersApi
from skill.simulator.turn_json import KEYS, turn_record
from tests.test_simulator_reminders import DAILY, TOKEN

serializer = DefaultSerializer()


# --- the device: Alexa's permission prompt and the Connections.Response ------------------------


ASK_FOR = {
    "type": "Connections.SendRequest",
    "name": "AskFor",
    "payload": {
        "@type": "AskForPermissionsConsentRequest",
        "@version": "2",
        "permissionScopes": [{"permissionScope": SCOPE, "consentLevel": "ACCOUNT"}],
    },
    "token": "daily-1900",
}


class ScriptedSkill:
    """A skill that asks for the reminders permission, then (given it) sets a reminder."""

    def __init__(self, api: RemindersApi, card: bool = False) -> None:
        self.api = api
        self.card = card
        self.sent: list[dict[str, Any]] = []

    def send(self, envelope: dict[str, Any]) -> dict[str, Any]:
        self.sent.append(envelope)
        request = envelope["request"]
        if request["type"] != "Connections.Response":
            return {
                "version": "1.0",
                "sessionAttributes": {"where": "offer"},
                "response": {"directives": [ASK_FOR]},
            }
        if request["status"]["code"] != "200":
            speech, card = "I've sent a card to your Alexa app to allow reminders.", True
        elif request["payload"]["status"] == "ACCEPTED":
            self.api.handle("POST", PATH, _headers(), json.dumps(DAILY).encode())
            speech, card = "Okay, I'll remind you every day at 7 PM.", False
        else:
            speech, card = "Okay, no reminder.", False
        response: dict[str, Any] = {
            "outputSpeech": {"type": "PlainText", "text": speech + " Anything else?"},
            "reprompt": {"outputSpeech": {"type": "PlainText", "text": "Anything else?"}},
            "shouldEndSession": False,
        }
        if card:
            response["card"] = {"type": "AskForPermissionsConsent", "permissions": [SCOPE]}
        return {"version": "1.0", "sessionAttributes": {"where": "after"}, "response": response}

    description = "a scripted skill"


def _headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}


@pytest.fixture
def api() -> RemindersApi:
    reminders = RemindersApi()
    reminders.register(TOKEN)
    return reminders


def _device(api: RemindersApi, skill: ScriptedSkill, voice: bool = True) -> Device:
    factory = EnvelopeFactory(scopes=api.scopes, api_access_token=TOKEN)
    return Device(skill, factory, reminders=api, voice_consent=voice)


def _request(envelope: dict[str, Any]) -> RequestEnvelope:
    return serializer.deserialize(json.dumps(envelope), RequestEnvelope)


def test_yes_to_alexas_prompt_grants_the_scope_and_the_skill_hears_accepted(
    api: RemindersApi,
) -> None:
    skill = ScriptedSkill(api)
    device = _device(api, skill)
    asked = device.say("open hamstring coach")
    assert "user" in skill.sent[0]["context"]["System"]
    assert "permissions" not in skill.sent[0]["context"]["System"]["user"]  # never asked
    assert asked.text.splitlines() == [
        "  [Alexa asks for permission: reminders]",
        "Alexa: Do you give Hamstring Coach permission to update your reminders? "
        "You can say I approve or no.",
    ]
    assert device.session.open  # Alexa asks; the skill's session goes on

    answered = device.say("I approve")
    envelope = _request(skill.sent[-1])
    request = envelope.request
    assert isinstance(request, ConnectionsResponse)
    assert (request.name, request.status.code, request.token) == ("AskFor", "200", "daily-1900")
    assert request.payload["status"] == "ACCEPTED"
    assert request.payload["permissionScopes"] == ASK_FOR["payload"]["permissionScopes"]
    assert envelope.session.session_id == skill.sent[0]["session"]["sessionId"]
    assert envelope.session.new is False
    assert envelope.session.attributes == {"where": "offer"}
    scopes = envelope.context.system.user.permissions.scopes
    assert scopes[SCOPE].status == PermissionStatus.GRANTED  # granted before the skill hears
    assert api.permission is Permission.GRANTED
    assert answered.reminders == (
        "every day at 19:00 America/New_York, 'Time for your hamstring stretches...'",
    )
    assert "[reminders: every day at 19:00 America/New_York" in answered.text
    assert answered.consent is not None
    assert answered.consent["answer"] == "ACCEPTED"


@pytest.mark.parametrize(
    ("said", "status"), [("no", "DENIED"), ("I do not approve", "DENIED"), ("", "NOT_ANSWERED")]
)
def test_no_or_silence_is_what_the_skill_hears(api: RemindersApi, said: str, status: str) -> None:
    skill = ScriptedSkill(api)
    device = _device(api, skill)
    device.say("open hamstring coach")
    answered = device.say(said)
    request = _request(skill.sent[-1]).request
    assert isinstance(request, ConnectionsResponse)
    assert request.payload["status"] == status
    assert "Okay, no reminder." in answered.text
    assert api.reminders() == []
    expected = Permission.DENIED if status == "DENIED" else Permission.ASK
    assert api.permission is expected
    if status == "DENIED":
        assert skill.sent[-1]["context"]["System"]["user"]["permissions"] == {
            "scopes": {SCOPE: {"status": "DENIED"}}
        }


def test_words_alexa_does_not_understand_get_her_prompt_again_then_not_answered(
    api: RemindersApi,
) -> None:
    skill = ScriptedSkill(api)
    device = _device(api, skill)
    device.say("open hamstring coach")
    again = device.say("what time is it in paris")
    assert again.request is None  # nothing sent: Alexa asks again
    assert "asks again" in again.note
    assert "Do you give Hamstring Coach permission" in again.text
    device.say("banana")
    assert skill.sent[-1]["request"]["payload"]["status"] == "NOT_ANSWERED"


def test_without_voice_consent_alexa_answers_at_once_and_the_card_is_shown(
    api: RemindersApi,
) -> None:
    skill = ScriptedSkill(api)
    device = _device(api, skill, voice=False)
    exchange = device.say("open hamstring coach")
    request = _request(skill.sent[-1]).request
    assert isinstance(request, ConnectionsResponse)
    assert request.status.code != "200"
    assert request.payload is None
    assert exchange.followed is not None
    assert "cannot ask for permission by voice" in exchange.text
    assert "[card to the Alexa app: allow reminders]" in exchange.text
    assert "Do you give" not in exchange.text


def test_chat_and_chat_json_show_the_round_trip(api: RemindersApi) -> None:
    from skill.core.content import load_content

    skill = ScriptedSkill(api)
    device = _device(api, skill)
    out = io.StringIO()
    chat = Chat(device, out)
    for line in ("open hamstring coach", "yes"):
        chat.turn(line)
    shown = out.getvalue()
    assert "Alexa: (nothing)" not in shown
    assert "[Alexa asks for permission: reminders]" in shown
    assert "Alexa: Okay, I'll remind you every day at 7 PM. Anything else?" in shown
    assert "  [reminders: every day at 19:00 America/New_York" in shown

    device = _device(api, ScriptedSkill(api), voice=False)
    exchange = device.say("open hamstring coach")
    record = turn_record(
        exchange, "open hamstring coach", session_open=True, cues=load_content().cues
    )
    assert tuple(record) == KEYS
    assert record["directives"] == ["Connections.SendRequest"]
    consent = record["consent"]
    assert consent["asked"] == {"scopes": [SCOPE], "token": "daily-1900"}
    then = consent["then"]
    assert then["request"] == "Connections.Response"
    assert then["card"] == {"type": "AskForPermissionsConsent", "permissions": [SCOPE]}


def test_typed_commands_set_the_stand_ins_modes(api: RemindersApi) -> None:
    device = _device(api, ScriptedSkill(api))
    assert "429" in device.say("[reminders fail 429]").note
    assert api.fail == "429"
    assert device.say("[reminders ok]").note.startswith("the Reminders API answers normally")
    assert api.fail is None
    device.say("[reminders permission granted]")
    assert api.permission is Permission.GRANTED
    assert device.say("[reminders list]").note == "reminders: none"
    assert "unknown reminders command" in device.say("[reminders maybe]").note
    assert device.transport.sent == []  # type: ignore[attr-defined]


class Recorder:
    """A skill that only listens: what the device sent."""

    description = "a recording skill"

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    def send(self, envelope: dict[str, Any]) -> dict[str, Any]:
        self.sent.append(envelope)
        speech = {"type": "PlainText", "text": "Okay. Anything else?"}
        return {"version": "1.0", "response": {"outputSpeech": speech, "shouldEndSession": False}}


def test_tomorrow_is_the_day_after_the_moment_said_in_the_devices_zone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 03:30 UTC on the 29th is 7:30 PM on the 28th in Los Angeles: tomorrow is the 29th.
    monkeypatch.setenv("TZ", "America/Los_Angeles")
    skill = Recorder()
    clock = DeviceClock(wall=lambda: datetime(2026, 11, 29, 3, 30, tzinfo=UTC))
    device = Device(skill, EnvelopeFactory(), clock=clock)
    device.say("ask hamstring coach to remind me tomorrow at 9 am")
    slots = skill.sent[-1]["request"]["intent"]["slots"]
    assert slots["date"]["value"] == "2026-11-29"
    device.say("+2d remind me tomorrow at 9 am")  # two days later, said on the 30th (local)
    assert skill.sent[-1]["request"]["intent"]["slots"]["date"]["value"] == "2026-12-01"
