"""MPEG audio frame headers: walk an MP3 frame by frame, as a device's demuxer does.

`build-audio` uses it for a clip's playing length; the tests use it to check that every frame
of every file is in Alexa's format (MPEG-2 Layer III, 48 kbps, 24 kHz, mono). Alexa's rule is
48 kbps for SSML `<audio>`, and older Echo demuxers take the format from the first frame's
header, so a 64 kbps Xing/Info frame in front would be read as the clip's format.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# Bitrates in kbps by bitrate index (0 = free format, 15 = invalid).
_BITRATES = {
    ("1", 1): (0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
    ("1", 2): (0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    ("1", 3): (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    ("2", 1): (0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
    ("2", 2): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
    ("2", 3): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_SAMPLE_RATES = {"1": (44_100, 48_000, 32_000), "2": (22_050, 24_000, 16_000)}
_SAMPLE_RATES["2.5"] = (11_025, 12_000, 8_000)
_VERSIONS = {0: "2.5", 2: "2", 3: "1"}  # 1 is reserved
_LAYERS = {1: 3, 2: 2, 3: 1}  # 0 is reserved
MONO = 3  # channel mode bits


class Mp3Error(ValueError):
    """The bytes are not a sequence of MPEG audio frames."""


@dataclass(frozen=True)
class FrameHeader:
    offset: int  # byte offset of the frame in the file
    version: str  # MPEG version: "1", "2" or "2.5"
    layer: int  # 1, 2 or 3
    bitrate: int  # bits per second
    sample_rate: int  # Hz
    padding: bool
    channel_mode: int  # 0 stereo, 1 joint stereo, 2 dual channel, 3 mono
    length: int  # bytes, header included

    @property
    def mono(self) -> bool:
        return self.channel_mode == MONO

    @property
    def samples(self) -> int:
        """Samples per channel this frame decodes to."""
        if self.layer == 1:
            return 384
        return 1152 if self.layer == 2 or self.version == "1" else 576


def parse_header(data: bytes, offset: int) -> FrameHeader:
    """The frame header at `offset` (Mp3Error if there is none)."""
    if offset + 4 > len(data):
        raise Mp3Error(f"truncated frame header at byte {offset}")
    word = int.from_bytes(data[offset : offset + 4], "big")
    if word >> 21 != 0x7FF:
        raise Mp3Error(f"no frame sync at byte {offset}: {data[offset : offset + 4].hex()}")
    version = _VERSIONS.get((word >> 19) & 3)
    layer = _LAYERS.get((word >> 17) & 3)
    bitrate_index = (word >> 12) & 15
    rate_index = (word >> 10) & 3
    if version is None or layer is None or bitrate_index in (0, 15) or rate_index == 3:
        raise Mp3Error(f"invalid or free-format frame header at byte {offset}: {word:08x}")
    table = _BITRATES[("1" if version == "1" else "2", layer)]
    bitrate = table[bitrate_index] * 1000
    sample_rate = _SAMPLE_RATES[version][rate_index]
    padding = bool((word >> 9) & 1)
    if layer == 1:
        length = (12 * bitrate // sample_rate + padding) * 4
    elif layer == 3 and version != "1":
        length = 72 * bitrate // sample_rate + padding
    else:
        length = 144 * bitrate // sample_rate + padding
    return FrameHeader(
        offset, version, layer, bitrate, sample_rate, padding, (word >> 6) & 3, length
    )


def id3v2_length(data: bytes) -> int:
    """Bytes of the ID3v2 tag at the start of `data` (0 if there is none)."""
    if len(data) < 10 or data[:3] != b"ID3":
        return 0
    size = 0
    for byte in data[6:10]:  # a "syncsafe" integer: 7 bits per byte
        size = (size << 7) | (byte & 0x7F)
    footer = 10 if data[5] & 0x10 else 0
    return 10 + size + footer


def frames(data: bytes) -> Iterator[FrameHeader]:
    """Every frame header, in order: from after an ID3v2 tag to the end or an ID3v1 tag.

    Raises Mp3Error if a frame does not start where the previous one ended.
    """
    end = len(data)
    if end >= 128 and data[end - 128 : end - 125] == b"TAG":
        end -= 128
    offset = id3v2_length(data)
    while offset < end:
        header = parse_header(data, offset)
        if offset + header.length > end:
            raise Mp3Error(f"frame at byte {offset} runs past the end of the file")
        yield header
        offset += header.length


def read_frames(path: Path | str) -> list[FrameHeader]:
    return list(frames(Path(path).read_bytes()))


def playing_ms(path: Path | str) -> float:
    """How long the file plays: every frame's samples (no gapless trimming without a header)."""
    headers = read_frames(path)
    return sum(h.samples * 1000 / h.sample_rate for h in headers)
