"""Structured logs: one JSON object per line, and user ids that are never logged in full."""

from __future__ import annotations

import hashlib
import json
import logging
import sys
import time
from typing import Any

import msgspec


def short_user_id(user_id: str | None) -> str | None:
    """A stable, non-reversible tag for a user id, for correlating log lines."""
    if not user_id:
        return None
    return "u-" + hashlib.sha256(user_id.encode()).hexdigest()[:10]


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


class JsonFormatter(logging.Formatter):
    """`{"ts", "level", "logger", "msg", ...fields}`; fields come from `extra={"fields": {...}}`."""

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
