"""The whole guided session as one MP3 (render-session): its script, its name for each stretch,
its output path, and its length and frames."""

from __future__ import annotations

from pathlib import Path

import pytest

from skill.audio.session import render_session, session_script
from skill.audio.tts import EspeakEngine
from skill.cli import build_parser, main
from skill.core.content import load_content
from tests.test_audio import assert_alexa_frames, ffprobe_stream


@pytest.fixture(scope="module")
def content():
    return load_content()


def test_session_script_walks_the_routine(content):
    script = session_script(content, "seated")
    kinds = [i.kind for i in script]
    holds = [i.timeline for i in script if i.kind == "hold"]
    assert len(holds) == 2 * content.routine.reps_per_leg
    assert kinds.count("count_in") == len(holds)
    assert all(kinds[i - 1] == "count_in" for i, k in enumerate(kinds) if k == "hold")
    assert [i.text for i in script if i.kind == "chime"] == ["chime-switch", "chime-end"]
    texts = " ".join(i.text for i in script if i.kind == "say")
    assert "{" not in texts
    assert "right leg" in texts
    assert "left leg" in texts
    assert "not medical advice" in texts
    full = session_script(content, "full")
    assert sum(1 for i in full if i.kind == "hold") == 2 * len(holds)


def test_session_script_rejects_unknown_stretch(content):
    with pytest.raises(ValueError, match="unknown stretch 'standing'; use one of seated, lying"):
        session_script(content, "standing")


def test_the_lying_stretch_is_called_lying_and_supine_still_works(content, capsys):
    lying = session_script(content, "lying")
    assert {i.timeline.stretch_id for i in lying if i.kind == "hold"} == {"supine"}
    assert session_script(content, "supine") == lying
    parser = build_parser()
    for given in ("lying", "supine", "Lying"):
        args = parser.parse_args(["render-session", "--stretch", given, "--out", "x.mp3"])
        assert args.stretch == "lying"
    with pytest.raises(SystemExit) as exc:
        parser.parse_args(["render-session", "--stretch", "standing", "--out", "x.mp3"])
    assert exc.value.code == 2
    assert "choose from seated, lying, full" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        parser.parse_args(["render-session", "--help"])
    help_text = capsys.readouterr().out
    assert "--stretch {seated,lying,full}" in help_text
    assert "supine" not in help_text


@pytest.mark.parametrize("where", ["missing/dir/x.mp3", "."])
def test_render_session_out_must_be_a_file_in_an_existing_folder(tmp_path: Path, capsys, where):
    out = tmp_path / where
    assert main(["render-session", "--stretch", "seated", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    if where == ".":
        assert err.startswith(f"error: --out {out} is a directory")
    else:
        assert err.startswith(f"error: no such directory: {tmp_path / 'missing' / 'dir'}")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_render_session_length_matches_script(content, tmp_path: Path):
    report = render_session(content, "seated", tmp_path / "seated.mp3", EspeakEngine())
    assert report.holds == 6
    assert report.hold_ms == 6 * 30_000
    assert abs(report.real_ms - report.expected_ms) <= 500
    assert report.engine == "espeak"
    info = ffprobe_stream(report.path)["streams"][0]
    assert int(info["bit_rate"]) == 48_000
    assert int(info["sample_rate"]) == 24_000
    headers = assert_alexa_frames(report.path)
    assert abs(sum(h.samples for h in headers) / 24 - report.real_ms) < 1
    print(f"\nsession: {len(headers)} frames, all MPEG-2 Layer III 48 kbps 24 kHz mono")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tmp")]
