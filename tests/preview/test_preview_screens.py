"""`hamstring-coach preview-screens --out DIR`, as an operator runs it: every screen the skill
sends (the coach's real turns: a hold, the start of a stretch, the last set, a how-to answer, a
clinic's number, the emergency) drawn by the system's Chromium on every viewport profile. The
pictures must be there, at the device's pixel size, showing something (not blank), with the
countdown a person expects mid-hold, and round screens clipped to a circle."""

from __future__ import annotations

import argparse
import contextlib
import io
import os
from pathlib import Path
from typing import Any

import pytest

from skill.core.screens import SetScreen
from skill.preview.cli import add_commands
from skill.preview.html import BACKDROP
from skill.preview.screens import Moment, Sample, samples
from skill.screen.viewports import VIEWPORTS
from tests.preview.pngs import measure, png_size, rgb

pytestmark = pytest.mark.slow

SAMPLES = samples()
EXPECTED = {
    f"{sample.name}-{moment.name}-{viewport}.png": (sample, moment, VIEWPORTS[viewport])
    for sample in SAMPLES
    for moment in sample.moments
    for viewport in VIEWPORTS
}


def expected_countdown(sample: Sample, moment: Moment) -> int | None:
    """The whole seconds left in the hold under way at `moment` (what the large countdown
    must show), from the screen's own holds; None between holds or without holds."""
    screen = sample.screen
    if not isinstance(screen, SetScreen):
        return None
    at = moment.elapsed_ms - screen.clock_offset_ms
    for hold in screen.holds:
        if hold.start_ms <= at < hold.end_ms:
            left_ms = hold.end_ms - at
            return left_ms // 1000 if left_ms % 1000 == 0 else None
    return None


def run(argv: list[str]) -> int:
    """The command line as skill/cli.py builds it: the command registered by add_commands."""
    parser = argparse.ArgumentParser(prog="hamstring-coach")
    add_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.func(args))


@pytest.fixture(scope="module")
def drawn(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """One run of the command over every viewport: its folder and what it printed."""
    out = tmp_path_factory.mktemp("screens")
    printed, errors = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(errors):
        status = run(["preview-screens", "--out", str(out)])
    assert status == 0, errors.getvalue()
    return out, printed.getvalue()


@pytest.fixture(scope="module")
def seen(drawn: tuple[Path, str], browser: Any) -> dict[str, dict[str, Any]]:
    """Every PNG read back by the browser once (tests/preview/pngs.py INK_JS)."""
    out, _ = drawn
    tab = browser.new_page()
    return {name: measure(tab, out / name, BACKDROP) for name in EXPECTED}


def test_every_screen_the_skill_sends_is_drawn_on_every_viewport(
    drawn: tuple[Path, str],
) -> None:
    out, printed = drawn
    assert {
        "hold", "setup", "finish", "how-to", "phone", "emergency", "paused", "launch", "help",
        "longest-caption", "long-answer",
    } == {s.name for s in SAMPLES}  # fmt: skip
    assert {"hubRoundSmall", "hubLandscapeMedium", "hubLandscapeLarge", "tvLandscapeXLarge"} <= set(
        VIEWPORTS
    )
    assert sorted(p.name for p in out.glob("*.png")) == sorted(EXPECTED)
    index = (out / "index.html").read_text(encoding="utf-8")
    lines = printed.splitlines()
    for name, (_, _, viewport) in EXPECTED.items():
        assert f"src='{name}'" in index, name
        size = (out / name).stat().st_size
        line = f"{out / name}  {viewport.pixel_width}x{viewport.pixel_height}  {size} bytes"
        assert any(printed_line.startswith(line) for printed_line in lines), name


def test_each_picture_has_the_devices_pixel_size_and_shows_something(
    drawn: tuple[Path, str], seen: dict[str, dict[str, Any]]
) -> None:
    out, _ = drawn
    for name, (_, _, viewport) in EXPECTED.items():
        assert png_size(out / name) == (viewport.pixel_width, viewport.pixel_height), name
        ink, colours = seen[name]["ink"], seen[name]["colours"]
        assert ink > 0.01, f"{name}: blank ({ink:.2%} ink)"
        assert colours > 20, f"{name}: {colours} colours, no drawing or text"


def test_round_screens_are_clipped_to_a_circle_and_rectangles_fill_the_picture(
    seen: dict[str, dict[str, Any]],
) -> None:
    for name, (_, _, viewport) in EXPECTED.items():
        if viewport.shape == "round":
            assert seen[name]["corner"] == rgb(BACKDROP), f"{name}: corner not clipped"
        else:
            assert seen[name]["corner"] != rgb(BACKDROP), f"{name}: the screen does not fill it"
        assert seen[name]["centre"] != rgb(BACKDROP), name


def test_mid_hold_the_countdown_shows_the_seconds_left(drawn: tuple[Path, str]) -> None:
    out, _ = drawn
    checked = 0
    for name, (sample, moment, _) in EXPECTED.items():
        seconds = expected_countdown(sample, moment)
        if moment.name != "mid-hold":
            continue
        assert seconds is not None, name
        page = (out / name.replace(".png", ".html")).read_text(encoding="utf-8")
        assert f">{seconds}</span>" in page, f"{name}: no {seconds} on the countdown"
        checked += 1
    assert checked == 3 * len(VIEWPORTS)


def test_one_viewport_only_and_an_unknown_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["preview-screens", "--out", str(tmp_path), "--viewport", "nowhere"]) == 2
    assert "unknown viewport nowhere" in capsys.readouterr().err
    assert not list(tmp_path.glob("*.png"))


def test_without_chromium_it_says_what_to_install_and_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    assert os.environ["PATH"] == str(empty)
    assert run(["preview-screens", "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "Chromium is not installed" in err
    assert "apt-get install chromium" in err
