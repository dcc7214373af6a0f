"""Voice input to the simulator: --listen-file recordings and the --listen microphone path.

Speech is espeak-ng's, recognised by pocketsphinx; the microphone is a script standing in for
sox. Tests skip without the tools, and fail without them when CI=true.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from skill.cli import main
from skill.simulator.listen import NoMicrophone, record_command
from tests.audio_tools import espeak_wav, has_pocketsphinx, require


@pytest.mark.slow
def test_listen_file_is_recognised_to_the_right_intent(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    require(shutil.which("espeak-ng") is not None, "espeak-ng is not installed")
    require(has_pocketsphinx(), "pocketsphinx is not installed (pip install '.[voice]')")
    first = espeak_wav("what's the phone number", tmp_path / "number.wav")
    second = espeak_wav("start the seated hamstring stretch", tmp_path / "start.wav")
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    args = ["chat", "--listen-file", str(first), "--listen-file", str(second)]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "you (from number.wav): what's the phone number" in out
    assert "904-858-7045" in out
    assert "you (from start.wav): start the seated hamstring stretch" in out
    assert "Let's do the seated hamstring stretch" in out
    assert "(session ended by you: USER_INITIATED)" in out


def test_listen_file_that_does_not_exist(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["chat", "--listen-file", str(tmp_path / "nope.wav")]) == 2
    assert f"--listen-file: no such file {tmp_path / 'nope.wav'}" in capsys.readouterr().err


def test_listen_file_that_is_not_audio(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    require(has_pocketsphinx(), "pocketsphinx is not installed (pip install '.[voice]')")
    require(shutil.which("ffmpeg") is not None, "ffmpeg is not installed")
    notes = tmp_path / "notes.wav"
    notes.write_text("not audio")
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["chat", "--listen-file", str(notes)]) == 1
    err = capsys.readouterr().err
    assert f"--listen-file: cannot read {notes} as audio" in err
    assert "Traceback" not in err


def test_listen_without_a_microphone_falls_back_to_typing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    require(has_pocketsphinx(), "pocketsphinx is not installed (pip install '.[voice]')")
    monkeypatch.setattr("skill.simulator.listen.has_capture_device", lambda: False)
    monkeypatch.setattr("sys.stdin", io.StringIO("what's the phone number\n"))
    assert main(["chat", "--listen"]) == 0
    out = capsys.readouterr().out
    assert "no microphone found (no capture device); type instead." in out
    assert "904-858-7045" in out


@pytest.mark.slow
def test_microphone_path_records_recognises_and_survives_a_failure(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The recorder is swapped for a script: first it "hears" a WAV, then the device fails."""
    require(shutil.which("espeak-ng") is not None, "espeak-ng is not installed")
    require(shutil.which("sox") is not None, "sox is not installed")
    require(has_pocketsphinx(), "pocketsphinx is not installed (pip install '.[voice]')")
    wav = espeak_wav("what's the phone number", tmp_path / "number.wav")
    flag = tmp_path / "heard-once"
    script = (
        f"if [ -e {flag} ]; then echo 'device unplugged' >&2; exit 2; fi; touch {flag}; "
        f"sox {wav} -t raw -r 16000 -c 1 -b 16 -e signed-integer -"
    )
    monkeypatch.setattr("skill.simulator.listen.record_command", lambda: ["sh", "-c", script])
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["chat", "--listen"]) == 0
    out = capsys.readouterr().out
    assert "you (heard): what's the phone number" in out
    assert "904-858-7045" in out
    assert "recording failed (device unplugged); type instead." in out
    assert out.rstrip().endswith("Bye.")


def test_recording_needs_a_capture_device_and_sox(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("skill.simulator.listen.has_capture_device", lambda: False)
    with pytest.raises(NoMicrophone, match="no microphone found"):
        record_command()
    monkeypatch.setattr("skill.simulator.listen.has_capture_device", lambda: True)
    monkeypatch.setattr("skill.simulator.listen.shutil.which", lambda name: None)
    with pytest.raises(NoMicrophone, match="needs sox"):
        record_command()
    monkeypatch.setattr("skill.simulator.listen.shutil.which", lambda name: "/usr/bin/sox")
    command = record_command()
    assert command[:3] == ["/usr/bin/sox", "-q", "-d"]
    assert "silence" in command
