"""The simulated device's screen: which device, what it tells the skill, what it shows.

An Echo Show tells the skill it has a screen in every request: the `Alexa.Presentation.APL`
interface with its runtime's highest APL version, the `Viewport` it draws on, and, while a
document the skill sent is on screen, that document's token (the visual context). An Echo Dot
says none of it, and the skill must then send no screen. docs/chat-json.md cites Amazon's pages.

Sizes come from skill.screen.viewports, the same viewports the screen layer lays out for, so the
simulator evaluates a document exactly as the preview does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from skill.screen.directive import DIRECTIVE_TYPE as RENDER_DOCUMENT
from skill.screen.directive import USER_EVENT as USER_EVENT  # the touch request (envelopes)
from skill.screen.viewports import VIEWPORTS, Viewport

APL_INTERFACE = "Alexa.Presentation.APL"
# The newest APL version Amazon documents ("What's New in APL 2024.3"): what a current Echo Show
# reports as its runtime's maxVersion.
RUNTIME_MAX_VERSION = "2024.3"
# The visual context's `version` names the runtime that reported it; this one is ours.
RUNTIME_NAME = "hamstring-coach-simulator"
DEFAULT_DEVICE = "echo-dot"

# Device -> Amazon viewport profile (None: no screen). A device reports its profile's figures
# from skill.screen.viewports (the typical device of the class, e.g. the first Echo Show for
# hubLandscapeMedium), so the simulator never invents a size; a device is offered only when
# that module has its profile. The profiles are docs/screens.md's (Amazon's APL linter's table);
# Echo Show 10 by its size, as the second Echo Show (docs/chat-json.md).
DEVICES: dict[str, str | None] = {
    "echo-dot": None,
    "echo-spot": "hubRoundSmall",
    "echo-show-5": "hubLandscapeSmall",
    "echo-show-8": "hubLandscapeMedium",
    "echo-show-10": "hubLandscapeLarge",
    "echo-show-15": "hubLandscapeXLarge",
    "fire-tv": "tvLandscapeXLarge",
}
ALIASES = {"echo-show": "echo-show-8"}


def device_names() -> list[str]:
    """Every name `--device` takes: devices whose profile is known, aliases, profile names."""
    devices = [d for d, p in DEVICES.items() if p is None or p in VIEWPORTS]
    aliases = [a for a, d in ALIASES.items() if d in devices]
    return devices + aliases + list(VIEWPORTS)


@dataclass(frozen=True)
class Display:
    """A screen a simulated device has: its name, its viewport, its APL runtime's version."""

    device: str
    viewport: Viewport
    max_version: str = RUNTIME_MAX_VERSION

    def interface(self) -> dict[str, Any]:
        """The value of supportedInterfaces["Alexa.Presentation.APL"]."""
        return {"runtime": {"maxVersion": self.max_version}}

    def viewport_state(self) -> dict[str, Any]:
        """`context.Viewport` as a device sends it (fields and enums: ask-sdk-model ViewportState).

        A hub takes touch; a TV is driven by a remote's direction keys and has no touch screen.
        """
        v = self.viewport
        state: dict[str, Any] = {
            "mode": v.mode,
            "shape": v.shape.upper(),
            "pixelWidth": v.pixel_width,
            "pixelHeight": v.pixel_height,
            "dpi": v.dpi,
            "currentPixelWidth": v.pixel_width,
            "currentPixelHeight": v.pixel_height,
        }
        if self.touch:
            state["touch"] = ["SINGLE"]
        else:
            state["keyboard"] = ["DIRECTION"]
        return state

    @property
    def touch(self) -> bool:
        return self.viewport.mode != "TV"


def display_for(name: str, max_version: str = RUNTIME_MAX_VERSION) -> Display | None:
    """The screen of the device called `name` (None: an Echo Dot); ValueError if unknown.

    `max_version`: what its APL runtime reports (an older device reports an older one).
    """
    device = ALIASES.get(name, name)
    if device in VIEWPORTS:
        return Display(device, VIEWPORTS[device], max_version)
    profile = DEVICES.get(device, "")
    if profile is None:
        return None
    if profile not in VIEWPORTS:
        raise ValueError(f"unknown --device {name!r}: choose one of {', '.join(device_names())}")
    return Display(device, VIEWPORTS[profile], max_version)


@dataclass(frozen=True)
class Shown:
    """The document on screen: the directive that drew it and the device time it appeared."""

    directive: dict[str, Any]
    at: datetime
    runtime: str = RUNTIME_MAX_VERSION  # the APL version of the runtime showing it

    @property
    def token(self) -> str:
        return str(self.directive.get("token", ""))

    def elapsed_ms(self, when: datetime) -> int:
        """How long the document has been on screen at `when` (never negative)."""
        return max(0, round((when - self.at).total_seconds() * 1000))

    def visual_context(self) -> dict[str, Any]:
        """context["Alexa.Presentation.APL"]: the token of what is on screen, and our runtime.

        componentsVisibleOnScreen is left out: it needs laid-out positions, which the
        simulator does not compute (it evaluates the document, it does not lay it out).
        """
        return {"token": self.token, "version": f"{RUNTIME_NAME} (APL {self.runtime})"}


def render_directive(response_envelope: dict[str, Any] | None) -> dict[str, Any] | None:
    """The response's last APL RenderDocument directive, or None."""
    response = (response_envelope or {}).get("response") or {}
    found = [
        d
        for d in response.get("directives") or []
        if isinstance(d, dict) and d.get("type") == RENDER_DOCUMENT
    ]
    return found[-1] if found else None
