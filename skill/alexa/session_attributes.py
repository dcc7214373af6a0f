"""Alexa's session attributes <-> SessionState (skill/core/session_state.py).

Read once per request, before any handler (SessionStateReader): the attributes are parsed and
cleaned into a SessionState. After the handler, what that state writes replaces them
(SessionStateWriter); after a failure, the catch-all handler writes the state as it was read,
so no request echoes back anything the client made up. Handlers change the state through
Conversation (handlers/base.py); it is written back once, after the handler (SessionStateWriter).
Requests without a session (SessionEnded on some devices, skill events) get a throwaway state.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import msgspec
from ask_sdk_core.handler_input import HandlerInput

from skill.core.content import Content
from skill.core.session_state import SessionState, known_part
from skill.voice.apla import JsonReady

SESSION_STATE = "session_state"  # request attribute: this request's SessionBox
# What we write is under 1 KB; bigger states (forged ones) are parsed, not remembered.
MAX_REMEMBERED_BYTES = 4096
_key = msgspec.msgpack.Encoder()
_value = msgspec.msgpack.Decoder()


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
        box = SessionBox(parse_state(attrs, content), in_session=True)
    request[SESSION_STATE] = box
    return box


def parse_state(attrs: Any, content: Content) -> SessionState:
    """`SessionState.from_dict(attrs, content)`, remembered by value. A conversation's state
    comes back on every request and many people are at the same point of a routine, so equal
    states are parsed once. Only the keys a state has are read (`known_part`, which refuses
    a state over STATE_BOUNDS in bounded time, before anything walks it): junk beside them is
    never looked at, and cannot change the key. The key is that part as MessagePack: lossless
    for JSON values (1, 1.0, True and NaN stay apart), so equal keys mean equal input. On the
    benchmark's mix this saves about 10 µs a request (docs/caches.md)."""
    known = known_part(attrs)
    if known is None:
        return SessionState()
    try:
        key = _key.encode(known)
    except Exception:  # not expected within the bounds: parse it as it is
        return SessionState.from_known(known, content)
    if len(key) > MAX_REMEMBERED_BYTES:
        return SessionState.from_known(known, content)
    return _parser(content)(key)


def _parser(content: Content) -> Callable[[bytes], SessionState]:
    """One bounded cache per content (kept with the content's other derived values)."""
    parse = content.derived.get("session_state_parser")
    if parse is None:

        def from_key(key: bytes) -> SessionState:
            return SessionState.from_known(_value.decode(key), content)

        parse = content.derived.setdefault(
            "session_state_parser", functools.lru_cache(maxsize=1024)(from_key)
        )
    return parse  # type: ignore[no-any-return]


def write_session(handler_input: HandlerInput) -> None:
    """The state as it is now replaces the response's session attributes."""
    box = handler_input.attributes_manager.request_attributes.get(SESSION_STATE)
    if isinstance(box, SessionBox) and box.in_session:
        _write(handler_input, box.state)


def write_session_as_read(handler_input: HandlerInput) -> None:
    """After a failure: the state the request came with, cleaned (nothing a half-done handler
    changed), replaces the attributes; with no state read, nothing the client sent is kept."""
    box = handler_input.attributes_manager.request_attributes.get(SESSION_STATE)
    if isinstance(box, SessionBox):
        if box.in_session:
            _write(handler_input, box.as_read)
    elif handler_input.request_envelope.session is not None:
        handler_input.attributes_manager.session_attributes = {}


def _write(handler_input: HandlerInput, state: SessionState) -> None:
    """The response's session attributes become what `state` writes: plain JSON values all the
    way down, so marked JsonReady and encoded without a walk (skill/alexa/codec.py)."""
    handler_input.attributes_manager.session_attributes = JsonReady(state.to_dict())
