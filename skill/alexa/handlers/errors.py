"""The catch-all exception handler: apologise in speech, log the error, keep the session."""

from __future__ import annotations

import logging

from ask_sdk_core.dispatch_components import AbstractExceptionHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response
from ask_sdk_model.interfaces.alexa.presentation.apl import RenderDocumentDirective

from skill.alexa.screen import Presenter
from skill.alexa.session_attributes import write_session_as_read
from skill.core.speech import Speech
from skill.core.turn_screens import caption_screen
from skill.core.turns import Coach
from skill.voice.ssml import to_ssml

log = logging.getLogger(__name__)


class CatchAllExceptionHandler(AbstractExceptionHandler):
    def __init__(self, coach: Coach) -> None:
        self.coach = coach

    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        return True

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        request = handler_input.request_envelope.request
        log.error(
            "handler failed: %s: %s (request type %s)",
            type(exception).__name__,
            exception,
            getattr(request, "object_type", "?"),
            exc_info=exception,
        )
        write_session_as_read(handler_input)
        p = self.coach.p
        builder = handler_input.response_builder
        if getattr(request, "object_type", "") == "SessionEndedRequest":
            return builder.response  # Alexa allows no speech here
        said = Speech().say(p.get("errors.generic"))
        builder.speak(to_ssml(said))
        shown = self._screen(handler_input, said)
        if shown is not None:
            builder.add_directive(shown)
        if handler_input.request_envelope.session is not None:
            builder.ask(to_ssml(Speech().say(p.get("errors.generic_reprompt")), reprompt=True))
        return builder.response

    def _screen(self, handler_input: HandlerInput, said: Speech) -> RenderDocumentDirective | None:
        """The apology as text: a screen still counting down a hold would otherwise go on
        under it. The catch-all must answer whatever failed, so a failure here sends none."""
        try:
            screen = caption_screen(self.coach.content, said, None)
            return Presenter().screen_directive(handler_input, screen)
        except Exception:
            log.exception("no screen for the apology")
            return None
