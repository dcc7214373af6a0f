"""Cross-cutting work around every handler."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractResponseInterceptor
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from skill.handlers.memory import save_profile


class SaveProfileInterceptor(AbstractResponseInterceptor):
    """Writes the person's changed profile fields once, after the handler is done."""

    def process(self, handler_input: HandlerInput, response: Response) -> None:
        save_profile(handler_input)
