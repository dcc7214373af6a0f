"""The simulated device's clock: each request carries the time an Echo would send it at.

Without --realtime nobody waits: the clock starts at the wall clock and moves by what each
answer plays (outputSpeech, then APL for Audio), 1 s to speak, 8 s of listening per silence;
`@12s` and `+1d` prefixes say when a line is said. With --realtime it is the wall clock.
"""

from __future__ import annotations

import argparse
import io
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from skill.config import Config
from skill.simulator.chat import Chat
from skill.simulator.clock import LISTEN_MS, SPEAK_MS, DeviceClock, When, split_when, timestamp
from skill.simulator.device import Device
from skill.simulator.playback import apla_directives, apla_playback, ssml_playback
from skill.simulator.render import playing_ms
from skill.simulator.transport import InProcessTransport
from skill.simulator.wiring import open_device

WALL = datetime(2026, 11, 27, 9, 0, 0, 400_000, tzinfo=UTC)  # the simulator starts here
START = WALL.replace(microsecond=0)  # and the device's clock at the whole second


class Recording(InProcessTransport):
    """The in-process skill, keeping every request it was sent."""

    def __init__(self, config: Config) -> None:
        super().__init__(config)
        self.sent: list[dict[str, Any]] = []
        self.received: list[dict[str, Any]] = []

    def send(self, envelope: dict[str, Any]) -> dict[str, Any]:
        self.sent.append(envelope)
        self.received.append(super().send(envelope))
        return self.received[-1]


@pytest.fixture
def transport(config: Config) -> Recording:
    return Recording(config)


@pytest.fixture
def device(transport: Recording) -> Device:
    return Device(transport, clock=DeviceClock(wall=lambda: WALL))


def sent_at(envelope: dict[str, Any] | None) -> str:
    assert envelope is not None
    return envelope["request"]["timestamp"]


def ms(n: float) -> timedelta:
    return timedelta(milliseconds=n)


# --- a reply comes once the answer has played ---------------------------------------------


def test_each_request_comes_once_the_last_answer_has_played(device: Device) -> None:
    welcome = device.say("open hamstring coach")
    assert sent_at(welcome.request) == "2026-11-27T09:00:00Z"  # the wall clock, whole seconds
    start = device.say("start the seated stretch")
    played = START + ms(welcome.plays_ms + SPEAK_MS)
    assert sent_at(start.request) == timestamp(played)
    after = device.say("next")
    played += ms(start.plays_ms + SPEAK_MS)
    assert sent_at(after.request) == timestamp(played)
    assert after.at == played


def test_an_answer_plays_its_speech_and_then_its_whole_apla_document(device: Device) -> None:
    welcome = device.say("open hamstring coach")
    start = device.say("start the seated stretch")
    assert start.response is not None
    response = start.response["response"]
    # A set is one APL-A document: the set-up is its first track, so nothing comes before it.
    assert "outputSpeech" not in response
    (document,) = apla_directives(response)
    audio = apla_playback(document, device.measure).length_ms
    assert audio > 3 * 30_000  # the right leg's three 30 s holds are in the document
    assert start.plays_ms == audio == playing_ms(start.response, device.measure)
    # An answer with outputSpeech too plays the speech first, then the document.
    assert welcome.response is not None
    ssml = welcome.response["response"]["outputSpeech"]["ssml"]
    speech = ssml_playback(ssml, device.measure).length_ms
    both = {"response": {"outputSpeech": {"type": "SSML", "ssml": ssml}, "directives": [document]}}
    assert playing_ms(both, device.measure) == speech + audio


# --- interruptions and waits --------------------------------------------------------------


def test_pause_twelve_seconds_into_the_stretch(device: Device) -> None:
    device.say("open hamstring coach")
    start = device.say("start the seated stretch")
    pause = device.say("@12s pause")
    assert pause.recognition is not None
    assert pause.recognition.intent == "AMAZON.PauseIntent"
    assert start.at is not None
    assert pause.at == start.at + timedelta(seconds=12)
    assert sent_at(pause.request) == timestamp(start.at + timedelta(seconds=12))
    assert "12s into what Alexa played" in pause.note


@pytest.mark.parametrize(
    ("typed", "into_ms"), [("@12", 12_000), ("@1m10s", 70_000), ("@60.5s", 60_500)]
)
def test_other_ways_to_say_how_far_in(device: Device, typed: str, into_ms: int) -> None:
    device.say("open hamstring coach")
    start = device.say("start the seated stretch")
    assert start.at is not None
    assert start.plays_ms > 70_000  # the set-up, the hold, the release and the next words
    pause = device.say(f"{typed} pause")
    assert pause.at == start.at + ms(into_ms)


def test_an_interruption_after_the_end_is_said_as_it_ended(device: Device) -> None:
    welcome = device.say("open hamstring coach")
    late = device.say("@10m what's the phone number")
    assert welcome.at is not None
    assert late.at == welcome.at + ms(welcome.plays_ms)
    assert "@10m is past the end of what Alexa played" in late.note
    assert late.recognition is not None
    assert late.recognition.intent == "BookAppointmentIntent"


def test_relaunch_the_next_day_after_silence(device: Device, transport: Recording) -> None:
    device.say("open hamstring coach")
    device.say("start the seated stretch")
    device.say("")  # the reprompt
    ended = device.say("")  # the session ends
    assert ended.at is not None
    tomorrow = device.say("+1d open hamstring coach")
    assert transport.sent[-1]["request"]["type"] == "LaunchRequest"
    assert tomorrow.at == ended.at + timedelta(days=1)
    assert sent_at(tomorrow.request) == timestamp(ended.at + timedelta(days=1))
    assert "said 1d after Alexa finished" in tomorrow.note


def test_a_long_wait_lets_the_open_session_time_out_first(
    device: Device, transport: Recording
) -> None:
    device.say("open hamstring coach")
    start = device.say("start the seated stretch")
    assert start.at is not None
    assert start.response is not None
    reprompt = playing_ms({"response": start.response["response"]["reprompt"]}, device.measure)
    later = device.say("+2h next")
    timed_out, sent = transport.sent[-2:]
    assert timed_out["request"]["reason"] == "EXCEEDED_MAX_REPROMPTS"
    ended = start.at + ms(start.plays_ms + LISTEN_MS + reprompt + LISTEN_MS)
    assert sent_at(timed_out) == timestamp(ended)
    assert sent["session"]["new"] is True  # 'next' two hours later opens a new session
    assert later.at == start.at + ms(start.plays_ms) + timedelta(hours=2)
    assert "the session timed out" in later.note


# --- silence ------------------------------------------------------------------------------


def test_silence_waits_for_the_microphone_twice(device: Device, transport: Recording) -> None:
    welcome = device.say("open hamstring coach")
    assert welcome.at is not None
    reprompt = device.say("")
    assert reprompt.request is None  # Alexa says the reprompt herself
    assert reprompt.at == welcome.at + ms(welcome.plays_ms + LISTEN_MS)
    ended = device.say("")
    assert ended.request is not None
    assert ended.request["request"]["reason"] == "EXCEEDED_MAX_REPROMPTS"
    waited = welcome.plays_ms + LISTEN_MS + reprompt.plays_ms + LISTEN_MS
    assert reprompt.plays_ms > 0
    assert sent_at(ended.request) == timestamp(welcome.at + ms(waited))


# --- the wall clock with --realtime -------------------------------------------------------


class FakeWall:
    """A wall clock that moves only when the chat 'sleeps' through an answer."""

    def __init__(self) -> None:
        self.now = WALL

    def __call__(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def test_realtime_sends_the_wall_clock(transport: Recording) -> None:
    wall = FakeWall()
    device = Device(transport, clock=DeviceClock(realtime=True, wall=wall))
    out = io.StringIO()
    chat = Chat(device, out, realtime=True, sleep=wall.sleep)
    chat.turn("open hamstring coach")  # the chat 'sleeps' while the welcome plays
    welcome_ms = playing_ms(transport.received[0], device.measure)
    wall.now += timedelta(minutes=3)  # and the person takes their time
    chat.turn("@12s start the seated stretch")
    launch, start = transport.sent
    assert sent_at(launch) == "2026-11-27T09:00:00Z"
    assert sent_at(start) == timestamp(WALL + ms(welcome_ms) + timedelta(minutes=3))
    assert "@12s ignored: with --realtime the clock is the wall clock" in out.getvalue()


def test_realtime_is_chosen_by_the_option(monkeypatch: pytest.MonkeyPatch) -> None:
    for realtime in (False, True):
        args = argparse.Namespace(locale="en-US", url=None, realtime=realtime)
        with ExitStack() as stack:
            assert open_device(args, stack).clock.realtime is realtime


# --- the prefixes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "when", "rest"),
    [
        ("@45s pause", When(True, 45_000, "@45s"), "pause"),
        ("@45 pause", When(True, 45_000, "@45"), "pause"),
        ("@1m30s how long is left", When(True, 90_000, "@1m30s"), "how long is left"),
        ("@90.5s stop", When(True, 90_500, "@90.5s"), "stop"),
        ("+10m next", When(False, 600_000, "+10m"), "next"),
        ("+2h open hamstring coach", When(False, 7_200_000, "+2h"), "open hamstring coach"),
        ("+1d open hamstring coach", When(False, 86_400_000, "+1d"), "open hamstring coach"),
        ("next", None, "next"),
    ],
)
def test_time_prefixes(line: str, when: When | None, rest: str) -> None:
    assert split_when(line) == (when, rest)


@pytest.mark.parametrize("line", ["@soon pause", "+ next", "@12x stop", "+1s1m next"])
def test_a_prefix_that_cannot_be_read_is_said_so(device: Device, line: str) -> None:
    with pytest.raises(ValueError, match="cannot read the time"):
        split_when(line)
    exchange = device.say(line)
    assert exchange.request is None
    assert "cannot read the time" in exchange.note


def test_a_prefix_alone_says_nothing(device: Device, transport: Recording) -> None:
    assert "say something after +1d" in device.say("+1d").note
    assert transport.sent == []
