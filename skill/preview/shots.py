"""Screenshots of the sample screens: for every sample, moment and viewport, the document the
skill would send (render_directive), evaluated at that moment (inflate), laid out as HTML
(skill/preview/html.py) and drawn by one headless Chromium at the viewport's pixel size.
Writes DIR/<screen>-<moment>-<viewport>.png, the .html page beside it, and DIR/index.html.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from skill.preview.browser import open_browser
from skill.preview.html import BACKDROP, page
from skill.preview.screens import Moment, Sample
from skill.screen.directive import render_directive
from skill.screen.inflate import inflate
from skill.screen.viewports import Viewport

# Runs in a blank page: reads a PNG back and returns its size, its "ink" (the share of pixels
# that are neither the screen's background, its most common colour, nor the backdrop around a
# round screen) and its number of distinct colours (up to 1000). A blank drawing has neither.
_INK_JS = """async ([dataUrl, backdrop]) => {
  const img = new Image();
  img.src = dataUrl;
  await img.decode();
  const canvas = document.createElement("canvas");
  canvas.width = img.width; canvas.height = img.height;
  const ctx = canvas.getContext("2d");
  ctx.drawImage(img, 0, 0);
  const px = ctx.getImageData(0, 0, img.width, img.height).data;
  const counts = new Map();
  for (let i = 0; i < px.length; i += 4) {
    const c = (px[i] << 16) | (px[i + 1] << 8) | px[i + 2];
    counts.set(c, (counts.get(c) || 0) + 1);
  }
  let background = 0, most = -1;
  for (const [c, n] of counts) { if (n > most && c !== backdrop) { most = n; background = c; } }
  let ink = 0;
  for (const [c, n] of counts) { if (c !== background && c !== backdrop) ink += n; }
  const at = (x, y) => { const i = 4 * (y * img.width + x);
    return (px[i] << 16) | (px[i + 1] << 8) | px[i + 2]; };
  return {width: img.width, height: img.height, ink: ink / (px.length / 4),
          colours: Math.min(counts.size, 1000), background: background,
          corner: at(0, 0), centre: at(img.width >> 1, img.height >> 1)};
}"""


@dataclass(frozen=True)
class Shot:
    """One drawn PNG: what it shows and how large it is."""

    path: Path
    sample: Sample
    moment: Moment
    viewport: Viewport
    size_bytes: int

    @property
    def caption(self) -> str:
        return f"{self.sample.title}: {self.moment.caption} ({self.viewport.name})"


def stem(sample: Sample, moment: Moment, viewport: Viewport) -> str:
    """The file name (without extension) of one screenshot."""
    return f"{sample.name}-{moment.name}-{viewport.name}"


def screen_html(sample: Sample, moment: Moment, viewport: Viewport) -> str:
    """The HTML page of `sample` at `moment` on `viewport`: the skill's own directive,
    evaluated as the device would at that moment."""
    directive = render_directive(sample.screen)
    root = inflate(directive, viewport, moment.elapsed_ms)
    title = stem(sample, moment, viewport)
    return page(root, viewport, directive["document"], title)


def take(out: Path, samples: Sequence[Sample], viewports: Iterable[Viewport]) -> list[Shot]:
    """Every sample at every moment on every viewport, drawn with one browser."""
    out.mkdir(parents=True, exist_ok=True)
    chosen = list(viewports)
    shots: list[Shot] = []
    with open_browser() as browser:
        for viewport in chosen:
            context = browser.new_context(
                viewport={"width": round(viewport.width_dp), "height": round(viewport.height_dp)},
                device_scale_factor=viewport.dpi / 160,
            )
            tab = context.new_page()
            for sample in samples:
                for moment in sample.moments:
                    name = stem(sample, moment, viewport)
                    markup = screen_html(sample, moment, viewport)
                    (out / f"{name}.html").write_text(markup, encoding="utf-8")
                    tab.set_content(markup, wait_until="load")
                    path = out / f"{name}.png"
                    tab.screenshot(path=str(path))
                    shots.append(Shot(path, sample, moment, viewport, path.stat().st_size))
            context.close()
    (out / "index.html").write_text(index_page(shots), encoding="utf-8")
    return shots


def measure(paths: Iterable[Path]) -> dict[str, dict[str, Any]]:
    """Each PNG's width, height, ink, colours and the colours of its corner and centre (as
    0xRRGGBB), read back by the browser: how a test tells a drawing from a blank."""
    found: dict[str, dict[str, Any]] = {}
    with open_browser() as browser:
        tab = browser.new_page()
        for path in paths:
            data_url = "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode()
            found[path.name] = tab.evaluate(_INK_JS, [data_url, _rgb(BACKDROP)])
    return found


def index_page(shots: Sequence[Shot]) -> str:
    """DIR/index.html: every screenshot at its pixel size with its caption."""
    figures = "".join(
        f"<figure><img src='{html.escape(shot.path.name)}' width='{shot.viewport.pixel_width}'"
        f" height='{shot.viewport.pixel_height}' alt='{html.escape(shot.caption)}'>"
        f"<figcaption><b>{html.escape(shot.path.name)}</b><br>{html.escape(shot.caption)}"
        "</figcaption></figure>"
        for shot in shots
    )
    return (
        "<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>preview-screens</title>"
        "<style>body{font-family:sans-serif;background:#eee;margin:16px}"
        "figure{display:inline-block;vertical-align:top;margin:8px;background:#fff;padding:8px}"
        "img{max-width:480px;height:auto;display:block}figcaption{max-width:480px}</style>"
        f"</head><body>{figures}</body></html>\n"
    )


def _rgb(colour: str) -> int:
    """'#rrggbb' as 0xRRGGBB."""
    return int(colour.lstrip("#"), 16)
