"""JSON on the request path (the body in, the answer out), with msgspec.

msgspec parses and writes the same values several times faster than the standard library,
which matters on every request. It is stricter, though: it refuses NaN and Infinity, lone
surrogates, numbers too large for a float and UTF-16 bodies. Where it refuses, the standard
library does the work as before, so what the skill accepts and rejects does not change, and
answers carry the same values: only the bytes differ (no spaces, UTF-8 instead of \\u escapes).
"""

from __future__ import annotations

import json
from typing import Any

import msgspec

__all__ = ["dumps", "loads", "loads_request"]

_decoder = msgspec.json.Decoder()
_encoder = msgspec.json.Encoder()


def loads(data: bytes | str) -> Any:
    """`json.loads(data)`: the same value, or the same exception."""
    try:
        return _decoder.decode(data)
    except msgspec.DecodeError:
        return json.loads(data)


def loads_request(data: bytes | str) -> Any:
    """`loads(data)`, refusing one more thing: a string holding a lone surrogate (`"\\udfff"`),
    which raises a ValueError (UnicodeEncodeError). Such a string is no text: it cannot be
    written as UTF-8, so it fails wherever it goes next (the database, a log line, speech).
    I-JSON (RFC 7493, section 2.1), which Alexa's requests are, forbids it. Only the standard
    library lets one through, so only its (rare) bodies are checked."""
    try:
        return _decoder.decode(data)
    except msgspec.DecodeError:
        value = json.loads(data)
    json.dumps(value, ensure_ascii=False, check_circular=False).encode()
    return value


def dumps(value: Any) -> bytes:
    """`value` as UTF-8 JSON. What msgspec will not write (a lone surrogate, a type it does
    not know) goes through `json.dumps`, which writes it or raises as before. One difference:
    a NaN or infinite float is written as null, which is JSON, where `json.dumps` would write
    `NaN`, which is not."""
    try:
        return _encoder.encode(value)
    except (msgspec.EncodeError, TypeError, ValueError):
        return json.dumps(value).encode()
