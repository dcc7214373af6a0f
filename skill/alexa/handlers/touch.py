"""Touches on the screen: the Pause, Next and Stop buttons reach the skill as an
`Alexa.Presentation.APL.UserEvent` request whose `arguments[0]` names the button (the
document's SendEvent, skill/screen/directive.py). Each button does exactly what saying it
does: the request goes to the very handler of the spoken intent. Anything else (no
arguments, a button we do not know, a screen that is not ours) gets a short spoken answer
that leads back to where the person is, never an error.
"""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_request_type
from ask_sdk_model import Response

from skill.alexa.handlers.base import CoachHandler
from skill.alexa.handlers.routine import NextIntentHandler, PauseIntentHandler
from skill.alexa.handlers.session import StopIntentHandler
from skill.alexa.screen import Presenter
from skill.core.turns import Coach
from skill.screen.directive import TOKEN, USER_EVENT
from skill.store.progress_store import ProgressStore
from skill.voice.render import SpeechRenderer

# Each button, and the handler of the spoken intent it stands for.
BUTTON_HANDLERS: dict[str, type[CoachHandler]] = {
    "pause": PauseIntentHandler,
    "next": NextIntentHandler,
    "stop": StopIntentHandler,
}


class TouchHandler(CoachHandler):
    """A button pressed on the screen: handled as the spoken intent it stands for."""

    def __init__(
        self,
        coach: Coach,
        store: ProgressStore | None = None,
        renderer: SpeechRenderer | None = None,
        presenter: Presenter | None = None,
    ) -> None:
        super().__init__(coach, store, renderer, presenter)
        self.buttons: dict[str, AbstractRequestHandler] = {
            action: handler(coach, store, renderer, presenter)
            for action, handler in BUTTON_HANDLERS.items()
        }

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type(USER_EVENT)(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        request = handler_input.request_envelope.request
        arguments = getattr(request, "arguments", None) or []
        action = arguments[0] if arguments else None
        ours = getattr(request, "token", None) == TOKEN
        button = self.buttons.get(action) if ours and isinstance(action, str) else None
        if button is not None:
            return button.handle(handler_input)
        conv = self.conversation(handler_input)
        key = "touch.unknown" if ours else "touch.stale"
        return conv.reply(self.coach.follow_up_turn(key, conv.routine))
