"""`hamstring-coach preview-screens`: every screen the skill sends, drawn to PNG by a real
browser, for a person to look at (docs/screen-preview.md).

Registered by `add_commands`, so skill/cli.py needs one line for it. The skill, the screen
layer and Playwright are imported inside the command, so `hamstring-coach --help` stays fast.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def add_commands(sub: Any) -> None:
    """Register `preview-screens` on the main parser's subcommands."""
    preview = sub.add_parser(
        "preview-screens",
        help="draw every Echo Show / Fire TV screen the skill sends to PNG files",
        description="Draw every screen the skill sends (hold, set-up, finish, how-to, phone "
        "number, emergency), at the moments worth seeing, on each viewport, with the system's "
        "headless Chromium: DIR/<screen>-<moment>-<viewport>.png, the HTML page of each, and "
        "DIR/index.html showing them all. Needs `apt-get install chromium` and Playwright. "
        "Exit status 1 when they are missing. See docs/screen-preview.md.",
    )
    preview.add_argument(
        "--out", type=Path, required=True, metavar="DIR", help="folder for the PNG files"
    )
    preview.add_argument(
        "--viewport",
        action="append",
        default=[],
        metavar="NAME",
        help="only this viewport profile (repeatable; default: every one the skill lays out, "
        "e.g. hubRoundSmall, hubLandscapeMedium, hubLandscapeLarge, tvLandscapeXLarge)",
    )
    preview.set_defaults(func=cmd_preview_screens)


def cmd_preview_screens(args: argparse.Namespace) -> int:
    from skill.preview.apl_values import PreviewError
    from skill.preview.browser import BrowserUnavailable
    from skill.preview.screens import samples
    from skill.preview.shots import take
    from skill.screen.viewports import VIEWPORTS

    unknown = [name for name in args.viewport if name not in VIEWPORTS]
    if unknown:
        print(
            f"error: unknown viewport {', '.join(unknown)}; known: {', '.join(VIEWPORTS)}",
            file=sys.stderr,
        )
        return 2
    viewports = [VIEWPORTS[name] for name in dict.fromkeys(args.viewport or VIEWPORTS)]
    try:
        shots = take(args.out, samples(), viewports)
    except BrowserUnavailable as error:
        print(f"error: preview-screens {error}", file=sys.stderr)
        return 1
    except PreviewError as error:  # the screen uses something the preview cannot draw
        print(f"error: preview-screens cannot draw {error}", file=sys.stderr)
        return 1
    for shot in shots:
        size = f"{shot.viewport.pixel_width}x{shot.viewport.pixel_height}"
        print(f"{shot.path}  {size}  {shot.size_bytes} bytes  {shot.caption}")
    print(f"{args.out / 'index.html'}  {len(shots)} screenshots")
    return 0
