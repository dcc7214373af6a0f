"""What a turn shows beyond its voice: the APL screen on a device that can draw it, and the
card in the Alexa app, with the pose picture where the operator serves pictures.

A screen goes only to a device whose request lists `Alexa.Presentation.APL` in
`context.System.device.supportedInterfaces` with a `runtime.maxVersion` at least the version
our documents declare (docs/alexa-platform.md, "Screens"); every other device gets the
response it got before screens existed (the cards aside: a goodbye after a routine now has
one, on every device).
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model.interfaces.alexa.presentation.apl import RenderDocumentDirective
from ask_sdk_model.ui import Image, SimpleCard, StandardCard

from skill.core.screens import Screen
from skill.core.turn_base import Card
from skill.screen.directive import APL_VERSION, directive_bytes, render_directive
from skill.screen.images import card_image_urls
from skill.screen.schema import MAX_DIRECTIVE_BYTES, document_problems

log = logging.getLogger("skill.alexa.screen")


def version_key(version: Any) -> tuple[int, ...] | None:
    """ "2024.3" -> (2024, 3); None for anything that is not dot-separated whole numbers
    (an unreadable version never gets a screen)."""
    if not isinstance(version, str):
        return None
    parts = version.strip().split(".")
    if not all(part.isascii() and part.isdigit() for part in parts):
        return None
    return tuple(int(part) for part in parts)


def apl_max_version(handler_input: HandlerInput) -> str | None:
    """The APL runtime version the device says it supports, or None (no APL interface)."""
    context = handler_input.request_envelope.context
    system = getattr(context, "system", None)
    device = getattr(system, "device", None)
    interfaces = getattr(device, "supported_interfaces", None)
    apl = getattr(interfaces, "alexa_presentation_apl", None)
    runtime = getattr(apl, "runtime", None)
    version = getattr(runtime, "max_version", None)
    return version if isinstance(version, str) else None


def shows_screens(handler_input: HandlerInput) -> bool:
    """This device draws APL documents of our version (the runtime is backward compatible:
    any document version up to maxVersion)."""
    device = version_key(apl_max_version(handler_input))
    ours = version_key(APL_VERSION)
    return device is not None and ours is not None and device >= ours


@functools.lru_cache(maxsize=512)
def _checked_directive(screen: Screen) -> dict[str, Any] | None:
    """The RenderDocument directive for `screen`, or None if it fails the checks (then the
    device shows nothing new rather than an error); built and checked once per screen.

    Here, only what is cheap (a few ms): the directive and document as written, and the size
    budget. The full check (schema.validate_directive: the document inflated on every viewport
    at every moment of the set, about a second) runs in the tests, on every screen they send."""
    directive = render_directive(screen)
    problems = document_problems(directive)
    size = directive_bytes(directive)
    if size > MAX_DIRECTIVE_BYTES:
        problems.append(f"directive is {size} bytes, over the {MAX_DIRECTIVE_BYTES} budget")
    if problems:
        log.warning(
            "APL document rejected, sending no screen",
            extra={"fields": {"screen": type(screen).__name__, "problems": problems[:3]}},
        )
        return None
    return directive


class Presenter:
    """Screens and cards for the handlers; `images_base_url`: the public HTTPS base of the
    card pictures (Config.images_base_url), None: plain Simple cards."""

    def __init__(self, images_base_url: str | None = None) -> None:
        usable = bool(images_base_url and images_base_url.startswith("https://"))
        self.images_base_url = images_base_url if usable else None

    def screen_directive(
        self, handler_input: HandlerInput, screen: Screen | None
    ) -> RenderDocumentDirective | None:
        """The APL directive for this device, or None (no screen to show, or no APL)."""
        if screen is None or not shows_screens(handler_input):
            return None
        directive = _checked_directive(screen)
        if directive is None:
            return None
        return RenderDocumentDirective(
            token=directive["token"],
            document=directive["document"],
            datasources=directive.get("datasources") or None,
        )

    def card(self, card: Card) -> SimpleCard | StandardCard:
        """A Standard card with the pose picture when there is one to serve, else Simple."""
        urls = None
        if card.picture is not None and self.images_base_url is not None:
            urls = card_image_urls(self.images_base_url, card.picture)
        if urls is None:
            return SimpleCard(title=card.title, content=card.text)
        small, large = urls
        image = Image(small_image_url=small, large_image_url=large)
        return StandardCard(title=card.title, text=card.text, image=image)
