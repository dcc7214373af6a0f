"""/privacy and /terms in a real browser: headless Chromium at a phone's and a desktop's
width, served by the real app over HTTP. The pictures must show a page (not blank), as wide as
the screen (nothing overflows sideways on a phone), loading nothing but the page itself."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from tests import pg
from tests.legal_screenshots import VIEWPORTS, chromium_path, serving, take_screenshots

pytestmark = pytest.mark.slow


def test_pages_render_in_chromium_at_phone_and_desktop_width(tmp_path: Path) -> None:
    if chromium_path() is None:
        pg.skip_or_fail("chromium is not installed (apt-get install chromium)")
    if importlib.util.find_spec("playwright") is None:
        pg.skip_or_fail("playwright is not installed (pip install -e '.[dev]')")
    with serving(tmp_path) as base_url:
        shots = take_screenshots(base_url, tmp_path / "shots")
    assert sorted(shots) == sorted(
        f"{page}-{device}.png" for page in ("privacy", "terms") for device in VIEWPORTS
    )
    for name, measures in shots.items():
        device = name.removesuffix(".png").split("-")[1]
        width, height = VIEWPORTS[device]
        assert measures["status"] == 200, name
        assert measures["width"] == width, f"{name}: wider than the screen"
        assert measures["height"] >= height, name
        assert measures["ink"] > 0.01, f"{name}: blank ({measures['ink']:.2%} ink)"
        assert measures["colours"] > 10, f"{name}: no text drawn"
        assert all(url.startswith(base_url) for url in measures["requested"]), name
        assert (tmp_path / "shots" / name).stat().st_size > 5000
