"""A stand-in for Alexa's Settings API on loopback, so the skill learns the local time zone.

The skill asks `{apiEndpoint}/v2/devices/{deviceId}/settings/System.timeZone` for the day
boundaries of streaks. A simulator must not send that to Amazon, and without an answer every
day would be a UTC day; this serves this machine's zone on 127.0.0.1 (the skill's API client
allows plain HTTP only on loopback).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_SETTING = re.compile(r"^/v2/devices/[^/]+/settings/(?P<name>[\w.]+)$")


def local_time_zone() -> str:
    """This machine's IANA zone name (TZ, /etc/timezone, /etc/localtime), else "UTC"."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    with contextlib.suppress(OSError):
        candidates.append(Path("/etc/timezone").read_text(encoding="utf-8").strip())
    try:
        target = str(Path("/etc/localtime").resolve())
        candidates.append(target.split("zoneinfo/", 1)[1] if "zoneinfo/" in target else "")
    except OSError:
        pass
    for name in candidates:
        if name:
            try:
                ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
            return name
    return "UTC"


class _Handler(BaseHTTPRequestHandler):
    settings: ClassVar[dict[str, object]] = {}
    protocol_version = "HTTP/1.1"  # keep-alive, as Alexa's API (the skill's client pools)
    disable_nagle_algorithm = True  # headers and body go out at once, no delayed-ACK stall

    def do_GET(self) -> None:
        m = _SETTING.match(self.path.split("?", 1)[0])
        value = self.settings.get(m.group("name")) if m else None
        body = json.dumps(value if value is not None else {"message": "not simulated"}).encode()
        self.send_response(200 if value is not None else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the chat is the interface, not an access log."""


class SettingsApi:
    """Serves device settings on a free loopback port until closed (a context manager)."""

    def __init__(self, time_zone: str | None = None) -> None:
        handler = type("SettingsHandler", (_Handler,), {})
        handler.settings = {
            "System.timeZone": time_zone or local_time_zone(),
            "System.distanceUnits": "IMPERIAL",
            "System.temperatureUnit": "FAHRENHEIT",
        }
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True  # kept-alive connections never block close()
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> SettingsApi:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
