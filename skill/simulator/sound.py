"""`--speak`: the response as sound, with espeak-ng, mixed on the device's timeline.

Each speech cue is synthesised (offline, espeak-ng), rendered clips come from the audio
manifest, Alexa's sound-library bell is stood in for by the skill's synthesised chime, and
everything is placed at its offset with the skill's own mixer. The timeline is measured with
the real audio lengths, so APL-A cues land exactly where the document puts them. Without a
sound device (or with SIM_AUDIO_DIR set) each turn is written to a numbered WAV file instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from skill.audio.clips import Voice
from skill.audio.mixing import SAMPLE_RATE, chime, mix, ms_to_samples, samples_to_ms
from skill.audio.tts import EspeakEngine, decode_audio
from skill.simulator.clips import ClipLookup
from skill.simulator.playback import Sound
from skill.simulator.render import Rendered

DEFAULT_VOICE = "en-us"
AUDIO_DIR_ENV = "SIM_AUDIO_DIR"


class Synth:
    """Sounds to 24 kHz float samples; also the `Measure` of the real audio lengths."""

    def __init__(self, voice: Voice | None = None, clips: ClipLookup | None = None) -> None:
        self.voice = voice or Voice(EspeakEngine(voice=DEFAULT_VOICE))
        self.clips = clips or ClipLookup()
        self._clip_cache: dict[str, np.ndarray] = {}

    def samples(self, sound: Sound) -> np.ndarray:
        if sound.kind == "pause":
            return np.zeros(ms_to_samples(sound.ms), dtype=np.float32)
        if sound.kind == "audio":
            return self._clip(sound.source)
        text = sound.text
        if sound.phone:  # digit by digit, grouped, as Alexa reads a telephone say-as
            text = ", ".join(" ".join(group) for group in text.split("-"))
        return self.voice.speak(text)

    def __call__(self, sound: Sound) -> int:
        """Measure: the sound's real length in ms."""
        return round(samples_to_ms(self.samples(sound).size))

    def _clip(self, source: str) -> np.ndarray:
        if source not in self._clip_cache:
            path = self.clips.path(source)
            if path is not None:
                samples, _ = decode_audio(path, SAMPLE_RATE)
            elif source.startswith("soundbank://"):
                samples = chime()  # stands in for Alexa's sound-library bell
            else:
                samples = np.zeros(0, dtype=np.float32)  # not rendered here: silence
            self._clip_cache[source] = samples
        return self._clip_cache[source]

    def mixdown(self, rendered: Rendered) -> np.ndarray:
        """Speech then each APL-A document, every cue at its offset (timed by this Synth)."""
        placed: list[tuple[int, np.ndarray]] = []
        start = 0
        for playback in ([rendered.speech] if rendered.speech else []) + list(rendered.documents):
            for cue in playback.cues:
                if cue.sound.kind != "pause":
                    placed.append((ms_to_samples(start + cue.at_ms), self.samples(cue.sound)))
            start += playback.length_ms
        return mix(placed, ms_to_samples(start))


def write_wav(samples: np.ndarray, path: Path) -> Path:
    """16-bit mono WAV at the mixer's rate."""
    pcm = (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2")
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes(pcm.tobytes())
    return path


@dataclass(frozen=True)
class Output:
    """Where sound goes: a player command, or a directory of numbered files."""

    player: tuple[str, ...] | None
    directory: Path | None
    reason: str  # why files, when files


def has_output_device(env: dict[str, str] | None = None) -> bool:
    """An ALSA playback device, a PulseAudio/PipeWire socket, or macOS."""
    env = dict(os.environ) if env is None else env
    if sys.platform == "darwin":
        return True
    if any(Path("/dev/snd").glob("pcmC*p")):
        return True
    runtime = env.get("XDG_RUNTIME_DIR", "")
    sockets = [Path(runtime) / "pulse" / "native", Path(runtime) / "pipewire-0"] if runtime else []
    return bool(env.get("PULSE_SERVER")) or any(p.exists() for p in sockets)


def choose_output(env: dict[str, str] | None = None) -> Output:
    """A player when there is a device to play on; otherwise files (SIM_AUDIO_DIR or a temp dir)."""
    env = dict(os.environ) if env is None else env
    directory = env.get(AUDIO_DIR_ENV)
    if directory:
        return Output(None, Path(directory), f"{AUDIO_DIR_ENV} is set")
    players = {
        "afplay": ("afplay",),
        "paplay": ("paplay",),
        "aplay": ("aplay", "-q"),
        "ffplay": ("ffplay", "-nodisp", "-autoexit", "-loglevel", "error"),
    }
    if has_output_device(env):
        for name, command in players.items():
            if shutil.which(name):
                return Output(command, None, "")
        reason = "no audio player (aplay, paplay or ffplay) found"
    else:
        reason = "no sound device found"
    return Output(None, Path(tempfile.mkdtemp(prefix="hamstring-coach-sim-")), reason)


class Speaker:
    """Plays (or writes) one turn's audio at a time; numbers files turn-001.wav, ..."""

    def __init__(self, output: Output | None = None, synth: Synth | None = None) -> None:
        self.output = output or choose_output()
        self.synth = synth or Synth()
        self.turn = 0
        self._playing: subprocess.Popen[bytes] | None = None
        self._tmp: Path | None = None

    def start(self, rendered: Rendered) -> Path | None:
        """Begin playing (returns at once), or write the file and return its path."""
        self.turn += 1
        samples = self.synth.mixdown(rendered)
        if self.output.player is None:
            assert self.output.directory is not None
            return write_wav(samples, self.output.directory / f"turn-{self.turn:03d}.wav")
        self._tmp = Path(tempfile.mkdtemp(prefix="hamstring-coach-play-"))
        tmp = write_wav(samples, self._tmp / "turn.wav")
        self._playing = subprocess.Popen(
            [*self.output.player, str(tmp)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        return None

    def wait(self) -> None:
        """Until the current turn has finished playing."""
        if self._playing is not None:
            self._playing.wait()
        self._done()

    def stop(self) -> None:
        """Cut the current turn short (Ctrl-C, or the person leaves)."""
        if self._playing is not None:
            self._playing.terminate()
            self._playing.wait()
        self._done()

    def _done(self) -> None:
        self._playing = None
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None
