"""`hamstring-coach chat` and `say` end to end: whole routines, sessions, errors, the README."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from skill.cli import main
from skill.core.content import load_content
from skill.simulator.transport import HttpTransport, TransportError
from tests.checks import check_response

# --- the commands -------------------------------------------------------------------------


def chat(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], lines: str,
         *args: str) -> tuple[int, str]:  # fmt: skip
    monkeypatch.setattr("sys.stdin", io.StringIO(lines))
    code = main(["chat", *args])
    return code, capsys.readouterr().out


def offsets(out: str, cue: str) -> list[list[float]]:
    """The offsets (s) at which `cue` plays, per APL-A timeline in a chat's output."""
    found = []
    for document in out.split("[APL-A audio,")[1:]:
        at = re.findall(rf"^    (\d+):(\d\d\.\d)  {re.escape(cue)}$", document, re.M)
        found.append([int(m) * 60 + float(s) for m, s in at])
    return found


@pytest.mark.parametrize("mode", ["apla", "ssml"])
def test_chat_drives_a_whole_routine(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], mode: str
) -> None:
    content = load_content()
    monkeypatch.setenv("SKILL_SPEECH_MODE", mode)
    # A set per leg: "ready" between them, "no" to the week's summary and to the offer of a
    # reminder, then a late "next".
    code, out = chat(monkeypatch, capsys, "start the seated stretch\nready\nno\nno\nnext\n")
    assert code == 0
    assert out.startswith("Hamstring Coach simulator")
    assert "'quit' to leave" in out
    seated = content.stretch("seated")
    for line in seated.setup:
        assert " ".join(line.format(leg="right").split()) in out
    if mode == "apla":  # one timeline per leg; each hold released exactly 30 s after it began
        assert out.count("[APL-A audio,") == 2
        for ones, bells in zip(
            offsets(out, "One."), offsets(out, "[audio: amzn_sfx_bell_short_chime_01]"), strict=True
        ):
            count_ins, last_counts = ones[0::2], ones[1::2]
            assert len(count_ins) == len(last_counts) == len(bells) == 3
            pairs = zip(count_ins, last_counts, strict=True)
            assert [round(end - start, 1) for start, end in pairs] == [30.0] * 3
            releases = zip(last_counts, bells, strict=True)
            assert [round(bell - one, 1) for one, bell in releases] == [1.0] * 3
    else:  # a count-in per rep, and the end of each hold counted the same way
        assert "[APL-A audio" not in out
        assert out.count("Two. [pause 0.5 s] One. [pause 0.5 s]") == 12
        assert out.count("Five. [pause 0.5 s] Four. [pause 0.5 s] Three.") == 6
    assert "Switch to your left leg, and say ready when you are." in out
    assert "Now your left leg." in out
    assert "Well done! You've finished the seated hamstring stretch, 6 holds in all." in out
    assert "Would you like to hear how your week is going?" in out
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
    chat(monkeypatch, capsys, "start the seated stretch\nready\nno\n")
    _, out = chat(monkeypatch, capsys, "open hamstring coach\nwhat's my streak\nquit\n")
    assert "Welcome back" in out
    assert "you've finished 1 session" in out


def test_say_prints_the_answer(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["say", "ask hamstring coach for the phone number"]) == 0
    out = capsys.readouterr().out
    # The number first: a first-time user hears the disclaimer before the first stretch.
    assert out.startswith("Alexa: To book physical therapy at JOI Rehab, call 904-858-7045")
    assert "not medical advice" not in out
    assert "[card] JOI Rehab" in out


def test_say_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["say", "start the chair stretch", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["intent"] == "StartStretchIntent"
    resolution = data["slots"]["Stretch"]["resolution"]["resolutionsPerAuthority"][0]
    assert data["slots"]["Stretch"]["value"] == "chair stretch"
    assert resolution["status"]["code"] == "ER_SUCCESS_MATCH"
    assert resolution["values"][0]["value"]["id"] == "seated"
    assert data["nlu"] == {
        "method": "exact",
        "score": 1.0,
        "sample": "start the {Stretch}",
        "refused": None,
    }
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
