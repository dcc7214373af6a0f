"""Steps 3-5 on the request itself: its headers, its signature header, its timestamp and its
application id. Pure checks of what came in; no certificates, no network."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any, Protocol

from werkzeug.datastructures import EnvironHeaders

from skill.alexa.verification.errors import VerificationError

_MAX_SIGNATURE_HEADER_LENGTH = 2048


class HeaderSource(Protocol):
    """Anything with ``items()`` of (name, value): a dict, or Werkzeug's request headers.

    Werkzeug's ``EnvironHeaders`` is not a ``collections.abc.Mapping``, so a Mapping check would
    reject every real request; its ``items()`` also yields repeated headers, which we want.
    """

    def items(self) -> Iterable[tuple[str, str]]: ...


def get_header(headers: HeaderSource, name: str) -> str | None:
    """Case-insensitive lookup that works for dicts, Werkzeug headers and multi-valued maps."""
    if isinstance(headers, EnvironHeaders):
        # A WSGI environ holds one key per header name (the server joins repeats), so a direct
        # lookup finds what the scan below would find, without walking every header.
        return headers.get(name)
    wanted = name.lower()
    found: str | None = None
    for key, value in headers.items():
        if isinstance(key, str) and key.lower() == wanted:
            if found is not None and found != value:
                raise VerificationError(f"conflicting {name} headers")
            found = value
    return found


def decode_signature(headers: HeaderSource) -> bytes:
    """The ``Signature-256`` header's bytes (the obsolete SHA-1 ``Signature`` is refused)."""
    value = get_header(headers, "Signature-256")
    if value is None:
        if get_header(headers, "Signature") is not None:
            raise VerificationError(
                "only the obsolete Signature (SHA-1) header was sent; Signature-256 required"
            )
        raise VerificationError("missing Signature-256 header")
    value = value.strip()
    if not value:
        raise VerificationError("empty Signature-256 header")
    if len(value) > _MAX_SIGNATURE_HEADER_LENGTH:
        raise VerificationError("Signature-256 header too long")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise VerificationError("Signature-256 header is not valid base64") from exc


def dig(envelope: Mapping[str, Any], *path: str) -> Any:
    node: Any = envelope
    for key in path:
        if type(node) is not dict and not isinstance(node, Mapping):  # parsed JSON: a dict
            return None
        node = node.get(key)
    return node


def check_timestamp(
    envelope: Mapping[str, Any],
    now: datetime,
    max_skew: timedelta,
    skill_event_max_age: timedelta,
) -> None:
    """``request.timestamp`` within `max_skew` of `now` (skill events: up to their own age)."""
    raw = dig(envelope, "request", "timestamp")
    if not isinstance(raw, str) or not raw:
        raise VerificationError("missing request.timestamp")
    try:
        stamp = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise VerificationError("request.timestamp is not ISO 8601") from exc
    if stamp.tzinfo is None:
        raise VerificationError("request.timestamp has no time zone")
    age = now - stamp
    request_type = dig(envelope, "request", "type")
    is_skill_event = isinstance(request_type, str) and request_type.startswith("AlexaSkillEvent.")
    max_age = skill_event_max_age if is_skill_event else max_skew
    if age > max_age:
        raise VerificationError("request.timestamp too old")
    if -age > max_skew:
        raise VerificationError("request.timestamp is in the future")


def check_application_id(envelope: Mapping[str, Any], skill_id: str | None) -> None:
    """The envelope's application id is `skill_id` (any id when no skill id is configured)."""
    if skill_id is None:
        return
    app_id = dig(envelope, "context", "System", "application", "applicationId")
    if app_id is None:
        app_id = dig(envelope, "session", "application", "applicationId")
    if not isinstance(app_id, str) or not app_id:
        raise VerificationError("missing application id")
    if app_id != skill_id:
        raise VerificationError("application id does not match this skill")
