"""One headless Chromium for the preview tests that draw: skipped locally where none is
installed, a failure on CI (tests/pg.py skip_or_fail)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from skill.preview.browser import BrowserUnavailable, open_browser
from tests import pg


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Module-scoped: Playwright's sync API cannot run inside itself, so no browser may be
    open while a test runs the command (which opens its own)."""
    try:
        with open_browser() as opened:
            yield opened
    except BrowserUnavailable as error:
        pg.skip_or_fail(str(error))
