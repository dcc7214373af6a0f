"""Cross-cutting work around every handler: the session state in and out, the profile saved."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import (
    AbstractRequestInterceptor,
    AbstractResponseInterceptor,
)
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from skill.alexa.memory import save_profile
from skill.alexa.session_attributes import read_session, write_session
from skill.core.turns import Coach
from skill.store.progress_store import ProgressStore


class SaveProfileInterceptor(AbstractResponseInterceptor):
    """Writes the person's changed profile fields once, after the handler is done."""

    def __init__(self, store: ProgressStore | None = None) -> None:
        self.store = store

    def process(self, handler_input: HandlerInput, response: Response) -> None:
        save_profile(handler_input, self.store)


class SessionStateReader(AbstractRequestInterceptor):
    """Before any handler: the session attributes become one clean SessionState. What the
    client sent is never echoed: the writer (or, after a failure, the catch-all handler)
    replaces it, so a garbled or forged request (e.g. in --dev) cannot make us send arbitrary
    data back (a response over Alexa's size limit) or say it."""

    def __init__(self, coach: Coach) -> None:
        self.content = coach.content

    def process(self, handler_input: HandlerInput) -> None:
        read_session(handler_input, self.content)


class SessionStateWriter(AbstractResponseInterceptor):
    """After the handler: the conversation's state goes back into the session attributes."""

    def process(self, handler_input: HandlerInput, response: Response) -> None:
        write_session(handler_input)
