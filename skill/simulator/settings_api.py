"""A stand-in for Alexa's Settings API on loopback, so the skill learns the local time zone.

The skill asks `{apiEndpoint}/v2/devices/{deviceId}/settings/System.timeZone` for the day
boundaries of streaks. A simulator must not send that to Amazon, and without an answer every
day would be a UTC day; this serves this machine's zone on 127.0.0.1 (the skill's API client
allows plain HTTP only on loopback).

The same server answers `/v1/alerts/reminders*` with the Reminders API stand-in
(skill.simulator.reminders_api): a request carries one apiEndpoint for every Alexa API.
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

from skill.simulator.reminders_api import PATH as REMINDERS_PATH
from skill.simulator.reminders_api import RemindersApi

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
    reminders: ClassVar[RemindersApi]
    protocol_version = "HTTP/1.1"  # keep-alive, as Alexa's API (the skill's client pools)
    disable_nagle_algorithm = True  # headers and body go out at once, no delayed-ACK stall

    def do_GET(self) -> None:
        if self._reminders():
            return
        m = _SETTING.match(self.path.split("?", 1)[0])
        value = self.settings.get(m.group("name")) if m else None
        found = value is not None
        self._send(200 if found else 404, value if found else {"message": "not simulated"})

    def do_POST(self) -> None:
        if not self._reminders():
            self._send(404, {"message": "not simulated"})

    do_PUT = do_POST
    do_DELETE = do_POST

    def _reminders(self) -> bool:
        """Answer a Reminders API call (the body read whole: the connection is kept alive)."""
        path = self.path.split("?", 1)[0]
        if path != REMINDERS_PATH and not path.startswith(REMINDERS_PATH + "/"):
            return False
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        status, body = self.reminders.handle(self.command, self.path, dict(self.headers), raw)
        with contextlib.suppress(OSError):  # the skill gave up waiting (a simulated time-out)
            self._send(status, body)
        return True

    def _send(self, status: int, value: object | None) -> None:
        body = json.dumps(value).encode() if value is not None else b""
        self.send_response(status)
        if body:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the chat is the interface, not an access log."""


class SettingsApi:
    """Serves device settings and reminders on a free loopback port until closed.

    A context manager; `reminders` is the Reminders API stand-in's state (modes, requests).
    """

    def __init__(self, time_zone: str | None = None, reminders: RemindersApi | None = None) -> None:
        self.reminders = reminders or RemindersApi()
        handler = type("SettingsHandler", (_Handler,), {"reminders": self.reminders})
        handler.settings = {
            "System.timeZone": time_zone or local_time_zone(),
            "System.distanceUnits": "IMPERIAL",
            "System.temperatureUnit": "FAHRENHEIT",
        }
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True  # kept-alive connections never block close()
        # A short poll: close() waits for the serving loop to notice, once per poll.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
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
