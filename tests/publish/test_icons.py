"""The committed skill icons: PNG files of the sizes Amazon asks for, and the PNG reader.

Amazon: a small icon of 108 x 108 and a large one of 512 x 512 pixels, PNG
(Skill Manifest Schema, https://developer.amazon.com/docs/smapi/skill-manifest.html;
"All images referenced in a skill manifest must be in PNG format":
https://developer.amazon.com/docs/smapi/skill-manifest-v0.html).
"""

from __future__ import annotations

import shutil
import struct
import zlib
from pathlib import Path

import pytest

from skill.publish.png import PngError, read_png

ICONS = Path(__file__).resolve().parents[2] / "skill" / "publish" / "icons"


def png_bytes(width: int, height: int) -> bytes:
    """A valid grey PNG, built by hand, to test the reader on sizes of our choosing."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(("name", "size"), [("small.png", 108), ("large.png", 512)])
def test_committed_icons_are_pngs_of_amazons_sizes(name: str, size: int) -> None:
    info = read_png(ICONS / name)
    assert (info.width, info.height) == (size, size)
    assert (info.bit_depth, info.color_type) in {(8, 2), (8, 6)}  # 8-bit RGB or RGBA


def test_the_reader_checks_the_whole_file(tmp_path: Path) -> None:
    good = png_bytes(3, 2)
    path = tmp_path / "x.png"
    path.write_bytes(good)
    assert (read_png(path).width, read_png(path).height) == (3, 2)
    cases = {
        "wrong signature": b"GIF89a" + good[6:],
        "bad CRC": good[:-5] + bytes([good[-5] ^ 1]) + good[-4:],
        "no IEND": good[:-12],
        "truncated": good[:40],
    }
    for expected, data in cases.items():
        path.write_bytes(data)
        with pytest.raises(PngError, match=expected.split()[0]):
            read_png(path)


def test_image_data_must_fill_the_size(tmp_path: Path) -> None:
    data = png_bytes(4, 4)
    header = struct.pack(">IIBBBBB", 5, 4, 8, 0, 0, 0, 0)  # claims 5 wide, carries 4
    ihdr = (
        struct.pack(">I", 13) + b"IHDR" + header + struct.pack(">I", zlib.crc32(b"IHDR" + header))
    )
    path = tmp_path / "lie.png"
    path.write_bytes(data[:8] + ihdr + data[8 + 25 :])
    with pytest.raises(PngError, match="image data is 20 bytes, not 24"):
        read_png(path)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("chromium") is None, reason="needs the system chromium")
def test_the_icons_render_from_the_svg(tmp_path: Path) -> None:
    from tests.publish.render_icons import render_icons

    written = render_icons(ICONS / "icon.svg", tmp_path)
    sizes = {p.name: (read_png(p).width, read_png(p).height) for p in written}
    assert sizes == {"small.png": (108, 108), "large.png": (512, 512)}
