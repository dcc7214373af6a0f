"""The local simulator: envelopes an Echo would send, sessions, rendering, whole chats.

Everything here runs the real skill in process (no network, no server) through the same
Device the `chat` and `say` commands use.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope
from ask_sdk_model.intent_request import IntentRequest
from ask_sdk_model.launch_request import LaunchRequest
from ask_sdk_model.session_ended_reason import SessionEndedReason
from ask_sdk_model.session_ended_request import SessionEndedRequest

from skill.cli import main
from skill.config import Config
from skill.core.content import load_content
from skill.core.timeline import build_hold_timeline, estimate_speech_ms
from skill.simulator.clips import ClipLookup
from skill.simulator.device import MODEL_PATH, Device
from skill.simulator.envelopes import USER_ID, DeviceSession, EnvelopeFactory
from skill.simulator.nlu import Recognizer, load_model
from skill.simulator.playback import (
    Sound,
    apla_playback,
    estimate_measure,
    format_offset,
    ssml_playback,
    ssml_sounds,
)
from skill.simulator.render import play, render_text, speech_text, timeline_lines
from skill.simulator.settings_api import SettingsApi
from skill.simulator.transport import HttpTransport, InProcessTransport, TransportError
from skill.voice import apla
from skill.voice.manifest import ClipEntry, Manifest
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
    assert third["session"]["attributes"]["routine"]["pos"] == 0
    assert transport.received[2]["sessionAttributes"]["routine"]["pos"] == 1
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


# --- rendering ----------------------------------------------------------------------------


def test_ssml_pauses_are_summed_and_shown() -> None:
    ssml = (
        '<speak>Hold it. <break time="10000ms"/> <break time="10000ms"/>'
        '<break time="5s"/> Release. <break time="517ms"/>Good.</speak>'
    )
    sounds = ssml_sounds(ssml)
    assert sounds == [
        Sound("speech", "Hold it."),
        Sound("pause", ms=25000),
        Sound("speech", "Release."),
        Sound("pause", ms=517),
        Sound("speech", "Good."),
    ]
    rendered = play(
        {"response": {"outputSpeech": {"type": "SSML", "ssml": ssml}}}, estimate_measure()
    )
    assert speech_text(rendered.speech) == "Hold it. [pause 25 s] Release. [pause 0.5 s] Good."


def test_ssml_phone_numbers_and_audio() -> None:
    ssml = (
        '<speak>Call <say-as interpret-as="telephone">9048587045</say-as> now. '
        '<audio src="soundbank://soundlibrary/musical/amzn_sfx_bell_short_chime_01"/>'
        '<audio src="https://example.org/audio/hold-seated-30s-v0.mp3"/>'
        '<prosody rate="slow">Ten &amp; <amazon:emotion name="excited" intensity="low">'
        "done</amazon:emotion></prosody></speak>"
    )
    rendered = play(
        {"response": {"outputSpeech": {"type": "SSML", "ssml": ssml}}}, estimate_measure()
    )
    assert speech_text(rendered.speech) == (
        "Call 904-858-7045 now. [audio: amzn_sfx_bell_short_chime_01] "
        "[audio: hold-seated-30s-v0] Ten & done"
    )


def test_rendered_clips_are_timed_from_the_manifest() -> None:
    manifest = Manifest(Path("audio"))
    manifest.clips["get-ready"] = ClipEntry(
        "get-ready", "get-ready.mp3", "Three. Two. One.", "espeak", "", 3250, [0], "", ""
    )
    measure = estimate_measure(ClipLookup(manifest).ms)
    ssml = '<speak><audio src="https://coach.example.org/audio/get-ready.mp3"/> Go.</speak>'
    played = ssml_playback(ssml, measure)
    assert [(c.at_ms, c.duration_ms) for c in played.cues][:1] == [(0, 3250)]
    assert played.cues[1].at_ms == 3250
    unknown = ssml_playback('<speak><audio src="https://x.org/other.mp3"/></speak>', measure)
    assert unknown.length_ms == 0  # not rendered here: nothing to time it by


def test_malformed_ssml_still_shows_the_words() -> None:
    assert ssml_sounds("<speak>Broken <b>tag</speak>") == [Sound("speech", "Broken tag")]


def test_apla_hold_document_plays_as_an_exact_timeline() -> None:
    content = load_content()
    timeline = build_hold_timeline(content, "seated", 30, 0)
    directive = apla.hold_document(timeline, intro_ssml="Get ready.", outro_ssml="Nice work.")
    playback = apla_playback(directive, estimate_measure())
    intro_ms = estimate_speech_ms("Get ready.")
    spoken = [(c.at_ms, c.sound.text) for c in playback.cues if c.sound.kind == "speech"]
    expected = [(intro_ms + c.offset_ms, c.text) for c in timeline.cues]
    assert spoken[1:-1] == expected
    assert spoken[0] == (0, "Get ready.")
    # Sequencer: the bell follows the Mixer, which lasts until the release cue has been said.
    mixer_end = intro_ms + timeline.length_ms + estimate_speech_ms(timeline.cues[-1].text)
    bell = next(c for c in playback.cues if c.sound.kind == "audio")
    assert (bell.at_ms, bell.duration_ms) == (mixer_end, 2000)
    assert spoken[-1] == (mixer_end + 2000, "Nice work.")
    assert playback.length_ms == mixer_end + 2000 + estimate_speech_ms("Nice work.")


def test_apla_timeline_lines_read_like_a_device() -> None:
    content = load_content()
    timeline = build_hold_timeline(content, "seated", 30, 0)
    rendered = play(
        {"response": {"directives": [apla.hold_document(timeline)], "shouldEndSession": False}},
        estimate_measure(),
    )
    lines = timeline_lines(rendered.documents[0])
    assert lines[0] == "  0:00.0  Stretch, and hold."
    assert f"  0:15.0  {timeline.cues[3].text}" in lines  # the halfway cue, at 15 s
    bell_ms = 30_000 + estimate_speech_ms(timeline.cues[-1].text)  # after "And release."
    assert lines[-1] == f"  {format_offset(bell_ms)}  [audio: amzn_sfx_bell_short_chime_01]"
    assert lines[-1].startswith("  0:30.8  ")
    text = render_text(rendered)
    assert text.startswith("Alexa:\n  [APL-A audio, 32.8 s]\n    0:00.0  Stretch, and hold.")
    assert "0:25.0  Five." in text


def test_apla_selector_mixer_and_when() -> None:
    doc = {
        "type": apla.DIRECTIVE_TYPE,
        "document": {
            "mainTemplate": {
                "items": [
                    {"type": "Speech", "content": "never", "when": False},
                    apla.mixer(
                        {"type": "Selector", "items": [
                            {"type": "Speech", "content": "skipped", "when": "${false}"},
                            apla.sequencer(apla.silence(1500), apla.speech("chosen")),
                        ]},
                        apla.sequencer(apla.silence(4000), apla.speech("later")),
                    ),
                ]
            }
        },
    }  # fmt: skip
    playback = apla_playback(doc, estimate_measure())
    spoken = [(c.at_ms, c.sound.text) for c in playback.cues if c.sound.kind == "speech"]
    assert spoken == [(1500, "chosen"), (4000, "later")]
    assert playback.length_ms == 4000 + estimate_speech_ms("later")


@pytest.mark.parametrize(
    ("ms", "text"), [(0, "0:00.0"), (15000, "0:15.0"), (62540, "1:02.5"), (599960, "10:00.0")]
)
def test_format_offset(ms: int, text: str) -> None:
    assert format_offset(ms) == text


# --- the commands -------------------------------------------------------------------------


def chat(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], lines: str,
         *args: str) -> tuple[int, str]:  # fmt: skip
    monkeypatch.setattr("sys.stdin", io.StringIO(lines))
    code = main(["chat", *args])
    return code, capsys.readouterr().out


@pytest.mark.parametrize("mode", ["apla", "ssml"])
def test_chat_drives_a_whole_routine(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], mode: str
) -> None:
    content = load_content()
    monkeypatch.setenv("SKILL_SPEECH_MODE", mode)
    code, out = chat(monkeypatch, capsys, "start the seated stretch\n" + "next\n" * 5 + "next\n")
    assert code == 0
    assert out.startswith("Hamstring Coach simulator")
    assert "'quit' to leave" in out
    seated = content.stretch("seated")
    for line in seated.setup:
        assert " ".join(line.format(leg="right").split()) in out
    # A count-in per rep; in SSML the end of each hold is counted the same way.
    assert out.count("Two. [pause 0.5 s] One. [pause 0.5 s]") == (6 if mode == "apla" else 12)
    if mode == "apla":  # each hold a timeline, released at exactly 30 s
        assert out.count("[APL-A audio,") == 6
        assert len(re.findall(r"^    0:15\.0  ", out, re.M)) == 6
        assert len(re.findall(r"^    0:30\.0  ", out, re.M)) == 6
    else:
        assert "[APL-A audio" not in out
        assert out.count("Five. [pause 0.5 s] Four. [pause 0.5 s] Three.") == 6
    assert "Switch legs. Now your left leg." in out
    assert "Well done! You've finished the seated hamstring stretch, 6 holds in all." in out
    assert "[session ended]" in out
    # The last "next" comes after the skill ended the session: a new one, as on a device.
    assert out.count("(no session open") == 2
    assert out.rstrip().endswith("Bye.")


def test_chat_sends_session_ended_at_end_of_input(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = chat(monkeypatch, capsys, "open hamstring coach\n")
    assert code == 0
    assert "(session ended by you: USER_INITIATED)" in out
    assert out.rstrip().endswith("Bye.")


def test_progress_persists_between_chats(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("SKILL_DATABASE_URL", f"sqlite:///{tmp_path}/sim.sqlite3")
    chat(monkeypatch, capsys, "start the seated stretch\n" + "next\n" * 5)
    _, out = chat(monkeypatch, capsys, "open hamstring coach\nwhat's my streak\nquit\n")
    assert "Welcome back" in out
    assert "you've finished 1 session" in out


def test_say_prints_the_answer(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["say", "ask hamstring coach for the phone number"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Alexa: A quick note first")  # a first-time user hears it once
    assert "To schedule physical therapy at JOI Rehab, call 904-858-7045" in out
    assert "[card] JOI Rehab" in out


def test_say_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["say", "start the chair stretch", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["intent"] == "StartStretchIntent"
    resolution = data["slots"]["Stretch"]["resolution"]["resolutionsPerAuthority"][0]
    assert data["slots"]["Stretch"]["value"] == "chair stretch"
    assert resolution["status"]["code"] == "ER_SUCCESS_MATCH"
    assert resolution["values"][0]["value"]["id"] == "seated"
    assert data["recognition"]["method"] == "exact"
    assert data["request"]["type"] == "IntentRequest"
    assert data["request"]["session"]["new"] is True
    check_response(data["response"])
    assert data["response"]["sessionAttributes"]["routine"]["stretches"] == ["seated"]
    assert "Let's do the seated hamstring stretch" in data["text"]


def test_say_json_for_a_launch(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["say", "open hamstring coach", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["intent"], data["slots"], data["request"]["type"]) == (None, {}, "LaunchRequest")


def test_unknown_locale_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["say", "hello", "--locale", "xx-XX"]) == 1
    err = capsys.readouterr().err
    assert "no interaction model for locale 'xx-XX' (have: en-US)" in err


def test_unreachable_url_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["say", "open hamstring coach", "--url", "http://127.0.0.1:9/alexa"]) == 1
    err = capsys.readouterr().err
    assert "cannot connect to http://127.0.0.1:9/alexa" in err
    assert "hamstring-coach serve --dev" in err
    assert "Traceback" not in err


def test_bad_url_is_a_clear_error() -> None:
    with pytest.raises(TransportError, match="must be an http"):
        HttpTransport("localhost:8000")
    assert HttpTransport("http://127.0.0.1:8000").url == "http://127.0.0.1:8000/alexa"


def test_settings_api_answers_the_time_zone(device: Device) -> None:
    with SettingsApi("Europe/Paris") as api:
        device.factory = EnvelopeFactory(api_endpoint=api.url)
        exchange = device.say("open hamstring coach")
    assert exchange.response is not None
    assert exchange.response["sessionAttributes"]["tz"] == "Europe/Paris"


def test_readme_sample_chat_is_real_output(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The README's sample: same inputs, and every quoted fragment appears in the real output."""
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    section = readme.split("## Try it without an Echo", 1)[1].split("\n## ", 1)[0]
    sample = re.search(r"```\n\$ hamstring-coach chat\n(.+?)\n```", section, re.S)
    assert sample is not None
    lines = sample.group(1).splitlines()
    said = [line.removeprefix("you> ") for line in lines if line.startswith("you> ")]
    _, out = chat(monkeypatch, capsys, "".join(f"{s}\n" for s in said))
    flat_out = " ".join(out.split())
    answers = re.split(r"\nyou> .*", "\n" + "\n".join(lines))[1:]  # after each "you>" line
    fragments = [" ".join(f.split()) for a in answers for f in a.split("...") if f.strip()]
    assert len(answers) == 3
    assert len(fragments) >= 6
    for fragment in fragments:
        assert fragment in flat_out
