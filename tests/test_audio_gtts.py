"""A whole `build-audio --engine gtts` through gTTS's real code path, Google faked.

The fake answers each request the way Google does (a compact JSON envelope around a base64
MP3, 24 kHz mono), with the requested words spoken by espeak-ng, so the clips it yields can
be checked for format and cue timing like any other.
"""

from __future__ import annotations

import base64
import json
import subprocess
import time
import urllib.parse
from pathlib import Path

import pytest
import responses

from skill.audio.build import build_audio
from skill.audio.clips import Voice
from skill.audio.mixing import ENCODER_DELAY_MS
from skill.audio.tts import GTTSEngine, decode_audio
from skill.core.content import load_content
from skill.core.timeline import build_hold_timeline
from skill.voice.manifest import load_manifest
from tests.test_audio import HOLD_ID, assert_alexa_frames, ffprobe_stream, locate
from tests.test_tts import URL

pytestmark = pytest.mark.slow


def google_reply(text: str, tmp: Path) -> str:
    wav, mp3 = tmp / "say.wav", tmp / "say.mp3"
    subprocess.run(["espeak-ng", "-v", "en-us", "-w", str(wav), text], check=True)
    cmd = ["ffmpeg", "-v", "error", "-y", "-i", str(wav), "-ac", "1", "-ar", "24000"]
    subprocess.run([*cmd, "-codec:a", "libmp3lame", "-b:a", "32k", str(mp3)], check=True)
    payload = json.dumps([base64.b64encode(mp3.read_bytes()).decode()])
    rpc = [["wrb.fr", "jQ1olc", payload, None, None, None, "generic"]]
    return ")]}'\n\n123\n" + json.dumps(rpc, separators=(",", ":")) + "\n"


def spoken_text(body: str) -> str:
    """The words gTTS asked for, from its form-encoded batchexecute request."""
    rpc = json.loads(urllib.parse.parse_qs(body)["f.req"][0])
    return json.loads(rpc[0][0][1])[0]


@pytest.fixture(scope="module")
def gtts_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, float, list[str]]:
    tmp = tmp_path_factory.mktemp("fake-google")
    out = tmp_path_factory.mktemp("gtts-audio")
    asked: list[str] = []

    def reply(request):  # type: ignore[no-untyped-def]
        asked.append(spoken_text(request.body))
        return 200, {}, google_reply(asked[-1], tmp)

    with responses.RequestsMock() as fake:
        fake.add_callback(responses.POST, URL, callback=reply)
        started = time.monotonic()
        report = build_audio(out, engine="gtts", progress=False)
        seconds = time.monotonic() - started
    assert report.engine == "gtts"
    print(f"\ngTTS (faked) build: {report.clip_count} clips in {seconds:.1f} s")
    return out, seconds, asked


def test_every_clip_is_rendered_by_gtts(gtts_build: tuple[Path, float, list[str]]) -> None:
    out, _, asked = gtts_build
    manifest = load_manifest(out)
    assert len(manifest.clips) == 21
    speech = [e for e in manifest.clips.values() if e.kind != "chime"]
    assert {e.engine for e in speech} == {"gtts"}
    assert all(e.engine_note == "" for e in speech)
    assert len(asked) == len(set(asked))  # each distinct text is asked for once, then cached


def test_gtts_clip_format_and_cue_timing(gtts_build: tuple[Path, float, list[str]]) -> None:
    out, _, _ = gtts_build
    (stream,) = ffprobe_stream(out / f"{HOLD_ID}.mp3")["streams"]
    assert (stream["codec_name"], int(stream["bit_rate"])) == ("mp3", 48_000)
    assert (int(stream["sample_rate"]), stream["channels"]) == (24_000, 1)
    track, rate = decode_audio(out / f"{HOLD_ID}.mp3", 24_000)
    timeline = build_hold_timeline(load_content(), "seated", 30, 0)
    with responses.RequestsMock() as fake:
        tmp = out / "again"
        tmp.mkdir(exist_ok=True)
        fake.add_callback(
            responses.POST,
            URL,
            callback=lambda r: (200, {}, google_reply(spoken_text(r.body), tmp)),
        )
        voice = Voice(GTTSEngine())
        for cue in timeline.cues:
            found_ms = locate(track, voice.speak(cue.text)) * 1000 / rate - ENCODER_DELAY_MS
            assert abs(found_ms - cue.offset_ms) <= 20, (cue.text, found_ms, cue.offset_ms)


def test_every_frame_of_every_clip_is_48_kbps(gtts_build: tuple[Path, float, list[str]]) -> None:
    out, _, _ = gtts_build
    manifest = load_manifest(out)
    checked = sum(len(assert_alexa_frames(out / e.file)) for e in manifest.clips.values())
    print(f"\n{len(manifest.clips)} clips: {checked} frames, all MPEG-2 Layer III 48 kbps 24 kHz")
    assert checked > 21 * 100


def test_a_second_gtts_build_renders_nothing(gtts_build: tuple[Path, float, list[str]]) -> None:
    out, _, _ = gtts_build
    with responses.RequestsMock(assert_all_requests_are_fired=False):
        report = build_audio(out, engine="gtts", progress=False)  # any request would fail
    assert report.rendered == []
    assert len(report.skipped) == 21
