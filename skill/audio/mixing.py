"""Sample-exact mixing, a synthesised chime and the one-shot MP3 encoder.

Everything is mixed in numpy at 24 kHz (1 ms = 24 samples, so every cue offset lands on an
exact sample) and encoded once to Alexa's format. docs/audio.md measured 0.0 ms cue error this way;
re-encoding or concatenating MP3s would add encoder delay at every join.
"""

from __future__ import annotations

import math
import os
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from skill.audio.tts import probe_sample_rate
from skill.files import publish

SAMPLE_RATE = 24_000  # one of Alexa's allowed rates; 24 samples per millisecond
BITRATE = "48k"  # Alexa requires exactly 48 kbps
SPEECH_PEAK = 0.7  # every utterance is scaled to this peak so clips sound equally loud
MAX_PEAK = 0.97  # a mix louder than this is scaled down, never clipped
SILENCE_DB = -45.0  # below this an utterance's edges count as silence and are trimmed
# Without a Xing/Info header decoders play LAME's encoder delay (576 samples) and the MP3
# decoder's own (529): the mix starts this much into the decoded file.
ENCODER_DELAY_SAMPLES = 576 + 529
ENCODER_DELAY_MS = ENCODER_DELAY_SAMPLES * 1000 / SAMPLE_RATE


def ms_to_samples(ms: int | float, rate: int = SAMPLE_RATE) -> int:
    return round(ms * rate / 1000)


def samples_to_ms(n: int, rate: int = SAMPLE_RATE) -> float:
    return n * 1000 / rate


def resample(samples: np.ndarray, rate: int, target: int = SAMPLE_RATE) -> np.ndarray:
    """Band-limited resampling in the frequency domain (numpy FFT).

    An ffmpeg process per utterance cost ~170 ms of start-up each; this costs ~1 ms. Speech
    starts and ends in silence, so the FFT's wrap-around at the edges is inaudible.
    """
    if rate == target or samples.size == 0:
        return samples.astype(np.float32)
    # Pad with silence to a length whose FFTs are fast (a prime length takes seconds) and
    # whose resampled length is a whole number of samples.
    step = rate // math.gcd(rate, target) * 256
    n = -(-samples.size // step) * step
    n_out = n * target // rate
    spectrum = np.fft.rfft(samples.astype(np.float64), n)
    out = np.zeros(n_out // 2 + 1, dtype=complex)
    keep = min(spectrum.size, out.size)
    out[:keep] = spectrum[:keep]
    wanted = round(samples.size * target / rate)
    return (np.fft.irfft(out, n_out)[:wanted] * (n_out / n)).astype(np.float32)


def trim_silence(samples: np.ndarray, db: float = SILENCE_DB) -> np.ndarray:
    """Cut leading and trailing silence so a cue's sound starts at its offset, not later."""
    if samples.size == 0:
        return samples
    loud = np.flatnonzero(np.abs(samples) > 10 ** (db / 20))
    if loud.size == 0:
        return samples[:0]
    return samples[loud[0] : loud[-1] + 1]


def normalize(samples: np.ndarray, peak: float = SPEECH_PEAK) -> np.ndarray:
    """Scale to `peak` (|x| max); silence stays silence."""
    top = float(np.max(np.abs(samples))) if samples.size else 0.0
    if top == 0.0:
        return samples.astype(np.float32)
    return (samples * (peak / top)).astype(np.float32)


def limit(samples: np.ndarray, peak: float = MAX_PEAK) -> np.ndarray:
    """Scale down only if the mix would clip (overlapping sounds add up)."""
    top = float(np.max(np.abs(samples))) if samples.size else 0.0
    return (samples * (peak / top)).astype(np.float32) if top > peak else samples


def chime(
    base_hz: float = 660.0, seconds: float = 0.6, amplitude: float = 0.25, rate: int = SAMPLE_RATE
) -> np.ndarray:
    """A soft bell: two decaying sine partials (fundamental and a fifth above), 5 ms attack.

    Synthesised rather than sampled, so there is no licence to check and it is identical on
    every machine.
    """
    t = np.arange(ms_to_samples(seconds * 1000, rate)) / rate
    tone = np.sin(2 * np.pi * base_hz * t) + 0.5 * np.sin(2 * np.pi * base_hz * 1.5 * t)
    envelope = np.exp(-t * 6.0) * np.minimum(1.0, t / 0.005)
    # Fade the last 20 ms to zero so the chime never ends in a click.
    fade = np.minimum(1.0, (t[-1] - t) / 0.02) if t.size else t
    out = tone * envelope * fade
    return normalize(out, amplitude)


def mix(placements: Iterable[tuple[int, np.ndarray]], length: int = 0) -> np.ndarray:
    """Add each (start sample, samples) into one track at least `length` samples long."""
    items = list(placements)
    end = max([length] + [start + s.size for start, s in items])
    track = np.zeros(end, dtype=np.float32)
    for start, s in items:
        if start < 0:
            raise ValueError(f"negative offset {start}")
        track[start : start + s.size] += s
    return limit(track)


def encode_mp3(samples: np.ndarray, path: Path) -> None:
    """Encode once to Alexa's format (MP3 48 kbps, 24 kHz, mono), atomically.

    ffmpeg writes a temp file in the same directory, then os.replace: a reader never sees a
    half-written clip. Every frame is 48 kbps: no Xing/Info header frame (LAME writes it at
    64 kbps, since its tag does not fit a 144-byte frame, and older Echo demuxers take the
    first frame's header as the file's format) and no ID3 tag, so byte 0 is a 48 kbps frame.
    The price: without the header no decoder trims LAME's delay, so every sound plays
    ENCODER_DELAY_MS (46 ms) after its offset and the file plays that much plus the last
    frame's padding longer than the mix; cue spacing stays exact (skill.audio.mp3 measures
    the playing length).
    """
    path = Path(path)  # its folder must exist: a mistyped --out is not silently created
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".mp3", dir=path.parent)
    os.close(fd)
    cmd = ["ffmpeg", "-v", "error", "-nostdin", "-y", "-f", "f32le", "-ar", str(SAMPLE_RATE)]
    cmd += ["-ac", "1", "-i", "-", "-ac", "1", "-ar", str(SAMPLE_RATE), "-codec:a", "libmp3lame"]
    cmd += ["-b:a", BITRATE, "-write_xing", "0", "-id3v2_version", "0", "-f", "mp3", tmp]
    try:
        subprocess.run(cmd, input=samples.astype("<f4").tobytes(), check=True, capture_output=True)
        publish(tmp, path)  # mode 0666 & ~umask, not mkstemp's 0600
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def probe_duration_ms(path: Path, decoded: bool = True) -> float:
    """The file's duration by ffprobe.

    `decoded=True` sums the decoded frames' samples: the playing length. Our files have no
    LAME header, so that is every frame, encoder delay and padding included (46-70 ms more
    than the mix at 24 kHz; a file with the header has them trimmed). `decoded=False` is the
    container's `format=duration`, an estimate from the bitrate and file size.
    """
    if not decoded:
        cmd = ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of"]
        cmd += ["default=nw=1:nk=1", str(path)]
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        return float(out.strip()) * 1000
    cmd = ["ffprobe", "-v", "error", "-select_streams", "a:0", "-show_entries"]
    cmd += ["frame=nb_samples", "-of", "csv=p=0", str(path)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    total = sum(int(n) for n in out.split())
    return total * 1000 / probe_sample_rate(path)
