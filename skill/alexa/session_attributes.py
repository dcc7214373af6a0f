"""Alexa's session attributes <-> SessionState (skill/core/session_state.py).

Read once per request, before any handler (SessionStateReader): the attributes are parsed and
cleaned into a SessionState. After the handler, what that state writes replaces them
(SessionStateWriter); after a failure, the catch-all handler writes the state as it was read,
so no request echoes back anything the client made up. Handlers change the state through
Conversation (handlers/base.py); it is written back once, after the handler (SessionStateWriter).
Requests without a session (SessionEnded on some devices, skill events) get a throwaway state.
"""

from __future__ import annotations

from typing import Any

from ask_sdk_core.handler_input import HandlerInput

from skill.core.content import Content
from skill.core.session_state import SessionState

SESSION_STATE = "session_state"  # request attribute: this request's SessionBox


class SessionBox:
    """This request's session state; handlers replace `state` (it is immutable). `as_read`
    is the state the request came with, cleaned: what a failed request sends back."""

    def __init__(self, state: SessionState, in_session: bool) -> None:
        self.state = self.as_read = state
        self.in_session = in_session


def read_session(handler_input: HandlerInput, content: Content) -> SessionBox:
    """The request's session state, parsed from the attributes on first use only."""
    request = handler_input.attributes_manager.request_attributes
    box = request.get(SESSION_STATE)
    if isinstance(box, SessionBox):
        return box
    if handler_input.request_envelope.session is None:
        box = SessionBox(SessionState(), in_session=False)
    else:
        attrs = handler_input.attributes_manager.session_attributes
        box = SessionBox(SessionState.from_dict(attrs, content), in_session=True)
    request[SESSION_STATE] = box
    return box


def write_session(handler_input: HandlerInput) -> None:
    """The state as it is now replaces the response's session attributes."""
    box = handler_input.attributes_manager.request_attributes.get(SESSION_STATE)
    if isinstance(box, SessionBox) and box.in_session:
        _write(handler_input.attributes_manager.session_attributes, box.state)


def write_session_as_read(handler_input: HandlerInput) -> None:
    """After a failure: the state the request came with, cleaned (nothing a half-done handler
    changed), replaces the attributes; with no state read, nothing the client sent is kept."""
    box = handler_input.attributes_manager.request_attributes.get(SESSION_STATE)
    attrs = handler_input.attributes_manager.session_attributes
    if isinstance(box, SessionBox):
        if box.in_session:
            _write(attrs, box.as_read)
    elif isinstance(attrs, dict):
        attrs.clear()


def _write(attrs: Any, state: SessionState) -> None:
    if isinstance(attrs, dict):
        attrs.clear()
        attrs.update(state.to_dict())
