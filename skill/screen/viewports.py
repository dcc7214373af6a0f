"""The screens the documents are laid out for: Amazon's viewport profiles as concrete viewports.

Each profile covers a range of devices; the values here are the typical device of the profile
as Amazon's viewport-profile pages list it (docs/screens.md cites them). The inflater and the
preview use them to evaluate `viewport.*` conditions exactly as a device of that class would.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Viewport:
    """One device class: its size in pixels, pixel density and operating mode."""

    name: str
    shape: str  # "round" / "rectangle"
    pixel_width: int
    pixel_height: int
    dpi: int
    mode: str  # "HUB" / "TV"

    @property
    def width_dp(self) -> int:
        """Width in display-independent pixels (dp = px * 160 / dpi), what APL lays out in."""
        return round(self.pixel_width * 160 / self.dpi)

    @property
    def height_dp(self) -> int:
        """Height in dp."""
        return round(self.pixel_height * 160 / self.dpi)

    def binding_context(self) -> dict[str, object]:
        """The `viewport` object a device puts in the data-binding context (mode lower-case)."""
        return {
            "width": self.width_dp,
            "height": self.height_dp,
            "pixelWidth": self.pixel_width,
            "pixelHeight": self.pixel_height,
            "shape": self.shape,
            "dpi": self.dpi,
            "theme": "dark",
            "mode": self.mode.lower(),
        }


# One typical device per profile, in Amazon's figures (dp size at its dpi; pixels = dp * dpi / 160).
VIEWPORTS: dict[str, Viewport] = {
    v.name: v
    for v in (
        Viewport("hubRoundSmall", "round", 480, 480, 160, "HUB"),  # Echo Spot
        Viewport("hubLandscapeSmall", "rectangle", 960, 480, 160, "HUB"),  # Echo Show 5
        Viewport("hubLandscapeMedium", "rectangle", 1024, 600, 160, "HUB"),  # Echo Show (1st)
        Viewport("hubLandscapeLarge", "rectangle", 1280, 800, 160, "HUB"),  # Echo Show (2nd)
        Viewport("hubLandscapeXLarge", "rectangle", 1920, 1080, 160, "HUB"),  # Echo Show 15
        Viewport("tvLandscapeXLarge", "rectangle", 1920, 1080, 320, "TV"),  # Fire TV, 960 x 540 dp
    )
}
