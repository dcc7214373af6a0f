"""`hamstring-coach build-images`: the card PNGs, drawn by Chromium from the AVG source.

Cards need bitmaps (Amazon takes PNG or JPEG), the screens take the AVG itself; drawing the
PNGs with `avg_to_svg` in a real browser keeps one source for both. The PNGs and the manifest
are committed (skill/screen/images/), so serving them needs no browser; `--check` compares the
manifest with the drawings and the files without a browser, for CI and for the operator.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from skill.screen.art import LEGS, STRETCHES, avg_graphic, avg_to_svg
from skill.screen.images import (
    CARD_SIZES,
    MANIFEST_NAME,
    MANIFEST_VERSION,
    art_source_sha256,
    image_file_name,
    images_dir,
    parse_manifest,
    read_manifest,
)

CARD_BACKGROUND = "#FFFFFF"  # the Alexa app shows cards in light and dark themes: a white plate
REBUILD_HINT = "run `hamstring-coach build-images` and commit skill/screen/images/"


def _page_html(svg: str) -> str:
    return (
        "<!doctype html><html><head><style>html,body{margin:0;padding:0;"
        f"background:{CARD_BACKGROUND}}}svg{{display:block}}</style></head>"
        f"<body>{svg}</body></html>"
    )


def build_images(out: Path) -> dict[str, Any]:
    """Draw every stretch, leg and card size into `out` and write the manifest; returns it."""
    from skill.preview.browser import open_browser

    out.mkdir(parents=True, exist_ok=True)
    files: dict[str, dict[str, Any]] = {}
    with open_browser() as browser:
        for size, (width, height) in CARD_SIZES.items():
            page = browser.new_page(viewport={"width": width, "height": height})
            for stretch_id in STRETCHES:
                for leg in LEGS:
                    name = image_file_name(stretch_id, leg, size)
                    svg = avg_to_svg(avg_graphic(stretch_id, leg), width, height)
                    page.set_content(_page_html(svg))
                    png = page.screenshot(type="png", full_page=False)
                    (out / name).write_bytes(png)
                    files[name] = {
                        "width": width,
                        "height": height,
                        "sha256": hashlib.sha256(png).hexdigest(),
                        "stretch_id": stretch_id,
                        "leg": leg,
                        "size": size,
                    }
            page.close()
    manifest = {
        "version": MANIFEST_VERSION,
        "art_source_sha256": art_source_sha256(),
        "files": dict(sorted(files.items())),
    }
    (out / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def check_images(folder: Path) -> list[str]:
    """Why the PNGs in `folder` are not what `build-images` would make now ([] = up to date)."""
    data = read_manifest(folder)
    if not data:
        return [f"no {MANIFEST_NAME} in {folder}"]
    problems = []
    if data.get("art_source_sha256") != art_source_sha256():
        problems.append("the drawings (skill/screen/art/) changed since the PNGs were built")
    try:
        entries = parse_manifest(data)
    except (ValueError, KeyError, TypeError) as error:
        return [*problems, f"{MANIFEST_NAME} is not readable: {error}"]
    wanted = {
        image_file_name(stretch_id, leg, size)
        for stretch_id in STRETCHES
        for leg in LEGS
        for size in CARD_SIZES
    }
    for name in sorted(wanted - entries.keys()):
        problems.append(f"{name} is missing from {MANIFEST_NAME}")
    for name in sorted(entries.keys() - wanted):
        problems.append(f"{name} is listed but no drawing makes it")
    for name, entry in sorted(entries.items()):
        path = folder / name
        if not path.is_file():
            problems.append(f"{name} is listed but not in {folder}")
        elif hashlib.sha256(path.read_bytes()).hexdigest() != entry.sha256:
            problems.append(f"{name} does not match its SHA-256 in {MANIFEST_NAME}")
        elif CARD_SIZES.get(entry.size) != (entry.width, entry.height):
            problems.append(f"{name} is {entry.width}x{entry.height}, not a {entry.size} card")
    return problems


def cmd_build_images(args: argparse.Namespace) -> int:
    from skill.preview.browser import BrowserUnavailable

    out = Path(args.out) if args.out else images_dir()
    if args.check:
        problems = check_images(out)
        for problem in problems:
            print(f"stale: {problem}", file=sys.stderr)
        if problems:
            print(f"error: the card pictures in {out} are stale; {REBUILD_HINT}", file=sys.stderr)
            return 1
        print(f"{out}: the card pictures match the drawings")
        return 0
    try:
        manifest = build_images(out)
    except BrowserUnavailable as error:
        print(f"error: cannot draw the card pictures: {error}", file=sys.stderr)
        return 1
    for name, entry in manifest["files"].items():
        size = (out / name).stat().st_size
        print(f"{out / name}: {entry['width']}x{entry['height']}, {size} bytes")
    return 0


def add_commands(sub: Any) -> None:
    build = sub.add_parser(
        "build-images",
        help="draw the card pictures (PNG) from the pose drawings, with Chromium",
    )
    build.add_argument(
        "--out", default=None, help="output directory (default: skill/screen/images/)"
    )
    build.add_argument(
        "--check",
        action="store_true",
        help="draw nothing; exit 1 if the PNGs are stale (needs no browser)",
    )
    build.set_defaults(func=cmd_build_images)
