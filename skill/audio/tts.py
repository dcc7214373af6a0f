"""Speech engines behind one small protocol: text in, float32 mono samples out.

The audio builder does not care which voice speaks; it needs samples it can place at exact
offsets. gTTS sounds natural but needs Google (and can hang, rate-limit or vanish), espeak-ng
is robotic but local, fast and deterministic. `pick_engine("auto")` prefers gTTS and falls
back to espeak with a note that ends up in the manifest, so nobody ships robot audio unaware.
"""

from __future__ import annotations

import io
import os
import subprocess
import tempfile
import time
import wave
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import numpy as np
import requests
from gtts import gTTS
from gtts.tts import gTTSError

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
PROBE_TEXT = "Ready."
GTTS_SAMPLE_RATE = 24_000


class TTSUnavailable(RuntimeError):
    """The engine cannot produce speech now (no network, rate-limited, binary missing)."""


class Engine(Protocol):
    name: str  # recorded in the manifest; part of each clip's cache key
    note: str  # why this engine was chosen, e.g. a fallback; "" when nothing to say

    def synthesize(self, text: str) -> tuple[np.ndarray, int]:
        """Speak `text`: (float32 mono samples in [-1, 1], sample rate in Hz)."""
        ...


def decode_audio(path: Path | str, sample_rate: int | None = None) -> tuple[np.ndarray, int]:
    """Decode any audio file ffmpeg reads to float32 mono (resampled if `sample_rate`)."""
    rate = sample_rate or probe_sample_rate(path)
    cmd = ["ffmpeg", "-v", "error", "-nostdin", "-i", str(path), "-ac", "1", "-ar", str(rate)]
    cmd += ["-f", "f32le", "-"]
    out = subprocess.run(cmd, check=True, capture_output=True).stdout
    return np.frombuffer(out, dtype="<f4").astype(np.float32), rate


def probe_sample_rate(path: Path | str) -> int:
    """The first audio stream's sample rate, by ffprobe."""
    cmd = ["ffprobe", "-v", "error", "-select_streams", "a:0", "-show_entries"]
    cmd += ["stream=sample_rate", "-of", "default=nw=1:nk=1", str(path)]
    return int(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.split()[0])


class GTTSEngine:
    """Google's voice through gTTS, with a timeout always and retries on transient failures.

    gTTS's `save()` opens the file before the request and leaves a 0-byte file on failure, and
    its default timeout is forever (docs/audio.md): so we stream into a temp file we always remove.
    """

    name = "gtts"

    def __init__(
        self,
        timeout: float = 5.0,
        retries: int = 3,
        backoff: float = 0.5,
        lang: str = "en",
        tld: str = "com",
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.lang = lang
        self.tld = tld
        self.note = ""
        self._sleep = sleep
        self.attempts = 0  # requests tried in the last synthesize(); for tests and reports

    def synthesize(self, text: str) -> tuple[np.ndarray, int]:
        last: Exception | None = None
        self.attempts = 0
        for attempt in range(self.retries + 1):
            if attempt:
                self._sleep(self.backoff * 2 ** (attempt - 1))
            self.attempts += 1
            try:
                return self._once(text)
            except gTTSError as exc:
                last = exc
                status = exc.rsp.status_code if exc.rsp is not None else None
                # No response at all = connection error or timeout: worth another try.
                if status is not None and status not in RETRY_STATUSES:
                    break
        raise TTSUnavailable(f"gTTS failed after {self.attempts} attempt(s): {last}") from last

    def _once(self, text: str) -> tuple[np.ndarray, int]:
        tts = gTTS(text, lang=self.lang, tld=self.tld, timeout=self.timeout)
        fd, tmp = tempfile.mkstemp(prefix="gtts-", suffix=".mp3")
        try:
            with os.fdopen(fd, "wb") as fp:
                tts.write_to_fp(fp)
            if os.path.getsize(tmp) == 0:
                raise gTTSError("empty audio from TTS API")
            try:
                # Google sends 24 kHz; asking ffmpeg for it saves an ffprobe per utterance.
                return decode_audio(tmp, GTTS_SAMPLE_RATE)
            except subprocess.CalledProcessError as exc:
                raise gTTSError(f"undecodable audio from TTS API: {exc.stderr!r}") from exc
        finally:
            os.unlink(tmp)


class EspeakEngine:
    """espeak-ng, local and byte-identical across runs: the offline and test voice."""

    name = "espeak"

    def __init__(self, voice: str = "en-us", speed_wpm: int = 160, note: str = "") -> None:
        self.voice = voice
        self.speed_wpm = speed_wpm
        self.note = note

    def synthesize(self, text: str) -> tuple[np.ndarray, int]:
        cmd = ["espeak-ng", "-v", self.voice, "-s", str(self.speed_wpm), "--stdout", text]
        try:
            wav = subprocess.run(cmd, check=True, capture_output=True).stdout
        except (OSError, subprocess.CalledProcessError) as exc:
            raise TTSUnavailable(f"espeak-ng failed: {exc}") from exc
        return wav_to_float(wav)


def wav_to_float(wav: bytes) -> tuple[np.ndarray, int]:
    """16-bit PCM WAV bytes to float32 mono samples.

    espeak-ng writes 0xFFFFFFFF as the data size when streaming to a pipe, which `wave` does
    not mind for reading frames; we read all that is there.
    """
    with wave.open(io.BytesIO(wav)) as w:
        if w.getsampwidth() != 2:
            raise TTSUnavailable(f"unexpected WAV sample width {w.getsampwidth()}")
        rate, channels = w.getframerate(), w.getnchannels()
        frames = w.readframes(w.getnframes())
    pcm = np.frombuffer(frames[: len(frames) // 2 * 2], dtype="<i2").astype(np.float32) / 32768
    if channels > 1:
        pcm = pcm[: len(pcm) // channels * channels].reshape(-1, channels).mean(axis=1)
    return pcm.astype(np.float32), rate


def pick_engine(name: str = "auto", probe_timeout: float = 2.0) -> Engine:
    """The engine to render with; "auto" probes gTTS once and falls back to espeak-ng."""
    if name == "gtts":
        return GTTSEngine()
    if name == "espeak":
        return EspeakEngine()
    if name != "auto":
        raise ValueError(f"unknown TTS engine {name!r}; use gtts, espeak or auto")
    try:
        GTTSEngine(timeout=probe_timeout, retries=0).synthesize(PROBE_TEXT)
    except TTSUnavailable as exc:
        return EspeakEngine(note=f"gTTS unavailable, fell back to espeak-ng ({exc})")
    except requests.RequestException as exc:  # defensive: gTTS normally wraps these
        return EspeakEngine(note=f"gTTS unavailable, fell back to espeak-ng ({exc})")
    return GTTSEngine()
