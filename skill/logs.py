"""Structured logs: one JSON object per line, and user ids that are never logged in full."""

from __future__ import annotations

import hmac
import json
import logging
import secrets
import sys
import time
from typing import Any

import msgspec

# The key of the user tags: random, made once per server run and never written anywhere. `serve`
# builds the app in gunicorn's master before the workers fork, so every worker has this same
# key and a person's lines carry the same tag across workers for the whole run. An unsalted
# hash would let anyone holding the database (which keeps user ids as Alexa sends them) tag
# every stored id and find that person's log lines (issue 17); with the key gone when the
# process ends, tags link lines within a run and nothing else.
_TAG_KEY = secrets.token_bytes(32)


def short_user_id(user_id: str | None) -> str | None:
    """A tag for a user id, the same for the whole server run, for correlating log lines:
    HMAC-SHA256 under this run's random key, so it cannot be computed from a user id without
    the key. Any str is taken, even one with a lone surrogate (JSON can escape one)."""
    if not user_id:
        return None
    data = user_id.encode("utf-8", "surrogatepass")
    return "u-" + hmac.digest(_TAG_KEY, data, "sha256")[:5].hex()


def printable(value: Any, limit: int) -> str | None:
    """`value` fit for a log field or an error reason, when it came from a client: None unless
    a str, its unprintable characters (controls, lone surrogates, line breaks) dropped, and cut
    to `limit` characters with an ellipsis, so a request decides the content of a line but never
    its size."""
    if not isinstance(value, str):
        return None
    cut = len(value) > 4 * limit  # what is cut off need not be cleaned first
    if cut:
        value = value[: 4 * limit]
    if not value.isprintable():  # lone surrogates are not printable either (category Cs)
        value = "".join(ch for ch in value if ch.isprintable())
    return value if len(value) <= limit and not cut else value[: limit - 1] + "\u2026"


# One line per request: msgspec writes it several times faster than json.dumps. Values JSON has
# no type for are written as msgspec knows them (dates as ISO 8601, sets as lists, bytes as
# base64) or else as their str(); a string msgspec refuses (a lone surrogate) goes through
# json.dumps.
_LINE = msgspec.json.Encoder(enc_hook=str)


def json_line(entry: dict[str, Any]) -> str:
    try:
        return _LINE.encode(entry).decode()
    except (msgspec.EncodeError, TypeError, ValueError):
        return json.dumps(entry, default=str)


# A traceback in a log line is cut to this many characters (its start and, mostly, its end:
# the innermost frames and the error), each of its lines to the second number. A recursion
# error's traceback can be thousands of lines, an error's message can quote a client's input.
MAX_TRACEBACK_CHARS = 1500
MAX_TRACEBACK_LINE = 240


def bounded_traceback(text: str) -> str:
    """`text` (a formatted traceback) cut to MAX_TRACEBACK_CHARS, saying what was cut."""
    lines = [
        line if len(line) <= MAX_TRACEBACK_LINE else f"{line[:MAX_TRACEBACK_LINE]}\u2026"
        for line in text.splitlines()
    ]
    text = "\n".join(lines)
    if len(text) <= MAX_TRACEBACK_CHARS:
        return text
    head = MAX_TRACEBACK_CHARS // 4
    tail = MAX_TRACEBACK_CHARS - head
    return f"{text[:head]}\n\u2026 {len(text) - head - tail} characters cut \u2026\n{text[-tail:]}"


class JsonFormatter(logging.Formatter):
    """`{"ts", "level", "logger", "msg", ...fields}`; fields come from `extra={"fields": {...}}`.
    Tracebacks are bounded (bounded_traceback)."""

    def formatException(self, ei: Any) -> str:
        return bounded_traceback(super().formatException(ei))

    def format(self, record: logging.LogRecord) -> str:
        second = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(int(record.created)))
        entry: dict[str, Any] = {
            "ts": f"{second}.{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update(fields)
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json_line(entry)


def configure_logging(level: str = "INFO") -> None:
    """Route every logger (ours, gunicorn's error log) to JSON lines on stderr."""
    # Our lines never show the thread, the process or the calling source line: skip finding
    # them for every record, as the logging HOWTO's "Optimization" section describes.
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    logging._srcfile = None
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
