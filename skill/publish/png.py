"""Reads a PNG file's header and checks the whole file, without an imaging library.

Amazon wants the skill icons as PNG files of exactly 108 x 108 and 512 x 512 pixels; this
checks that a file really is one: the signature, every chunk's CRC, the IHDR size, and that the
image data inflates to exactly the bytes that size needs (PNG specification,
https://www.w3.org/TR/png/). The standard library is enough, so no Pillow.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Colour type -> samples per pixel (PNG specification, table 11.1).
_SAMPLES = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}


class PngError(ValueError):
    """The file is not a complete, valid PNG image."""


@dataclass(frozen=True)
class PngInfo:
    width: int
    height: int
    bit_depth: int
    color_type: int


def _chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    chunks = []
    pos = len(SIGNATURE)
    while pos < len(data):
        if pos + 8 > len(data):
            raise PngError("truncated chunk header")
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        crc_bytes = data[pos + 8 + length : pos + 12 + length]
        if len(body) != length or len(crc_bytes) != 4:
            raise PngError(f"truncated {kind!r} chunk")
        if zlib.crc32(kind + body) != struct.unpack(">I", crc_bytes)[0]:
            raise PngError(f"bad CRC in the {kind!r} chunk")
        chunks.append((kind, body))
        pos += 12 + length
    return chunks


def read_png(path: Path) -> PngInfo:
    """The image's size and pixel format (PngError if the file is not a whole PNG)."""
    data = path.read_bytes()
    if not data.startswith(SIGNATURE):
        raise PngError("not a PNG file (wrong signature)")
    chunks = _chunks(data)
    if not chunks or chunks[0][0] != b"IHDR" or len(chunks[0][1]) != 13:
        raise PngError("the first chunk is not a valid IHDR")
    if chunks[-1][0] != b"IEND":
        raise PngError("no IEND chunk at the end")
    width, height, depth, color, _comp, _filter, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    if color not in _SAMPLES or width == 0 or height == 0:
        raise PngError(f"unsupported IHDR: {width}x{height}, colour type {color}")
    try:
        pixels = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    except zlib.error as exc:
        raise PngError(f"image data does not inflate: {exc}") from None
    if interlace == 0:
        row = (width * _SAMPLES[color] * depth + 7) // 8
        if len(pixels) != height * (row + 1):
            raise PngError(f"image data is {len(pixels)} bytes, not {height * (row + 1)}")
    return PngInfo(width, height, depth, color)
