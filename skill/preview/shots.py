"""Screenshots of the sample screens: for every sample, moment and viewport, the document the
skill would send (render_directive), evaluated at that moment (inflate), laid out as HTML
(skill/preview/html.py) and drawn by one headless Chromium at the viewport's pixel size.
Writes DIR/<screen>-<moment>-<viewport>.png, the .html page beside it, and DIR/index.html.
"""

from __future__ import annotations

import functools
import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from skill.preview.apl_values import PreviewError
from skill.preview.browser import open_browser
from skill.preview.html import page
from skill.preview.screens import Moment, Sample
from skill.screen.directive import render_directive
from skill.screen.inflate import inflate
from skill.screen.schema import validate_directive
from skill.screen.viewports import Viewport


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


@functools.cache
def directive_of(sample: Sample) -> dict[str, Any]:
    """The directive the skill sends for `sample`, checked as the skill checks it before
    sending (a document that fails is not sent: there would be nothing to preview)."""
    directive = render_directive(sample.screen)
    problems = validate_directive(directive)
    if problems:
        raise PreviewError(f"the document fails the APL check: {problems[:3]}")
    return directive


def screen_html(sample: Sample, moment: Moment, viewport: Viewport) -> str:
    """The HTML page of `sample` at `moment` on `viewport`: the skill's own directive,
    evaluated as the device would at that moment."""
    directive = directive_of(sample)
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
                    try:
                        markup = screen_html(sample, moment, viewport)
                    except PreviewError as error:
                        raise PreviewError(f"{name}: {error}") from error
                    (out / f"{name}.html").write_text(markup, encoding="utf-8")
                    tab.set_content(markup, wait_until="load")
                    path = out / f"{name}.png"
                    tab.screenshot(path=str(path))
                    shots.append(Shot(path, sample, moment, viewport, path.stat().st_size))
            context.close()
    (out / "index.html").write_text(index_page(shots), encoding="utf-8")
    return shots


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
