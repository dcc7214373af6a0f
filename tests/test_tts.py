"""Speech engines. gTTS runs its real code path; only the HTTP layer is faked with `responses`.

gTTS posts to Google's batchexecute endpoint and regex-parses a compact JSON envelope whose
payload is base64 of an MP3 (docs/audio.md), so the fake serves exactly that, with a real MP3.
"""

from __future__ import annotations

import base64
import json
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pytest
import requests
import responses

from skill.audio.tts import EspeakEngine, GTTSEngine, TTSUnavailable, pick_engine, wav_to_float

URL = "https://translate.google.com/_/TranslateWebserverUi/data/batchexecute"


@pytest.fixture(scope="module")
def tiny_mp3(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """0.3 s of a 440 Hz tone as Google sends it: MPEG-2 layer III, 24 kHz mono, 32 kbps."""
    path = tmp_path_factory.mktemp("mp3") / "tone.mp3"
    cmd = ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=0.3"]
    cmd += ["-ac", "1", "-ar", "24000", "-codec:a", "libmp3lame", "-b:a", "32k", str(path)]
    subprocess.run(cmd, check=True)
    return path.read_bytes()


def envelope(mp3: bytes) -> str:
    """Google's reply: XSSI guard, length line, then the compact JSON envelope."""
    payload = json.dumps([base64.b64encode(mp3).decode()])
    rpc = [["wrb.fr", "jQ1olc", payload, None, None, None, "generic"]]
    return ")]}'\n\n" + "123\n" + json.dumps(rpc, separators=(",", ":")) + "\n"


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def engine(sleeps: list[float]) -> GTTSEngine:
    return GTTSEngine(timeout=1.0, retries=3, backoff=0.5, sleep=sleeps.append)


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Route temp files into an empty directory so leftovers can be seen."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


@responses.activate
def test_gtts_success_decodes_the_mp3(engine: GTTSEngine, tiny_mp3: bytes, private_tmp: Path):
    responses.post(URL, body=envelope(tiny_mp3))
    samples, rate = engine.synthesize("Halfway there.")
    assert rate == 24000
    assert samples.dtype == np.float32
    assert 0.25 < samples.size / rate < 0.45
    assert np.abs(samples).max() > 0.1
    assert "Halfway" in requests.utils.unquote(responses.calls[0].request.body)
    assert list(private_tmp.iterdir()) == []


@responses.activate
def test_gtts_retries_after_429(engine: GTTSEngine, tiny_mp3: bytes, sleeps: list[float]):
    responses.post(URL, status=429)
    responses.post(URL, body=envelope(tiny_mp3))
    samples, _ = engine.synthesize("Halfway.")
    assert samples.size > 0
    assert engine.attempts == 2
    assert sleeps == [0.5]


@responses.activate
def test_gtts_connection_error_raises_and_leaves_no_file(
    engine: GTTSEngine, sleeps: list[float], private_tmp: Path
):
    responses.post(URL, body=requests.ConnectionError("no route to host"))
    with pytest.raises(TTSUnavailable, match="4 attempt"):
        engine.synthesize("Halfway.")
    assert sleeps == [0.5, 1.0, 2.0]  # exponential backoff
    assert list(private_tmp.iterdir()) == []


@responses.activate
def test_gtts_timeout_retries_then_gives_up(engine: GTTSEngine, sleeps: list[float]):
    responses.post(URL, body=requests.Timeout("read timed out"))
    with pytest.raises(TTSUnavailable):
        engine.synthesize("Halfway.")
    assert len(responses.calls) == 4
    assert len(sleeps) == 3


@responses.activate
def test_gtts_5xx_is_retried_but_403_is_not(engine: GTTSEngine, tiny_mp3: bytes):
    responses.post(URL, status=503)
    responses.post(URL, body=envelope(tiny_mp3))
    engine.synthesize("Halfway.")
    assert engine.attempts == 2

    responses.reset()
    responses.post(URL, status=403)
    with pytest.raises(TTSUnavailable):
        engine.synthesize("Halfway.")
    assert engine.attempts == 1


@responses.activate
def test_gtts_garbage_reply_is_unavailable(engine: GTTSEngine, private_tmp: Path):
    # A pretty-printed envelope: gTTS's regex misses it (the docs/audio.md pitfall).
    responses.post(URL, body='[["wrb.fr", "jQ1olc", "[\\"AAAA\\"]"]]\n')
    with pytest.raises(TTSUnavailable):
        engine.synthesize("Halfway.")
    assert list(private_tmp.iterdir()) == []


@responses.activate
def test_gtts_always_passes_a_timeout(
    engine: GTTSEngine, tiny_mp3: bytes, monkeypatch: pytest.MonkeyPatch
):
    seen: list[object] = []
    original = requests.Session.send

    def spy(self: requests.Session, request: requests.PreparedRequest, **kwargs: object):
        seen.append(kwargs.get("timeout"))
        return original(self, request, **kwargs)

    monkeypatch.setattr(requests.Session, "send", spy)
    responses.post(URL, body=envelope(tiny_mp3))
    engine.synthesize("Halfway.")
    assert seen == [1.0]


@responses.activate
def test_auto_falls_back_to_espeak_with_a_note():
    responses.post(URL, body=requests.ConnectionError("offline"))
    picked = pick_engine("auto")
    assert picked.name == "espeak"
    assert "fell back" in picked.note
    assert len(responses.calls) == 1  # one short probe, no retries


@responses.activate
def test_auto_prefers_gtts_when_it_answers(tiny_mp3: bytes):
    responses.post(URL, body=envelope(tiny_mp3))
    picked = pick_engine("auto")
    assert picked.name == "gtts"
    assert picked.note == ""


def test_pick_engine_rejects_unknown_names():
    with pytest.raises(ValueError, match="unknown TTS engine"):
        pick_engine("polly")


def test_espeak_is_local_and_deterministic():
    engine = EspeakEngine()
    a, rate = engine.synthesize("Halfway there.")
    b, _ = engine.synthesize("Halfway there.")
    assert rate == 22050
    assert a.dtype == np.float32
    assert 0.3 < a.size / rate < 3
    assert np.array_equal(a, b)


def test_wav_to_float_reads_16_bit_pcm():
    import io
    import wave

    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(22050)
        w.writeframes(np.array([0, 16384, -32768], dtype="<i2").tobytes())
    samples, rate = wav_to_float(buf.getvalue())
    assert rate == 22050
    assert samples.tolist() == [0.0, 0.5, -1.0]
