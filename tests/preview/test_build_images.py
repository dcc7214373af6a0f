"""`hamstring-coach build-images`, as an operator runs it: the card PNGs drawn by the real
Chromium from the pose drawings, and `--check` catching drawings changed without a rebuild."""

from __future__ import annotations

import argparse
import base64
import json
import shutil
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest

from skill.preview.browser import open_browser
from skill.preview.images import add_commands
from skill.screen import art
from skill.screen.images import CARD_SIZES, committed_images, images_dir

pytestmark = pytest.mark.slow
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
ACCENT = (0xE8, 0x83, 0x3A)  # the stretched leg's colour in skill/screen/art/*.json


def run(*argv: str) -> int:
    """The command as `hamstring-coach` runs it (skill/cli.py adds it the same way)."""
    parser = argparse.ArgumentParser(prog="hamstring-coach")
    add_commands(parser.add_subparsers(required=True))
    args = parser.parse_args(list(argv))
    return int(args.func(args))


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from the PNG's IHDR chunk (the first, right after the signature)."""
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


PIXELS_JS = """async ([url, accent]) => {
  const img = new Image(); img.src = url; await img.decode();
  const canvas = document.createElement('canvas');
  canvas.width = img.width; canvas.height = img.height;
  const ctx = canvas.getContext('2d'); ctx.drawImage(img, 0, 0);
  const d = ctx.getImageData(0, 0, img.width, img.height).data;
  let ink = 0, leg = 0, xs = 0;
  for (let i = 0; i < d.length; i += 4) {
    if (d[i] < 240 || d[i + 1] < 240 || d[i + 2] < 240) ink++;
    if (Math.abs(d[i] - accent[0]) + Math.abs(d[i + 1] - accent[1])
        + Math.abs(d[i + 2] - accent[2]) < 30) { leg++; xs += (i / 4) % img.width; }
  }
  return {ink: ink / (d.length / 4), leg: leg / (d.length / 4), legX: leg ? xs / leg : -1,
          width: img.width};
}"""


def pixels(pngs: list[Path]) -> list[dict[str, float]]:
    """For each PNG, drawn back in Chromium: the share of non-white pixels, of the stretched
    leg's colour, and where that leg's pixels sit across the picture (mean x)."""
    with open_browser() as browser:
        page = browser.new_page()
        found = []
        for png in pngs:
            url = "data:image/png;base64," + base64.b64encode(png.read_bytes()).decode()
            found.append(page.evaluate(PIXELS_JS, [url, list(ACCENT)]))
        return found


@pytest.fixture
def edited_art(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of the drawings with the seated stretch's floor line drawn thicker, in use."""
    folder = tmp_path / "art"
    shutil.copytree(Path(str(art.art_dir())), folder)
    seated = folder / "seated.json"
    drawing = json.loads(seated.read_text())
    drawing["items"][0]["strokeWidth"] += 4
    seated.write_text(json.dumps(drawing))
    monkeypatch.setattr(art, "art_dir", lambda: folder)
    art._source.cache_clear()
    yield folder
    art._source.cache_clear()


def test_build_images_draws_every_card_picture(tmp_path: Path, capsys) -> None:
    out = tmp_path / "images"
    assert run("build-images", "--out", str(out)) == 0
    said = capsys.readouterr().out
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["files"].keys() == committed_images().keys()
    for name, entry in manifest["files"].items():
        size = (entry["width"], entry["height"])
        assert png_size(out / name) == CARD_SIZES[entry["size"]] == size
        assert f"{out / name}: {entry['width']}x{entry['height']}, " in said
    names = sorted(manifest["files"])
    seen = dict(zip(names, pixels([out / name for name in names]), strict=True))
    for name, found in seen.items():
        assert 0.03 < found["ink"] < 0.5, (name, found)  # a figure, not a blank or a blot
        assert found["leg"] > 0.005, (name, found)  # the stretched leg is there, in its colour
    for stretch in art.STRETCHES:  # the right leg reaches right of centre, the left leg left
        right = seen[f"pose_{stretch}_right_large.png"]
        left = seen[f"pose_{stretch}_left_large.png"]
        assert right["legX"] == pytest.approx(right["width"] - left["legX"], abs=2)
    # built from the same drawings as the committed pictures (their pixels may differ by a
    # Chromium version's anti-aliasing, so the hashes of the PNGs are not compared)
    committed = json.loads((images_dir() / "manifest.json").read_text())
    assert manifest["art_source_sha256"] == committed["art_source_sha256"]


def test_check_passes_on_the_committed_pictures(capsys) -> None:
    assert run("build-images", "--check") == 0
    assert "match the drawings" in capsys.readouterr().out


@pytest.mark.usefixtures("edited_art")
def test_check_fails_when_the_drawings_change_until_rebuilt(tmp_path: Path, capsys) -> None:
    assert run("build-images", "--check") == 1
    err = capsys.readouterr().err
    assert "the drawings (skill/screen/art/) changed" in err
    assert "run `hamstring-coach build-images`" in err
    out = tmp_path / "rebuilt"
    assert run("build-images", "--out", str(out)) == 0
    assert run("build-images", "--check", "--out", str(out)) == 0
    old = committed_images()["pose_seated_right_large.png"].sha256
    new = json.loads((out / "manifest.json").read_text())["files"]["pose_seated_right_large.png"]
    assert new["sha256"] != old  # the thicker floor shows in the picture


def test_check_fails_on_a_damaged_or_missing_picture(tmp_path: Path, capsys) -> None:
    copy = tmp_path / "images"
    shutil.copytree(images_dir(), copy)
    (copy / "pose_supine_left_small.png").write_bytes(PNG_SIGNATURE)
    (copy / "pose_seated_left_large.png").unlink()
    assert run("build-images", "--check", "--out", str(copy)) == 1
    err = capsys.readouterr().err
    assert "pose_supine_left_small.png does not match its SHA-256" in err
    assert "pose_seated_left_large.png is listed but not in" in err
    (copy / "manifest.json").unlink()
    assert run("build-images", "--check", "--out", str(copy)) == 1
    assert "no manifest.json" in capsys.readouterr().err
