"""`chat --json`: one JSON object per input line, every key every time, nothing else on stdout."""

from __future__ import annotations

import io
import json
import os
import re
import socket
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from skill.cli import main
from skill.config import Config
from skill.core.content import load_content
from skill.simulator.device import Device
from skill.simulator.transport import InProcessTransport
from skill.simulator.turn_json import KEYS, hold_seconds, plain_speech

ROOT = Path(__file__).resolve().parent.parent
CUES = load_content().cues


def _time(stamp: str) -> datetime:
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S%z")


def chat_json(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], lines: str, *args: str
) -> tuple[int, list[dict[str, Any]], str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(lines))
    code = main(["chat", "--json", *args])
    captured = capsys.readouterr()
    records = [json.loads(line) for line in captured.out.splitlines()]  # every line is JSON
    for record in records:
        assert tuple(record) == KEYS  # the same keys, in the same order, every time
    return code, records, captured.err


def test_the_documented_pipe_prints_exactly_two_objects(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path), "SKILL_SPEECH_MODE": "apla"}
    env.pop("SKILL_DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "skill.cli", "chat", "--json"],
        input="open hamstring coach\nstart the seated stretch\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.endswith("\n")
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    launch, start = (json.loads(line) for line in lines)
    assert tuple(launch) == tuple(start) == KEYS
    assert launch == {
        "you": "open hamstring coach",
        "intent": None,
        "slots": {},
        "nlu": None,
        "speech": launch["speech"],
        "reprompt": launch["reprompt"],
        "card": None,
        "directives": [],
        "apl": None,  # an Echo Dot: no screen
        "end_session": False,
        "hold_seconds": None,
        "plays_seconds": launch["plays_seconds"],
        "request": "LaunchRequest",
        "at": launch["at"],
        "note": None,
        "error": None,
        "consent": None,
        "reminders": None,
    }
    assert launch["speech"].startswith("Welcome to Hamstring Coach.")
    assert launch["reprompt"] == "Say seated stretch, lying stretch, or full routine."
    assert start["you"] == "start the seated stretch"
    assert start["intent"] == "StartStretchIntent"
    assert start["slots"] == {"Stretch": {"value": "seated stretch", "id": "seated"}}
    assert start["nlu"] == {
        "method": "exact",
        "score": 1.0,
        "sample": "start the {Stretch}",
        "refused": None,
    }
    # The set's APL-A document: its cues in playing order, as plain text.
    speech = start["speech"]
    assert speech.startswith("Let's do the seated hamstring stretch.")
    assert "Three. Two. One. Stretch, and hold." in speech
    assert speech.index("Halfway there.") < speech.index("And release.") < speech.index("Nice")
    assert speech.index("Nice") < speech.index("Rep 2 of 3.") < speech.index("Rep 3 of 3.")
    assert speech.endswith("Switch to your left leg, and say ready when you are.")
    assert "<" not in speech
    assert "[" not in speech
    assert "  " not in speech
    assert start["reprompt"] == "Say ready when you're in position, or pause to take a break."
    assert start["card"] is None
    assert start["directives"] == ["Alexa.Presentation.APLA.RenderDocument"]
    assert start["apl"] is None
    assert start["end_session"] is False
    assert start["hold_seconds"] == 30
    # The device's clock: the second request comes once the welcome has played (and 1 s more).
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", launch["at"])
    waited = (_time(start["at"]) - _time(launch["at"])).total_seconds()
    assert abs(waited - (launch["plays_seconds"] + 1)) < 1
    assert start["plays_seconds"] > 3 * start["hold_seconds"]  # the right leg's three holds
    assert start["request"] == "IntentRequest"
    assert start["note"] is None
    assert start["error"] is None


def test_silence_reprompts_then_ends_and_the_next_line_starts_a_new_session(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, records, _ = chat_json(
        monkeypatch, capsys, "open hamstring coach\n\n\nwhat's the phone number\n"
    )
    assert code == 0
    launch, reprompt, ended, number = records
    assert reprompt["you"] == ""
    assert reprompt["request"] is None
    assert reprompt["speech"] == launch["reprompt"]
    assert reprompt["reprompt"] is None
    assert reprompt["end_session"] is False
    assert ended["request"] == "SessionEndedRequest"
    assert ended["speech"] == ""
    assert ended["end_session"] is True
    assert "EXCEEDED_MAX_REPROMPTS" in ended["note"]
    assert number["request"] == "IntentRequest"
    assert number["note"].startswith("no session open")  # a new session, one-shot
    assert "904-858-7045" in number["speech"]
    assert number["card"]["title"].startswith("JOI Rehab")
    assert "(904) 858-7045" in number["card"]["text"]


def test_silence_with_no_session_and_quit_stops_reading(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, records, _ = chat_json(
        monkeypatch, capsys, "\nopen hamstring coach\nquit\nopen hamstring coach\n"
    )
    assert code == 0
    assert len(records) == 3  # nothing after quit is read
    silence, _, quit_ = records
    assert silence["request"] is None
    assert silence["end_session"] is True
    assert "nothing is listening" in silence["note"]
    assert quit_ == {
        **dict.fromkeys(KEYS),
        "you": "quit",
        "slots": {},
        "speech": "",
        "directives": [],
        "end_session": True,
        "plays_seconds": 0.0,
        "request": "SessionEndedRequest",
        "at": quit_["at"],
        "note": "session ended by you: USER_INITIATED",
    }


def test_end_of_input_ends_the_session_without_a_line_of_its_own(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], config: Config
) -> None:
    sent: list[dict[str, Any]] = []

    class Recording(InProcessTransport):
        def send(self, envelope: dict[str, Any]) -> dict[str, Any]:
            sent.append(envelope)
            return super().send(envelope)

    device = Device(Recording(config))
    monkeypatch.setattr("skill.simulator.turn_json.open_device", lambda args, stack: device)
    code, records, _ = chat_json(monkeypatch, capsys, "open hamstring coach\n")
    assert code == 0
    assert len(records) == 1
    assert [e["request"]["type"] for e in sent] == ["LaunchRequest", "SessionEndedRequest"]
    assert sent[-1]["request"]["reason"] == "USER_INITIATED"


@pytest.mark.parametrize("mode", ["apla", "ssml"])
def test_hold_seconds_in_both_speech_modes(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], mode: str
) -> None:
    monkeypatch.setenv("SKILL_SPEECH_MODE", mode)
    lines = "set the hold to forty five seconds\nstart the lying stretch\nnext\nhelp\n"
    code, records, _ = chat_json(monkeypatch, capsys, lines)
    assert code == 0
    setting, first, second, help_ = records
    assert setting["slots"] == {  # every declared slot is listed, as Alexa lists them
        "Seconds": {"value": "45", "id": None},
        "Duration": {"value": None, "id": None},
    }
    assert setting["hold_seconds"] is None
    assert first["hold_seconds"] == second["hold_seconds"] == 45
    assert help_["hold_seconds"] is None
    apla_type = "Alexa.Presentation.APLA.RenderDocument"
    assert first["directives"] == ([apla_type] if mode == "apla" else [])
    assert "Ten seconds left." in first["speech"]  # a 45 s hold's cues, in either mode


def test_hold_seconds_from_a_rendered_clip() -> None:
    ssml = (
        '<speak>Get ready. <audio src="https://example.org/a/hold-seated-50s-v2.mp3"/> '
        "Nice work.</speak>"
    )
    response = {"response": {"outputSpeech": {"type": "SSML", "ssml": ssml}}}
    assert hold_seconds(response, CUES) == 50
    document = {"type": "Alexa.Presentation.APLA.RenderDocument", "token": "hold-side-lying-45s-v1"}
    assert hold_seconds({"response": {"directives": [document]}}, CUES) == 45
    assert hold_seconds({"response": {}}, CUES) is None
    assert hold_seconds(None, CUES) is None


def test_plain_speech_keeps_punctuation_on_a_phone_number() -> None:
    from skill.simulator.playback import estimate_measure, ssml_playback

    ssml = '<speak>Call <say-as interpret-as="telephone">9048587045</say-as>. <break time="1s"/>'
    playback = ssml_playback(
        ssml + ' Bye. <audio src="soundbank://x/y"/></speak>', estimate_measure()
    )
    assert plain_speech([playback, None]) == "Call 904-858-7045. Bye."


def test_an_unreachable_skill_is_an_error_line_and_exit_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nobody listens there
    url = f"http://127.0.0.1:{port}/alexa"
    code, records, err = chat_json(monkeypatch, capsys, "open hamstring coach\n", "--url", url)
    assert code == 1
    (record,) = records
    assert record["you"] == "open hamstring coach"
    assert "cannot connect" in record["error"]
    assert record["speech"] == ""
    assert record["end_session"] is True
    assert "cannot connect" in err


@pytest.mark.parametrize("option", ["--realtime", "--speak", "--listen"])
def test_json_refuses_options_made_for_people(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], option: str
) -> None:
    code, records, err = chat_json(monkeypatch, capsys, "open hamstring coach\n", option)
    assert code == 2
    assert records == []
    assert f"--json cannot be combined with {option}" in err


def test_nlu_says_when_it_guessed_and_when_it_refused_to(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = "open hamstring coach\nwhat's the phone number\nphone number what is\n"
    lines += "so both legs kind of went numb on me\n"
    code, records, _ = chat_json(monkeypatch, capsys, lines)
    assert code == 0
    launch, exact, guessed, refused = records
    assert launch["nlu"] is None
    assert exact["nlu"]["method"] == "exact"
    assert guessed["nlu"]["method"] == "fuzzy"
    assert 0.8 <= guessed["nlu"]["score"] < 1.0
    assert guessed["nlu"]["sample"] is not None
    # A near miss of an emergency (not near-exact) is never guessed: the fallback answers,
    # safety first.
    assert refused["intent"] == "AMAZON.FallbackIntent"
    assert refused["nlu"]["method"] == "fallback"
    assert refused["nlu"]["refused"] == "RedFlagIntent"
    assert refused["nlu"]["sample"] is None
