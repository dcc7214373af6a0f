"""Voice input, offline: a microphone (or WAV files) through pocketsphinx and the skill's grammar.

The decoder only knows the skill's phrases (skill/grammar.py), so a transcript is always
something the NLU can map; the NLU then treats it exactly like typed text. The microphone
records one utterance with sox, which stops on a second of silence; `--listen-file` feeds
recordings instead, for tests and for machines without a microphone.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

from skill.simulator.grammar import SAMPLE_RATE, SpeechRecognizer, load_audio
from skill.simulator.nlu import InteractionModel

MAX_UTTERANCE_S = 10


class NoMicrophone(RuntimeError):
    """Listening is impossible here; the message says why and what to do instead."""


def speech_recognizer(model: InteractionModel) -> SpeechRecognizer:
    """The grammar-constrained decoder, or a clear error when pocketsphinx is missing."""
    try:
        return SpeechRecognizer(model)
    except ImportError:
        raise NoMicrophone(
            "voice input needs pocketsphinx: pip install 'hamstring-coach[voice]'"
        ) from None


def transcribe_files(recognizer: SpeechRecognizer, paths: Iterable[Path]) -> Iterator[str]:
    """One transcript per recording, in order ("" when nothing was recognised)."""
    for path in paths:
        if not Path(path).is_file():
            raise FileNotFoundError(f"--listen-file: no such file {path}")
        try:
            samples = load_audio(path)
        except subprocess.CalledProcessError as exc:
            raise ValueError(
                f"--listen-file: cannot read {path} as audio: {exc.stderr!r}"
            ) from None
        yield recognizer.recognize_audio(samples)


def has_capture_device() -> bool:
    """An ALSA capture device, a PulseAudio/PipeWire socket, or macOS."""
    if sys.platform == "darwin":
        return True
    if any(Path("/dev/snd").glob("pcmC*c")):
        return True
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    sockets = [Path(runtime) / "pulse" / "native", Path(runtime) / "pipewire-0"] if runtime else []
    return bool(os.environ.get("PULSE_SERVER")) or any(p.exists() for p in sockets)


def record_command() -> list[str]:
    """sox recording one utterance from the default input: starts on sound, stops on silence."""
    if not has_capture_device():
        raise NoMicrophone("no microphone found (no capture device)")
    sox = shutil.which("sox") or shutil.which("rec")
    if sox is None:
        raise NoMicrophone("listening needs sox to record (apt install sox)")
    return [sox, "-q", "-d", "-t", "raw", "-r", str(SAMPLE_RATE), "-c", "1", "-b", "16",
            "-e", "signed-integer", "-", "silence", "1", "0.1", "2%", "1", "1.0", "2%",
            "trim", "0", str(MAX_UTTERANCE_S)]  # fmt: skip


class Microphone:
    """Records and transcribes one utterance per `listen()`."""

    def __init__(self, recognizer: SpeechRecognizer) -> None:
        self.command = record_command()  # fails early, before the chat starts
        self.recognizer = recognizer

    def listen(self) -> str:
        """One utterance; NoMicrophone if recording fails (device busy or unplugged)."""
        try:
            raw = subprocess.run(
                self.command, capture_output=True, check=True, timeout=MAX_UTTERANCE_S + 30
            ).stdout
        except subprocess.CalledProcessError as exc:
            detail = (exc.stderr or b"").decode(errors="replace").strip()
            raise NoMicrophone(f"recording failed ({detail or exc.returncode})") from None
        except subprocess.TimeoutExpired:
            raise NoMicrophone("the microphone gave no audio") from None
        samples = np.frombuffer(raw[: len(raw) // 2 * 2], dtype="<i2").astype(np.int16)
        return self.recognizer.recognize_audio(samples) if samples.size else ""
