"""Headless Chromium for drawing screens and pictures: the system's own browser (Debian's
`chromium` package), driven by Playwright. Playwright's browser download is never used, so a
machine needs only `apt-get install chromium` and the `playwright` package."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from typing import Any

INSTALL_HINT = (
    "needs the system's Chromium and Playwright: `apt-get install chromium` and "
    '`pip install -e ".[dev]"`'
)


class BrowserUnavailable(RuntimeError):
    """No browser to draw with; the message says what to install."""


def chromium_path() -> str | None:
    """The system Chromium's executable, if one is installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


@contextlib.contextmanager
def open_browser() -> Iterator[Any]:
    """A headless Chromium (a Playwright `Browser`), closed on exit."""
    executable = chromium_path()
    if executable is None:
        raise BrowserUnavailable(f"Chromium is not installed; {INSTALL_HINT}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        raise BrowserUnavailable(f"Playwright is not installed; {INSTALL_HINT}") from error
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable)
        try:
            yield browser
        finally:
            browser.close()
