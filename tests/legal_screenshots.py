"""Screenshots of /privacy and /terms as a phone and a desktop browser show them: the real app
served over HTTP on 127.0.0.1, loaded by headless Chromium (the system's `chromium`, driven by
Playwright, a `dev` dependency). For the closing note of a release, or to look at a change:

    python -m tests.legal_screenshots OUT_DIR

writes OUT_DIR/{privacy,terms}-{phone,desktop}.png. tests/test_legal_screenshots.py takes the
same pictures and checks they are not blank.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import shutil
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from werkzeug.serving import make_server

from skill.config import Config
from skill.web.app import create_app

VIEWPORTS = {"phone": (390, 844), "desktop": (1280, 900)}
PAGES = ("privacy", "terms")

# Runs in a blank page: draws a PNG into a canvas and counts the pixels that differ from its
# top-left (background) pixel, and the distinct colours (text on a page has many).
_INK_JS = """async (dataUrl) => {
  const img = new Image();
  img.src = dataUrl;
  await img.decode();
  const canvas = document.createElement("canvas");
  canvas.width = img.width; canvas.height = img.height;
  const ctx = canvas.getContext("2d");
  ctx.drawImage(img, 0, 0);
  const px = ctx.getImageData(0, 0, img.width, img.height).data;
  let ink = 0; const colours = new Set();
  for (let i = 0; i < px.length; i += 4) {
    if (px[i] !== px[0] || px[i + 1] !== px[1] || px[i + 2] !== px[2]) ink++;
    if (colours.size < 1000) colours.add((px[i] << 16) | (px[i + 1] << 8) | px[i + 2]);
  }
  return {width: img.width, height: img.height, ink: ink / (px.length / 4),
          colours: colours.size};
}"""


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@contextlib.contextmanager
def serving(database_dir: Path) -> Iterator[str]:
    """The real app (create_app, a throwaway SQLite file) on a free port; its base URL."""
    config = Config(verify_requests=False, database_url=f"sqlite:///{database_dir}/p.sqlite3")
    server = make_server("127.0.0.1", 0, create_app(config), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)


def take_screenshots(base_url: str, out_dir: Path) -> dict[str, dict[str, Any]]:
    """Every page at every viewport, saved as PNG in `out_dir`; for each file: its measures
    (width, height, ink: the share of non-background pixels, colours) and every URL the page
    requested (it must load nothing but itself)."""
    from playwright.sync_api import sync_playwright

    out_dir.mkdir(parents=True, exist_ok=True)
    found: dict[str, dict[str, Any]] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path())
        try:
            blank = browser.new_page()
            for name in PAGES:
                for device, (width, height) in VIEWPORTS.items():
                    page = browser.new_page(viewport={"width": width, "height": height})
                    requested: list[str] = []
                    page.on("request", lambda req, seen=requested: seen.append(req.url))
                    response = page.goto(f"{base_url}/{name}")
                    path = out_dir / f"{name}-{device}.png"
                    png = page.screenshot(path=str(path), full_page=True)
                    page.close()
                    data_url = "data:image/png;base64," + base64.b64encode(png).decode()
                    measures = blank.evaluate(_INK_JS, data_url)
                    status = response.status if response is not None else None
                    found[path.name] = {**measures, "status": status, "requested": requested}
        finally:
            browser.close()
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", type=Path, help="folder for the PNG files")
    args = parser.parse_args(argv)
    if chromium_path() is None:
        print("error: chromium is not installed (apt-get install chromium)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as database_dir, serving(Path(database_dir)) as url:
        for name, measures in take_screenshots(url, args.out_dir).items():
            print(
                f"{args.out_dir / name}: {measures['width']}x{measures['height']}, "
                f"{measures['ink']:.1%} ink"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
