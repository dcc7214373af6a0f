"""`chat` on a real terminal (a pseudo-terminal here): wrapped answers, quiet input in playback."""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import io
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
from collections.abc import Iterator
from pathlib import Path

import pytest

from skill.cli import build_parser
from skill.simulator.chat import run_chat
from skill.simulator.terminal import input_paused, terminal_width, wrap

ROOT = Path(__file__).resolve().parent.parent


# --- wrapping -----------------------------------------------------------------------------


ANSWER = (
    "Alexa: Let's do the seated hamstring stretch. 3 holds of 30 seconds on each leg, right "
    "leg first. [pause 1 s] Get ready. Three. [pause 0.5 s] Two. Call 904-858-7045 or (904) "
    "858-7045, or see https://example.org/a-very-long-address-that-cannot-fit-anywhere."
)


@pytest.mark.parametrize("width", [20, 33, 50, 79, 120])
def test_wrap_breaks_only_between_words(width: int) -> None:
    wrapped = wrap(ANSWER, width)
    lines = wrapped.split("\n")
    assert wrapped.split() == ANSWER.split()  # the same words, none cut in two
    for line in lines:
        units = re.sub(r"\[[^\]]*\]|\(\d{3}\) ", lambda m: m.group(0).replace(" ", "_"), line)
        assert len(line) <= width or " " not in units.strip(), line  # a lone long word only
    for line in lines[1:]:
        assert line.startswith(" " * len("Alexa: "))  # lined up with the text
    for kept in ("[pause 1 s]", "[pause 0.5 s]", "904-858-7045", "(904) 858-7045"):
        assert kept in wrapped.replace("\n", " ") or width < len(kept)
        assert any(kept in line for line in lines) or width < len(kept) + 7


def test_wrap_lines_up_cues_and_notes() -> None:
    cue = "    0:37.8  Nice work. That was rep 1 of 3 on your right leg. Relax for a moment."
    assert re.match(r" {12}\S", wrap(cue, 40).split("\n")[1])
    note = "  (if you say nothing: Say next when you're ready, or say pause to take a break.)"
    assert re.match(r" {3}\S", wrap(note, 40).split("\n")[1])
    assert wrap(ANSWER, None) == ANSWER  # not a terminal: one line per answer
    assert wrap("short\nlines", 40) == "short\nlines"


def test_terminal_width_only_for_a_terminal() -> None:
    assert terminal_width(io.StringIO()) is None


@pytest.fixture
def terminal() -> Iterator[tuple[int, int]]:
    """(master, slave) of a 50-column pseudo-terminal."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 50, 0, 0))
    yield master, slave
    for fd in (master, slave):
        with contextlib.suppress(OSError):
            os.close(fd)


def _read_all(fd: int, timeout: float = 60) -> str:
    out = b""
    while select.select([fd], [], [], timeout)[0]:
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the other side closed
            break
        if not chunk:
            break
        out += chunk
    return out.decode().replace("\r\n", "\n")


def test_chat_wraps_answers_to_the_terminal_width(
    terminal: tuple[int, int], tmp_path: Path
) -> None:
    master, slave = terminal
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env.update(XDG_DATA_HOME=str(tmp_path), SKILL_SPEECH_MODE="apla")
    env.pop("SKILL_DATABASE_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "skill.cli", "chat"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        cwd=ROOT,
        env=env,
    )
    os.close(slave)
    os.write(master, b"open hamstring coach\nwhat's the phone number\nquit\n")
    out = _read_all(master)
    assert proc.wait(timeout=60) == 0
    # Typed ahead, the input was echoed before the prompts; a person's Enter ends the line.
    lines = [line.removeprefix("you> ") for line in out.split("\n")]
    assert max(len(line) for line in lines) <= 50
    assert sum(line.startswith("       ") for line in lines) > 5  # continuation lines
    flat = " ".join(out.split())
    assert "A quick note: I give general exercise guidance, not medical advice." in flat
    assert "call 904-858-7045. I've also put the number in your Alexa app." in flat
    assert "(904) 858-7045" in flat


# --- typing while the device plays ----------------------------------------------------------


def _echo_on(fd: int) -> bool:
    return bool(termios.tcgetattr(fd)[3] & termios.ECHO)


def test_input_paused_hides_and_drops_what_is_typed(terminal: tuple[int, int]) -> None:
    master, slave = terminal
    keyboard = os.fdopen(os.dup(slave), "r")
    with keyboard:
        assert _echo_on(slave)
        with input_paused(keyboard):
            assert not _echo_on(slave)
            os.write(master, b"next\n")  # typed during playback
        assert _echo_on(slave)
        os.write(master, b"help\n")
        assert keyboard.readline() == "help\n"  # "next" was dropped
    echoed = _read_all(master, timeout=0.5)
    assert "next" not in echoed
    assert "help" in echoed


def test_input_paused_does_nothing_without_a_terminal() -> None:
    stream = io.StringIO("next\n")
    with input_paused(stream):
        pass
    with input_paused(None):
        pass
    assert stream.readline() == "next\n"


class Prompts(io.StringIO):
    """Chat output that types `then` at the terminal when the second prompt appears."""

    def __init__(self, master: int, then: bytes) -> None:
        super().__init__()
        self.master, self.then, self.prompts = master, then, 0

    def write(self, text: str) -> int:
        if text == "you> ":
            self.prompts += 1
            if self.prompts == 2:
                os.write(self.master, self.then)
        return super().write(text)


def test_realtime_chat_does_not_take_typing_during_playback(
    terminal: tuple[int, int], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    master, slave = terminal
    monkeypatch.setenv("SKILL_DATABASE_URL", f"sqlite:///{tmp_path}/p.db")
    echo_during_playback: list[bool] = []

    def sleep(seconds: float) -> None:
        echo_during_playback.append(_echo_on(slave))
        if len(echo_during_playback) == 1:
            os.write(master, b"next\n")  # someone types while Alexa talks

    args: argparse.Namespace = build_parser().parse_args(["chat", "--realtime"])
    out = Prompts(master, b"quit\n")
    os.write(master, b"open hamstring coach\n")
    with os.fdopen(os.dup(slave), "r") as keyboard:
        assert run_chat(args, keyboard, out, sleep) == 0
    text = out.getvalue()
    assert echo_during_playback
    assert not any(echo_during_playback)
    assert _echo_on(slave)  # restored
    assert "Welcome to Hamstring Coach" in text
    assert "no stretch running" not in text  # "next" was never sent
    assert text.count("you> ") == 2  # a fresh prompt after the playback, then "quit"
    assert re.search(r"you> \(session ended by you: USER_INITIATED\)\nBye\.\n$", text)
    assert "type at the next 'you>' prompt" in " ".join(text.split())
    assert "next" not in _read_all(master, timeout=0.5).replace("next'", "")
