"""Delivering an envelope to the skill: in this process, or over HTTP to a running server.

In process is the default: no server to start, the same Flask app and handlers as `serve`
(request verification off, as with `serve --dev`). `--url` talks to any running endpoint,
e.g. `hamstring-coach serve --dev`, exactly as Alexa would, minus the signature.
"""

from __future__ import annotations

import json
from typing import Any, Protocol
from urllib.parse import urlsplit

import requests

from skill.config import Config

TIMEOUT_S = 10.0  # Alexa gives a skill 8 s; a little more before calling it a failure


class TransportError(RuntimeError):
    """The skill could not be reached or refused the request; the message says what to do."""


class Transport(Protocol):
    description: str

    def send(self, envelope: dict[str, Any]) -> dict[str, Any]:
        """POST the request envelope; the response envelope, or TransportError."""
        ...


class InProcessTransport:
    """The skill's own Flask app, called through Flask's test client."""

    def __init__(self, config: Config | None = None) -> None:
        from skill.web.app import create_app  # the whole skill: only when really used

        self.config = config or Config.from_env(verify_requests=False)
        self.client = create_app(self.config).test_client()
        self.description = "the skill in this process"

    def send(self, envelope: dict[str, Any]) -> dict[str, Any]:
        result = self.client.post("/alexa", json=envelope)
        return _decode(result.status_code, result.get_data(as_text=True), "/alexa")


class HttpTransport:
    """A skill endpoint over HTTP (`hamstring-coach serve --dev`, or any URL)."""

    def __init__(self, url: str, timeout: float = TIMEOUT_S) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise TransportError(
                f"--url must be an http(s) URL like http://127.0.0.1:8000/alexa, not {url!r}"
            )
        if parts.path in ("", "/"):
            url = url.rstrip("/") + "/alexa"
        self.url = url
        self.timeout = timeout
        self.session = requests.Session()
        self.description = url

    def send(self, envelope: dict[str, Any]) -> dict[str, Any]:
        try:
            result = self.session.post(self.url, json=envelope, timeout=self.timeout)
        except requests.ConnectionError:
            raise TransportError(
                f"cannot connect to {self.url}. Is the skill running? "
                "Start it with `hamstring-coach serve --dev`."
            ) from None
        except requests.Timeout:
            raise TransportError(
                f"{self.url} did not answer within {self.timeout:.0f} s "
                "(Alexa would give up after 8 s)."
            ) from None
        except requests.RequestException as exc:
            raise TransportError(f"request to {self.url} failed: {exc}") from None
        return _decode(result.status_code, result.text, self.url)


def _decode(status: int, text: str, where: str) -> dict[str, Any]:
    """The response envelope, or a TransportError with the server's reason."""
    try:
        body = json.loads(text)
    except ValueError:
        body = None
    if status != 200:
        reason = body.get("error") if isinstance(body, dict) else None
        hint = ""
        if reason and "verification" in reason:
            hint = " The server checks Alexa signatures; run it with `serve --dev` to simulate."
        raise TransportError(f"{where} answered HTTP {status}: {reason or text[:200]!r}.{hint}")
    if not isinstance(body, dict) or not isinstance(body.get("response"), dict):
        raise TransportError(f"{where} did not answer with an Alexa response envelope")
    return body
