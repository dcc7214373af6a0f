"""The simulator in time and aloud: --realtime, --speak, and how sound reaches a speaker.

Real time is tested with a fake sleep (the seconds are counted, not spent); sound is written
to files (there is no sound device in CI). Voice input: test_simulator_voice_input.py;
--url: test_simulator_url.py.
"""

from __future__ import annotations

import io
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from skill.cli import build_parser, main
from skill.config import Config
from skill.core.content import load_content
from skill.core.speech import hold_length_seconds
from skill.core.timeline import build_hold_timeline, estimate_speech_ms
from skill.simulator.chat import run_chat
from skill.simulator.clips import ClipLookup
from skill.simulator.device import Device
from skill.simulator.playback import Sound, estimate_measure
from skill.simulator.realtime import play_realtime
from skill.simulator.render import play
from skill.simulator.sound import (
    AUDIO_DIR_ENV,
    Output,
    Speaker,
    Synth,
    choose_output,
    has_output_device,
    write_wav,
)
from skill.simulator.transport import InProcessTransport
from skill.voice import apla
from skill.voice.manifest import ClipEntry, Manifest
from tests.audio_tools import require, wav_seconds


class FakeTime:
    """sleep() that only counts; out.write() stamps each printed line with the fake time."""

    def __init__(self) -> None:
        self.now = 0.0
        self.lines: list[tuple[float, str]] = []

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.now += seconds

    def write(self, text: str) -> int:
        for line in text.splitlines():
            if line.strip():
                self.lines.append((self.now, line))
        return len(text)

    def flush(self) -> None:
        pass

    def at(self, fragment: str, after: float = 0.0) -> float:
        """When the first line containing `fragment` was printed, at or after `after`."""
        return next(t for t, line in self.lines if fragment in line and t >= after)


# --- --realtime ---------------------------------------------------------------------------


def test_realtime_waits_through_an_ssml_hold(config: Config) -> None:
    device = Device(InProcessTransport(replace(config, speech_mode="ssml")))
    exchange = device.say("start the seated stretch")
    assert exchange.rendered is not None
    clock = FakeTime()
    waited = play_realtime(exchange.rendered, clock, clock.sleep)  # type: ignore[arg-type]
    timeline = build_hold_timeline(load_content(), "seated", 30, 0)
    hold = clock.at(timeline.cues[-1].text) - clock.at(timeline.cues[0].text)
    assert hold == pytest.approx(hold_length_seconds(timeline), abs=0.001)
    assert 30 - 1e-9 <= hold <= 31.5  # never shorter than asked, a second of slack at most
    assert waited == pytest.approx(exchange.rendered.length_ms / 1000)
    assert clock.now == pytest.approx(waited)
    assert "(if you say nothing" in clock.lines[-1][1]


def test_realtime_waits_through_the_skills_apla_set(config: Config) -> None:
    device = Device(InProcessTransport(replace(config, speech_mode="apla")))
    exchange = device.say("start the lying stretch")
    assert exchange.rendered is not None
    assert exchange.response is not None
    assert exchange.rendered.speech is None  # the set-up is the document's first track
    assert len(exchange.rendered.documents) == 1
    clock = FakeTime()
    waited = play_realtime(exchange.rendered, clock, clock.sleep)  # type: ignore[arg-type]
    assert clock.at("Let's do the") == 0
    # Each hold plays where the skill recorded it would, so the holds it counts are the ones
    # a person heard: its start cue and its release at the recorded offsets, 30 s apart.
    recorded = exchange.response["sessionAttributes"]["playing"]["holds"]
    assert len(recorded) == 3
    content = load_content()
    after = 0.0
    for index, start_ms, end_ms in recorded:
        timeline = build_hold_timeline(content, "supine", 30, index)  # variants 0, 1, 2
        start = clock.at(timeline.cues[0].text, after)
        assert start == pytest.approx(start_ms / 1000)
        for cue in timeline.cues:
            assert clock.at(cue.text, start) - start == pytest.approx(cue.offset_ms / 1000)
        assert end_ms - start_ms == 30_000 == timeline.cues[-1].offset_ms
        after = start + 30
    assert waited == pytest.approx(exchange.rendered.length_ms / 1000)


def test_realtime_plays_an_apla_hold_at_its_exact_offsets() -> None:
    timeline = build_hold_timeline(load_content(), "supine", 45, 1)
    response = {"response": {"directives": [apla.hold_document(timeline)]}}
    rendered = play(response, estimate_measure())
    clock = FakeTime()
    waited = play_realtime(rendered, clock, clock.sleep)  # type: ignore[arg-type]
    for cue in timeline.cues:
        assert clock.at(cue.text) == pytest.approx(cue.offset_ms / 1000)
    release = estimate_speech_ms(timeline.cues[-1].text) / 1000
    assert waited == pytest.approx(45 + release + apla.SOUNDBANK_SECONDS)
    assert clock.lines[-1][1] == "  [session ended]"


def test_chat_realtime_sleeps_about_as_long_as_the_routine(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = FakeTime()
    args = build_parser().parse_args(["chat", "--realtime"])
    code = run_chat(args, io.StringIO("start the seated stretch\nquit\n"), clock, clock.sleep)  # type: ignore[arg-type]
    assert code == 0
    # The whole right leg: set-up, three 30 s holds with their count-ins and rests, the switch.
    assert 3 * 30 + 2 * 10 < clock.now <= 225  # within the audio budget
    assert clock.at("Halfway there.") - clock.at("Stretch, and hold.") == pytest.approx(15, abs=1)
    assert clock.lines[-1][1] == "Bye."


# --- --speak ------------------------------------------------------------------------------


def test_without_a_sound_device_audio_goes_to_files(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert choose_output({AUDIO_DIR_ENV: str(tmp_path)}).directory == tmp_path
    monkeypatch.setattr("skill.simulator.sound.has_output_device", lambda env=None: False)
    output = choose_output({})
    assert output.player is None
    assert output.reason == "no sound device found"
    assert output.directory is not None
    assert output.directory.is_dir()
    output.directory.rmdir()


@pytest.mark.slow
def test_chat_speak_writes_each_turn_to_a_numbered_file(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    require(shutil.which("espeak-ng") is not None, "espeak-ng is not installed")
    monkeypatch.setenv(AUDIO_DIR_ENV, str(tmp_path))
    monkeypatch.setattr("sys.stdin", io.StringIO("open hamstring coach\nwhat's the number\n"))
    assert main(["chat", "--speak"]) == 0
    out = capsys.readouterr().out
    files = sorted(tmp_path.glob("*.wav"))
    assert [f.name for f in files] == ["turn-001.wav", "turn-002.wav"]
    for f in files:
        assert f"[audio written: {f}]" in out
    assert 10 < wav_seconds(files[0]) < 40  # welcome, disclaimer, choice of stretches
    assert 3 < wav_seconds(files[1]) < 30


@pytest.mark.slow
def test_spoken_apla_hold_puts_each_cue_at_its_offset(tmp_path: Path) -> None:
    require(shutil.which("espeak-ng") is not None, "espeak-ng is not installed")
    timeline = build_hold_timeline(load_content(), "seated", 30, 0)
    synth = Synth()
    rendered = play({"response": {"directives": [apla.hold_document(timeline)]}}, synth)
    samples = synth.mixdown(rendered)
    rate = 24_000
    release_ms = synth(rendered.documents[0].cues[-2].sound)  # "And release." really spoken
    assert samples.size == pytest.approx((30_000 + release_ms + 600) * 24, abs=24)
    halfway = next(c for c in timeline.cues if c.kind == "halfway").offset_ms
    before = samples[(halfway - 300) * rate // 1000 : halfway * rate // 1000]
    after = samples[halfway * rate // 1000 : (halfway + 30) * rate // 1000]
    assert np.max(np.abs(before)) < 0.01  # silence up to the cue
    assert np.max(np.abs(after)) > 0.05  # speech from its first millisecond
    assert write_wav(samples, tmp_path / "hold.wav").stat().st_size > 30 * rate * 2


# --- sound output: the edges ---------------------------------------------------------------


def test_output_device_detection(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("skill.simulator.sound.sys.platform", "linux")
    monkeypatch.setattr("skill.simulator.sound.Path.glob", lambda self, pattern: iter(()))
    assert not has_output_device({})
    assert has_output_device({"PULSE_SERVER": "unix:/run/pulse"})
    (tmp_path / "pulse").mkdir()
    assert not has_output_device({"XDG_RUNTIME_DIR": str(tmp_path)})
    (tmp_path / "pulse" / "native").touch()
    assert has_output_device({"XDG_RUNTIME_DIR": str(tmp_path)})


def test_with_a_device_a_player_is_chosen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("skill.simulator.sound.has_output_device", lambda env=None: True)
    monkeypatch.setattr("skill.simulator.sound.shutil.which", lambda name: name == "ffplay")
    assert choose_output({}).player == ("ffplay", "-nodisp", "-autoexit", "-loglevel", "error")
    monkeypatch.setattr("skill.simulator.sound.shutil.which", lambda name: None)
    output = choose_output({})
    assert output.player is None
    assert output.reason == "no audio player (aplay, paplay or ffplay) found"
    assert output.directory is not None
    output.directory.rmdir()


def test_speaker_hands_each_turn_to_the_player(tmp_path: Path) -> None:
    require(shutil.which("espeak-ng") is not None, "espeak-ng is not installed")
    received = tmp_path / "played.wav"
    player = ("sh", "-c", f'cp "$0" {received}')  # the WAV path arrives as $0
    speaker = Speaker(Output(player, None, ""))
    ssml = '<speak>Hello. <break time="500ms"/></speak>'
    rendered = play({"response": {"outputSpeech": {"type": "SSML", "ssml": ssml}}}, speaker.synth)
    assert speaker.start(rendered) is None
    speaker.wait()
    assert wav_seconds(received) == pytest.approx(rendered.length_ms / 1000, abs=0.002)
    assert speaker._tmp is None  # the temporary copy is gone


def test_speaking_plays_rendered_clips_from_the_manifest(tmp_path: Path) -> None:
    require(shutil.which("ffmpeg") is not None, "ffmpeg is not installed")
    tone = np.sin(np.arange(24_000) * 2 * np.pi * 440 / 24_000).astype(np.float32) * 0.5
    write_wav(tone, tmp_path / "get-ready.wav")
    manifest = Manifest(tmp_path)
    manifest.clips["get-ready"] = ClipEntry(
        "get-ready", "get-ready.wav", "(tone)", "synth", "", 1000, [0], "", "", "count"
    )
    synth = Synth(clips=ClipLookup(manifest))
    clip = Sound("audio", source="https://coach.example.org/audio/get-ready.wav")
    assert synth(clip) == 1000  # measured from the real file
    assert np.max(np.abs(synth.samples(clip))) == pytest.approx(0.5, abs=0.01)
    bell = Sound("audio", source=apla.CHIME_SOURCE)
    assert 0 < synth(bell) < 2000  # the skill's own chime stands in for Alexa's bell
    assert synth(Sound("audio", source="https://elsewhere.org/unknown.mp3")) == 0
