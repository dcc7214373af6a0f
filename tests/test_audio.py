"""Rendered clips: Alexa's format, exact cue timing, idempotent builds, whole sessions.

Rendering uses espeak-ng (local, deterministic). The build tests render a subset of clips;
the full set is the same code path with more stretches × lengths × variants.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from skill.audio.build import WouldReplace, build_audio
from skill.audio.clips import (
    CHIME_END_ID,
    GET_READY_ID,
    Voice,
    clip_specs,
    expected_length_ms,
    hold_spec,
)
from skill.audio.mixing import (
    ENCODER_DELAY_MS,
    ENCODER_DELAY_SAMPLES,
    SAMPLE_RATE,
    chime,
    encode_mp3,
    mix,
    probe_duration_ms,
    resample,
    trim_silence,
)
from skill.audio.mp3 import FrameHeader, Mp3Error, frames, playing_ms, read_frames
from skill.audio.tts import EspeakEngine, decode_audio
from skill.cli import main
from skill.core.content import load_content
from skill.core.timeline import VARIANTS, build_hold_timeline
from skill.files import current_umask
from skill.voice.manifest import load_manifest, sha256_file

HOLD_ID = "hold-seated-30s-v0"
SUBSET = [HOLD_ID, "hold-supine-45s-v1", GET_READY_ID, CHIME_END_ID]


@pytest.fixture(scope="module")
def content():
    return load_content()


@pytest.fixture(scope="module")
def voice() -> Voice:
    return Voice(EspeakEngine())


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("audio")
    report = build_audio(out, engine="espeak", progress=False, only=SUBSET)
    assert sorted(report.rendered) == sorted(SUBSET)
    return out


def assert_alexa_frames(path: Path) -> list[FrameHeader]:
    """Every frame of the file, the first one included: MPEG-2 Layer III, 48 kbps, 24 kHz, mono."""
    headers = read_frames(path)
    assert headers, path
    formats = {(h.version, h.layer, h.bitrate, h.sample_rate, h.mono) for h in headers}
    assert formats == {("2", 3, 48_000, 24_000, True)}, (path, formats, headers[0])
    assert headers[0].offset == 0  # no ID3 tag either: byte 0 is a 48 kbps frame
    return headers


def ffprobe_stream(path: Path) -> dict:
    cmd = ["ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json", str(path)]
    return json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)


# --- mixing -------------------------------------------------------------------------------


def test_mix_places_samples_exactly():
    a = np.ones(10, dtype=np.float32) * 0.1
    track = mix([(0, a), (24_000, a)], length=30_000)
    assert track.size == 30_000
    assert np.flatnonzero(track).tolist() == [*range(10), *range(24_000, 24_010)]


def test_mix_never_clips():
    loud = np.ones(100, dtype=np.float32) * 0.8
    track = mix([(0, loud), (50, loud)])
    assert np.abs(track).max() <= 0.97 + 1e-6


def test_chime_is_soft_short_and_click_free():
    c = chime()
    assert c.size == int(0.6 * SAMPLE_RATE)
    assert 0.2 < np.abs(c).max() <= 0.25 + 1e-6
    assert abs(c[0]) < 0.01
    assert abs(c[-1]) < 0.01


def test_resample_keeps_duration():
    x = np.sin(np.arange(22_050 * 2) / 10).astype(np.float32)
    assert resample(x, 22_050).size == 48_000


def test_trim_silence_cuts_both_edges():
    x = np.concatenate([np.zeros(100), np.ones(5) * 0.5, np.zeros(100)]).astype(np.float32)
    assert trim_silence(x).size == 5


def test_encode_mp3_failure_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    def broken(*args: object, **kwargs: object):
        raise subprocess.CalledProcessError(1, "ffmpeg")

    monkeypatch.setattr(subprocess, "run", broken)
    with pytest.raises(subprocess.CalledProcessError):
        encode_mp3(np.zeros(100, dtype=np.float32), tmp_path / "x.mp3")
    assert list(tmp_path.iterdir()) == []


# --- the clip set -------------------------------------------------------------------------


def test_clip_set_covers_every_hold_variant(content):
    ids = [s.id for s in clip_specs(content)]
    assert len(ids) == len(set(ids))
    for stretch in content.stretches:
        for seconds in (30, 45, 60):
            for v in range(VARIANTS):
                assert build_hold_timeline(content, stretch, seconds, v).clip_id in ids
    assert {"get-ready", "chime-switch", "chime-end"} <= set(ids)
    assert len(ids) == len(content.stretches) * 3 * VARIANTS + 3


def test_hold_clip_uses_the_timeline_offsets(content):
    t = build_hold_timeline(content, "seated", 45, 2)
    spec = hold_spec(t)
    assert spec.id == t.clip_id
    assert spec.offsets_ms == [c.offset_ms for c in t.cues]
    assert spec.text == " ".join(c.text for c in t.cues)


def test_cache_key_changes_with_engine_and_words(content):
    spec = hold_spec(build_hold_timeline(content, "seated", 30, 0))
    other = hold_spec(build_hold_timeline(content, "seated", 30, 1))
    assert spec.key("espeak") == spec.key("espeak")
    assert spec.key("espeak") != spec.key("gtts")
    assert spec.key("espeak") != other.key("espeak")


# --- a rendered hold clip -----------------------------------------------------------------


def test_hold_clip_is_in_alexa_format_and_expected_length(built: Path, content, voice: Voice):
    path = built / f"{HOLD_ID}.mp3"
    info = ffprobe_stream(path)
    (stream,) = info["streams"]
    assert stream["codec_name"] == "mp3"
    assert int(stream["bit_rate"]) == 48_000
    assert int(stream["sample_rate"]) == 24_000
    assert stream["channels"] == 1
    expected = expected_length_ms(hold_spec(build_hold_timeline(content, "seated", 30, 0)), voice)
    # No Xing/Info header, so nothing trims LAME's delay and padding: the file plays the mix
    # plus the encoder delay (46 ms) plus at most one frame (24 ms) of padding.
    played = playing_ms(path)
    assert ENCODER_DELAY_MS <= played - expected <= ENCODER_DELAY_MS + 24 + 1
    assert abs(probe_duration_ms(path) - played) < 1  # ffmpeg decodes every frame we count
    assert load_manifest(built).clip(HOLD_ID).duration_ms == round(played)


def locate(track: np.ndarray, template: np.ndarray) -> int:
    """Sample offset where `template` best matches `track` (normalised cross-correlation)."""
    n = track.size + template.size
    size = 1 << (n - 1).bit_length()
    corr = np.fft.irfft(np.fft.rfft(track, size) * np.conj(np.fft.rfft(template, size)), size)
    corr = corr[: track.size - template.size + 1]
    energy = np.cumsum(np.concatenate([[0.0], track.astype(np.float64) ** 2]))
    window = energy[template.size :] - energy[: -template.size]
    # Near-silent stretches (codec noise) would score high after normalising; a cue's window
    # holds at least a good part of the template's own energy.
    score = corr / np.sqrt(np.maximum(window, 1e-12))
    score[window < 0.25 * float(np.sum(template.astype(np.float64) ** 2))] = -np.inf
    return int(np.argmax(score))


def test_each_cue_sits_at_its_offset(built: Path, content, voice: Voice):
    track, rate = decode_audio(built / f"{HOLD_ID}.mp3", SAMPLE_RATE)
    timeline = build_hold_timeline(content, "seated", 30, 0)
    for cue in timeline.cues:
        found_ms = locate(track, voice.speak(cue.text)) * 1000 / rate - ENCODER_DELAY_MS
        assert abs(found_ms - cue.offset_ms) <= 20, (cue.text, found_ms, cue.offset_ms)


def test_get_ready_counts_one_word_per_second(built: Path, content, voice: Voice):
    track, rate = decode_audio(built / "get-ready.mp3", SAMPLE_RATE)
    words = ["Three.", "Two.", "One."]
    for i, word in enumerate(words):
        at = (locate(track, voice.speak(word)) - ENCODER_DELAY_SAMPLES) * 1000 / rate
        assert abs(at - i * 1000) <= 20
    assert abs(track.size / rate - len(words)) < 0.075  # + encoder delay and padding


def test_every_frame_of_every_built_clip_is_48_kbps(built: Path):
    manifest = load_manifest(built)
    checked = sum(len(assert_alexa_frames(built / e.file)) for e in manifest.clips.values())
    assert len(manifest.clips) == len(SUBSET)
    assert checked > 1000  # the 30 s hold alone is ~1300 frames of 24 ms


def test_frame_reader_sees_the_xing_frame_ffmpeg_writes_by_default(tmp_path: Path):
    """The check would catch the old encoding: LAME's Info frame is 64 kbps, behind an ID3 tag."""
    cmd = ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=1"]
    cmd += ["-ac", "1", "-ar", "24000", "-codec:a", "libmp3lame", "-b:a", "48k"]
    subprocess.run([*cmd, str(tmp_path / "x.mp3")], check=True)
    data = (tmp_path / "x.mp3").read_bytes()
    assert data[:3] == b"ID3"
    headers = list(frames(data))
    assert headers[0].offset > 0
    assert (headers[0].version, headers[0].layer, headers[0].bitrate) == ("2", 3, 64_000)
    assert {h.bitrate for h in headers[1:]} == {48_000}
    assert {h.sample_rate for h in headers} == {24_000}
    with pytest.raises(Mp3Error, match="no frame sync"):
        list(frames(data[: headers[1].offset] + b"\0" + data[headers[1].offset :]))


def test_encode_mp3_writes_only_48_kbps_frames(tmp_path: Path):
    samples = np.zeros(SAMPLE_RATE, dtype=np.float32)
    encode_mp3(samples, tmp_path / "silence.mp3")
    headers = assert_alexa_frames(tmp_path / "silence.mp3")
    assert sum(h.length for h in headers) == (tmp_path / "silence.mp3").stat().st_size
    assert 1000 + ENCODER_DELAY_MS <= playing_ms(tmp_path / "silence.mp3") <= 1000 + 46 + 25


# --- build_audio --------------------------------------------------------------------------


def test_build_is_idempotent_and_repairs_damage(tmp_path: Path):
    subset = [HOLD_ID, GET_READY_ID, CHIME_END_ID]
    first = build_audio(tmp_path, engine="espeak", progress=False, only=subset)
    assert sorted(first.rendered) == sorted(subset)
    assert first.skipped == []

    manifest = load_manifest(tmp_path)
    for cid in subset:
        entry = manifest.clip(cid)
        assert manifest.has_file(cid)
        assert entry.sha256 == sha256_file(tmp_path / entry.file)
        assert entry.engine == ("synth" if cid == CHIME_END_ID else "espeak")
    hold = manifest.clip(HOLD_ID)
    assert hold.cue_offsets_ms[0] == 0
    assert hold.cue_offsets_ms[-1] == 30_000
    assert "Halfway" in hold.text

    second = build_audio(tmp_path, engine="espeak", progress=False, only=subset)
    assert second.rendered == []
    assert sorted(second.skipped) == sorted(subset)

    (tmp_path / f"{HOLD_ID}.mp3").write_bytes(b"garbage")
    (tmp_path / "get-ready.mp3").unlink()
    assert not load_manifest(tmp_path).has_file("get-ready")
    third = build_audio(tmp_path, engine="espeak", progress=False, only=subset)
    assert sorted(third.rendered) == sorted([HOLD_ID, GET_READY_ID])
    repaired = load_manifest(tmp_path)
    assert repaired.clip(HOLD_ID).sha256 == sha256_file(tmp_path / f"{HOLD_ID}.mp3")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tmp")]


def test_force_rerenders(tmp_path: Path):
    build_audio(tmp_path, engine="espeak", progress=False, only=[CHIME_END_ID])
    again = build_audio(tmp_path, engine="espeak", progress=False, only=[CHIME_END_ID], force=True)
    assert again.rendered == [CHIME_END_ID]


@contextlib.contextmanager
def umask(mask: int) -> Iterator[None]:
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o027, 0o640), (0o077, 0o600)])
def test_clips_manifest_and_sessions_honour_the_umask(tmp_path: Path, mask: int, mode: int):
    """Not mkstemp's 0600: a web server running as another user must be able to read them."""
    with umask(mask):
        assert current_umask() == mask
        build_audio(tmp_path, engine="espeak", progress=False, only=[CHIME_END_ID])
        encode_mp3(np.zeros(2400, dtype=np.float32), tmp_path / "session.mp3")
    for name in (f"{CHIME_END_ID}.mp3", "manifest.json", "session.mp3"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == mode, name


def test_manifest_missing_or_corrupt_is_empty(tmp_path: Path):
    assert load_manifest(tmp_path).clip(HOLD_ID) is None
    (tmp_path / "manifest.json").write_text("{not json")
    manifest = load_manifest(tmp_path)
    assert manifest.clip(HOLD_ID) is None
    assert not manifest.has_file(HOLD_ID)


def test_auto_engine_note_reaches_the_manifest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    import skill.audio.build as build_module

    note = "gTTS unavailable, fell back to espeak-ng (test)"
    monkeypatch.setattr(build_module, "pick_engine", lambda name: EspeakEngine(note=note))
    report = build_audio(tmp_path, engine="auto", progress=False, only=[GET_READY_ID])
    assert report.engine_note == note
    assert load_manifest(tmp_path).clip(GET_READY_ID).engine_note == note

    # Same audio next time with espeak chosen directly: skipped, and the note is cleared.
    monkeypatch.setattr(build_module, "pick_engine", lambda name: EspeakEngine())
    again = build_audio(tmp_path, engine="espeak", progress=False, only=[GET_READY_ID])
    assert again.skipped == [GET_READY_ID]
    assert load_manifest(tmp_path).clip(GET_READY_ID).engine_note == ""


def test_an_offline_auto_build_does_not_replace_gtts_clips(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    import skill.audio.build as build_module

    build_audio(tmp_path, engine="espeak", progress=False, only=[GET_READY_ID, CHIME_END_ID])
    manifest = load_manifest(tmp_path)  # as if the committed manifest came from gTTS
    gtts = dataclasses.replace(manifest.clips[GET_READY_ID], engine="gtts", key="gtts-key")
    manifest.clips[GET_READY_ID] = gtts
    manifest.save()
    before = (tmp_path / "manifest.json").read_bytes()

    note = "gTTS unavailable, fell back to espeak-ng (offline)"
    monkeypatch.setattr(build_module, "pick_engine", lambda name: EspeakEngine(note=note))
    with pytest.raises(WouldReplace, match=r"\(1 by gtts\), which this build would replace"):
        build_audio(tmp_path, engine="auto", progress=False)
    assert main(["build-audio", "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: {note}; {tmp_path / 'manifest.json'} lists clips")
    assert "--engine espeak to replace them" in err
    assert (tmp_path / "manifest.json").read_bytes() == before

    # Only the synthesised chime is there: nothing of another voice to lose.
    assert build_audio(tmp_path, engine="auto", progress=False, only=[CHIME_END_ID]).skipped
    # Asked for: espeak replaces the gTTS clip.
    report = build_audio(tmp_path, engine="espeak", progress=False, only=[GET_READY_ID])
    assert report.rendered == [GET_READY_ID]
    assert load_manifest(tmp_path).clip(GET_READY_ID).engine == "espeak"
