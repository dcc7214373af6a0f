"""The simulator as an Echo Show: it tells the skill it has a screen, reports the screen each
answer puts up with its buttons, and a typed touch (`[tap pause]`) does what a finger does.

Everything runs the real skill in process through the same Device, `chat` and `say` the
commands use; every request the device sends is read back by ask-sdk-model, as the skill's SDK
reads it, and every response is checked as a device would check it.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope
from ask_sdk_model.interfaces.alexa.presentation.apl import UserEvent
from ask_sdk_model.session_ended_request import SessionEndedRequest

from skill.cli import build_parser, main
from skill.config import Config
from skill.screen.directive import APL_VERSION, BUTTON_ACTIONS, TOKEN, directive_bytes
from skill.screen.viewports import VIEWPORTS
from skill.simulator.chat import run_chat
from skill.simulator.device import Device
from skill.simulator.display import RUNTIME_MAX_VERSION, display_for
from skill.simulator.envelopes import EnvelopeFactory
from skill.simulator.exchange import Exchange
from skill.simulator.render import render_text
from skill.simulator.transport import InProcessTransport
from skill.simulator.turn_json import KEYS
from tests.checks import check_response

serializer = DefaultSerializer()


class Recording(InProcessTransport):
    """The in-process skill, keeping every request (read back by ask-sdk-model) and response."""

    def __init__(self, config: Config) -> None:
        super().__init__(config)
        self.sent: list[dict[str, Any]] = []
        self.parsed: list[RequestEnvelope] = []

    def send(self, envelope: dict[str, Any]) -> dict[str, Any]:
        self.sent.append(envelope)
        self.parsed.append(serializer.deserialize(json.dumps(envelope), RequestEnvelope))
        response = super().send(envelope)
        check_response(response)
        return response


def device_on(tmp_path: Path, name: str) -> tuple[Device, Recording]:
    """A simulated `name` (e.g. "echo-show-8") with its own fresh progress store."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    config = Config(verify_requests=False, database_url=f"sqlite:///{tmp_path}/progress.sqlite3")
    transport = Recording(config)
    return Device(transport, EnvelopeFactory(display=display_for(name))), transport


def mid_hold(start: Exchange) -> str:
    """A time prefix 10 s into the first hold of the set `start` began."""
    assert start.screen is not None
    return f"@{(start.screen.at_ms + 10_000) / 1000}s"


def answer(exchange: Exchange) -> str:
    """What Alexa says and shows in the app for a turn (no notes, no screen line)."""
    assert exchange.rendered is not None
    return render_text(exchange.rendered)


def directive_types(exchange: Exchange) -> list[str]:
    return [d["type"] for d in (exchange.response or {})["response"].get("directives", [])]


def start_seated(device: Device) -> Exchange:
    device.say("open hamstring coach")
    return device.say("start the seated stretch")


# --- what an Echo Show sends ----------------------------------------------------------------


def test_an_echo_show_says_it_has_a_screen_in_every_request(tmp_path: Path) -> None:
    device, transport = device_on(tmp_path, "echo-show-8")
    start_seated(device)
    viewport = VIEWPORTS["hubLandscapeMedium"]
    for parsed in transport.parsed:
        apl = parsed.context.system.device.supported_interfaces.alexa_presentation_apl
        assert apl.runtime.max_version == RUNTIME_MAX_VERSION
        assert parsed.context.viewport.pixel_width == viewport.pixel_width
        assert parsed.context.viewport.pixel_height == viewport.pixel_height
        assert parsed.context.viewport.dpi == viewport.dpi
        assert parsed.context.viewport.mode.value == "HUB"
        assert parsed.context.viewport.shape.value == "RECTANGLE"
        assert [t.value for t in parsed.context.viewport.touch] == ["SINGLE"]
    # The first request comes before any document is up: no visual context yet; the launch put
    # its caption screen up, so the next one says which document is showing.
    assert transport.parsed[0].context.alexa_presentation_apl is None
    assert transport.parsed[1].context.alexa_presentation_apl.token == TOKEN
    device.say("pause")
    assert transport.parsed[-1].context.alexa_presentation_apl.token == TOKEN


def test_an_echo_dot_says_nothing_of_a_screen_and_is_shown_none(tmp_path: Path) -> None:
    device, transport = device_on(tmp_path, "echo-dot")
    start = start_seated(device)
    assert start.screen is None
    assert "[screen:" not in start.text
    for sent in transport.sent:
        assert (
            "Alexa.Presentation.APL"
            not in sent["context"]["System"]["device"]["supportedInterfaces"]
        )
        assert "Viewport" not in sent["context"]
    assert directive_types(start) == ["Alexa.Presentation.APLA.RenderDocument"]


def test_a_fire_tv_has_a_remote_not_a_touch_screen(tmp_path: Path) -> None:
    device, transport = device_on(tmp_path, "fire-tv")
    start = start_seated(device)
    assert transport.sent[-1]["context"]["Viewport"]["keyboard"] == ["DIRECTION"]
    assert "touch" not in transport.sent[-1]["context"]["Viewport"]
    assert start.screen is not None
    assert start.screen.view.buttons == ()
    sent = len(transport.sent)
    tap = device.say(f"{mid_hold(start)} [tap pause]")
    assert tap.note == "the fire-tv has no touch screen; nothing sent"
    assert len(transport.sent) == sent


# --- the screen a stretch puts up ------------------------------------------------------------


def test_the_start_of_a_stretch_reports_its_screen_and_buttons(tmp_path: Path) -> None:
    device, _transport = device_on(tmp_path, "echo-show-8")
    start = start_seated(device)
    screen = start.screen
    assert screen is not None
    assert "Alexa.Presentation.APL.RenderDocument" in directive_types(start)
    directive = next(
        d
        for d in (start.response or {})["response"]["directives"]
        if d["type"] == "Alexa.Presentation.APL.RenderDocument"
    )
    assert screen.token == TOKEN
    assert screen.bytes == directive_bytes(directive)
    assert screen.kind == "set"
    assert screen.at_ms > 0  # after the spoken set-up, where the first hold begins
    assert "Rep 1 of 3 · right leg" in screen.view.texts
    assert [b.label for b in screen.view.buttons] == ["Pause", "Next", "Stop"]
    assert [b.arguments for b in screen.view.buttons] == [(a,) for a in BUTTON_ACTIONS]
    line = start.text.splitlines()[-1]
    assert line.startswith("  [screen: set at 0:")
    assert line.endswith("KB · buttons: Pause, Next, Stop]")


# --- typed touches ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tap", "say"), [("[tap pause]", "pause"), ("[tap Next]", "next"), ("[tap stop]", "stop")]
)
def test_a_touch_mid_hold_does_exactly_what_saying_it_does(
    tmp_path: Path, tap: str, say: str
) -> None:
    touched, transport = device_on(tmp_path / "touched", "echo-show-8")
    spoken, _ = device_on(tmp_path / "spoken", "echo-show-8")
    set_touched, set_spoken = start_seated(touched), start_seated(spoken)
    when = mid_hold(set_touched)
    assert when == mid_hold(set_spoken)
    by_touch = touched.say(f"{when} {tap}")
    by_voice = spoken.say(f"{when} {say}")
    assert by_touch.note.endswith(f"into what Alexa played, at {_stamp(by_touch)}; you tapped "
                                  f"{say.capitalize()}")  # fmt: skip
    assert answer(by_touch) == answer(by_voice)
    assert directive_types(by_touch) == directive_types(by_voice)
    assert by_touch.at
    assert set_touched.at
    assert by_voice.at
    assert set_spoken.at
    assert by_touch.at - set_touched.at == by_voice.at - set_spoken.at
    assert touched.session.open == spoken.session.open == (say != "stop")
    # What went to the skill: the UserEvent the button's SendEvent sends, in the open session.
    event = transport.parsed[-1]
    assert isinstance(event.request, UserEvent)
    assert event.request.token == TOKEN
    assert event.request.arguments == [say]
    assert event.request.source == {"type": "TouchWrapper", "handler": "Press", "value": False}
    assert event.session.new is False
    assert event.context.alexa_presentation_apl.token == TOKEN
    assert transport.sent[-1]["request"]["timestamp"] == by_touch.request["request"]["timestamp"]


def _stamp(exchange: Exchange) -> str:
    assert exchange.request is not None
    return str(exchange.request["request"]["timestamp"])


def test_a_touch_without_a_screen_or_a_button_sends_nothing_and_says_what_there_is(
    tmp_path: Path,
) -> None:
    dot, dot_transport = device_on(tmp_path / "dot", "echo-dot")
    start_seated(dot)
    sent = len(dot_transport.sent)
    assert dot.say("[tap pause]").note == (
        "this device has no screen to touch (try --device echo-show-8); nothing sent"
    )
    assert len(dot_transport.sent) == sent

    show, transport = device_on(tmp_path / "show", "echo-show-8")
    assert show.say("[tap pause]").note == "nothing on the screen to tap yet; nothing sent"
    start = start_seated(show)
    sent = len(transport.sent)
    when = mid_hold(start)
    unknown = show.say(f"{when} [tap resume]")
    assert unknown.note.endswith(
        "no button 'resume' on the screen: its buttons are Pause, Next, Stop "
        "(e.g. [tap pause]); nothing sent"
    )
    assert unknown.request is None
    assert unknown.rendered is None
    assert show.say("[tap]").note.endswith(
        "tap which button?: it shows no buttons now; nothing sent"
    )
    assert len(transport.sent) == sent
    # "tap pause" without brackets is something said, not a touch.
    said = show.say(f"{when} tap pause")
    assert said.request is not None
    assert said.request["request"]["type"] == "IntentRequest"


def test_a_touch_after_the_session_timed_out_finds_the_screen_gone(tmp_path: Path) -> None:
    device, transport = device_on(tmp_path, "echo-show-8")
    start_seated(device)
    late = device.say("+1m [tap pause]")
    assert "the session timed out at" in late.note
    assert late.note.endswith("the screen has gone with the session; nothing sent")
    assert isinstance(transport.parsed[-1].request, SessionEndedRequest)
    assert transport.parsed[-1].context.alexa_presentation_apl.token == TOKEN


# --- the commands ---------------------------------------------------------------------------


def test_chat_on_an_echo_show_prints_the_screen_and_takes_taps(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = "open hamstring coach\nstart the seated stretch\n@45s [tap pause]\n"
    monkeypatch.setattr("sys.stdin", io.StringIO(lines))
    assert main(["chat", "--device", "echo-show-8"]) == 0
    out = capsys.readouterr().out
    v = VIEWPORTS["hubLandscapeMedium"]
    assert out.startswith(
        "Hamstring Coach simulator (device: echo-show-8, hubLandscapeMedium: "
        f"{v.pixel_width}x{v.pixel_height} px at {v.dpi} dpi)"
    )
    assert "A touch on the screen is typed in brackets: '[tap pause]'" in out
    assert out.count("[screen: set at 0:") == 1
    assert "you tapped Pause)" in out
    assert "Paused." in out


def test_chat_json_gives_the_screen_as_an_apl_object(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = "open hamstring coach\nstart the seated stretch\n@45s [tap next]\n[tap nothing]\n"
    monkeypatch.setattr("sys.stdin", io.StringIO(lines))
    assert main(["chat", "--json", "--device", "echo-show-8"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [tuple(r) for r in records] == [KEYS] * 4
    launch, start, tap, nothing = records
    assert launch["apl"]["screen"] == "caption"  # what Alexa said, as text
    assert launch["apl"]["buttons"] == []
    apl = start["apl"]
    assert apl["token"] == TOKEN
    assert apl["screen"] == "set"
    assert apl["bytes"] > 1000
    assert "Rep 1 of 3 · right leg" in apl["text"]
    assert apl["buttons"] == [
        {"label": "Pause", "arguments": ["pause"], "id": None},
        {"label": "Next", "arguments": ["next"], "id": None},
        {"label": "Stop", "arguments": ["stop"], "id": None},
    ]
    assert tap["request"] == "Alexa.Presentation.APL.UserEvent"
    assert tap["intent"] is None
    assert tap["note"].endswith("you tapped Next")
    assert nothing["request"] is None
    assert nothing["note"].endswith("nothing sent")


def test_say_on_an_echo_show_reports_the_screen(capsys: pytest.CaptureFixture[str]) -> None:
    text = "ask hamstring coach for the phone number"
    assert main(["say", "--device", "echo-show", "--json", text]) == 0
    said = json.loads(capsys.readouterr().out)
    assert said["apl"]["screen"] == "answer"
    assert said["apl"]["buttons"] == []
    assert main(["say", text]) == 0
    assert "[screen:" not in capsys.readouterr().out


def test_the_scripting_doc_lists_every_key_in_order() -> None:
    doc = (Path(__file__).parent.parent / "docs" / "chat-json.md").read_text(encoding="utf-8")
    table = doc.split("| key | value |\n|---|---|\n")[1].split("\n\n")[0]
    assert tuple(row.split("`")[1] for row in table.splitlines()) == KEYS


def test_in_real_time_the_screen_is_reported_as_she_starts(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SKILL_DATABASE_URL", f"sqlite:///{tmp_path}/p.db")
    args = build_parser().parse_args(["chat", "--realtime", "--device", "echo-show-8"])
    lines = io.StringIO("open hamstring coach\nstart the seated stretch\n[tap stop]\n")
    out = io.StringIO()
    assert run_chat(args, lines, out, lambda seconds: None) == 0
    turn = out.getvalue().split("you> start the seated stretch\n")[1]
    assert turn.startswith("  [screen: set at 0:")
    assert turn.splitlines()[1] == "Alexa:"
    assert "(you tapped Stop)" in out.getvalue()


def test_an_older_apl_runtime_gets_no_screen(capsys: pytest.CaptureFixture[str]) -> None:
    older = "1.0"  # the first APL version: older than any document the skill sends
    assert tuple(map(int, older.split("."))) < tuple(map(int, APL_VERSION.split(".")))
    text = "ask hamstring coach for the phone number"
    argv = ["say", "--device", "echo-show-8", "--apl-max-version", older, "--json", text]
    assert main(argv) == 0
    said = json.loads(capsys.readouterr().out)
    assert said["apl"] is None
    assert "Alexa.Presentation.APL.RenderDocument" not in [
        d["type"] for d in said["response"]["response"].get("directives", [])
    ]
    assert said["text"].startswith("Alexa: To book physical therapy")
