"""Reading the preview's PNG files back, as a person looking at them would judge them: the
pixel size from the IHDR chunk, and (drawn by the browser into a canvas) how much of the
picture is not background and how many colours it has. A blank screen has neither."""

from __future__ import annotations

import base64
import struct
from pathlib import Path
from typing import Any

# Runs in a blank page: reads a PNG back and returns its size, its "ink" (the share of pixels
# that are neither the screen's background, its most common colour, nor the backdrop around a
# round screen), its number of distinct colours (up to 1000), and the colours (0xRRGGBB) of
# its top-left corner and its centre. Pictures wider than 480 px are sampled on a grid.
INK_JS = """async ([dataUrl, backdrop]) => {
  const img = new Image();
  img.src = dataUrl;
  await img.decode();
  const canvas = document.createElement("canvas");
  canvas.width = img.width; canvas.height = img.height;
  const ctx = canvas.getContext("2d");
  ctx.drawImage(img, 0, 0);
  const px = ctx.getImageData(0, 0, img.width, img.height).data;
  const counts = new Map();
  const step = Math.max(1, Math.floor(img.width / 480));  // a TV picture: every 4th pixel
  let total = 0;
  for (let y = 0; y < img.height; y += step) {
    for (let x = 0; x < img.width; x += step) {
      const i = 4 * (y * img.width + x);
      const c = (px[i] << 16) | (px[i + 1] << 8) | px[i + 2];
      counts.set(c, (counts.get(c) || 0) + 1);
      total++;
    }
  }
  let background = 0, most = -1;
  for (const [c, n] of counts) { if (n > most && c !== backdrop) { most = n; background = c; } }
  let ink = 0;
  for (const [c, n] of counts) { if (c !== background && c !== backdrop) ink += n; }
  const at = (x, y) => { const i = 4 * (y * img.width + x);
    return (px[i] << 16) | (px[i + 1] << 8) | px[i + 2]; };
  return {width: img.width, height: img.height, ink: ink / total,
          colours: Math.min(counts.size, 1000), background: background,
          corner: at(0, 0), centre: at(img.width >> 1, img.height >> 1)};
}"""


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from the PNG's IHDR chunk (the file's own header)."""
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def rgb(colour: str) -> int:
    """'#rrggbb' as 0xRRGGBB."""
    return int(colour.lstrip("#"), 16)


def measure(tab: Any, path: Path, backdrop: str) -> dict[str, Any]:
    """What the browser reads back from the PNG at `path` (INK_JS's fields)."""
    data_url = "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode()
    return tab.evaluate(INK_JS, [data_url, rgb(backdrop)])
