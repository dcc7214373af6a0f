"""Render the skill icons (108 x 108 and 512 x 512 PNG) from skill/publish/icons/icon.svg.

Run once after changing the SVG, then commit the PNGs:

    python -m tests.publish.render_icons

Pillow is not a dependency of the project, so the system Chromium draws the SVG (Playwright);
tests/publish/test_icons.py checks the committed files are PNGs of Amazon's sizes.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ICONS = Path(__file__).resolve().parents[2] / "skill" / "publish" / "icons"
SIZES = {"small.png": 108, "large.png": 512}


def render_icons(svg: Path, out: Path) -> list[Path]:
    """Each size of the icon as a PNG in `out`, drawn by headless Chromium."""
    markup = svg.read_text(encoding="utf-8")
    written = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"))
        try:
            for name, size in SIZES.items():
                page = browser.new_page(viewport={"width": size, "height": size})
                page.set_content(
                    "<html><body style='margin:0'>"
                    f"<div style='width:{size}px;height:{size}px'>{markup}</div></body></html>"
                )
                page.locator("svg").evaluate(
                    f"svg => {{ svg.setAttribute('width', {size}); "
                    f"svg.setAttribute('height', {size}); }}"
                )
                target = out / name
                page.screenshot(
                    path=str(target), clip={"x": 0, "y": 0, "width": size, "height": size}
                )
                page.close()
                written.append(target)
        finally:
            browser.close()
    return written


if __name__ == "__main__":
    for path in render_icons(ICONS / "icon.svg", ICONS):
        print(f"wrote {path}", file=sys.stderr)
