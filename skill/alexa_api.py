"""A bounded HTTP client for Alexa's service APIs (Settings API for the time zone).

The SDK's DefaultApiClient has no timeout: a slow API would hold the answer past Alexa's 8 s.
Ours gives up after a short timeout, and allows plain HTTP only on loopback addresses so tests
and the local simulator can stand in for `context.System.apiEndpoint`.
"""

from __future__ import annotations

import ipaddress
import json
import logging
from typing import Any
from urllib.parse import urlsplit

import requests
from ask_sdk_model.services import ApiClient, ApiClientRequest, ApiClientResponse
from ask_sdk_model.services.service_exception import ServiceException

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 0.5
READ_TIMEOUT_S = 1.0


def _loopback(host: str | None) -> bool:
    if host == "localhost":
        return True
    try:
        return host is not None and ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class TimeoutApiClient(ApiClient):
    """`ApiClient` on a shared requests.Session, with connect and read timeouts."""

    def __init__(
        self, connect_timeout_s: float = CONNECT_TIMEOUT_S, read_timeout_s: float = READ_TIMEOUT_S
    ) -> None:
        self.timeout = (connect_timeout_s, read_timeout_s)
        self.session = requests.Session()
        # requests re-reads the environment (proxies, CA bundle, netrc) on every call, a
        # quarter of a call's CPU; we read it once per API host instead (_environment).
        self.session.trust_env = False
        self._env_reader = requests.Session()
        self._env_settings: dict[tuple[str, str], dict[str, Any]] = {}

    def _environment(self, scheme: str, netloc: str, url: str) -> dict[str, Any]:
        """Proxy and CA bundle settings from the environment, as requests would apply them."""
        settings = self._env_settings.get((scheme, netloc))
        if settings is None:
            settings = self._env_reader.merge_environment_settings(url, {}, None, None, None)
            settings.pop("stream", None)
            self._env_settings[(scheme, netloc)] = settings
        return settings

    def invoke(self, request: ApiClientRequest) -> ApiClientResponse:
        url = urlsplit(request.url or "")
        if url.scheme != "https" and not (url.scheme == "http" and _loopback(url.hostname)):
            raise ServiceException("Alexa API calls must use HTTPS", 0, None, None)
        headers: dict[str, str] = {}
        for key, value in request.headers or []:
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        body = request.body
        if body is not None and not isinstance(body, str | bytes):
            body = json.dumps(body)
        try:
            response = self.session.request(
                request.method or "GET",
                request.url,
                headers=headers,
                data=body,
                timeout=self.timeout,
                **self._environment(url.scheme, url.netloc, request.url or ""),
            )
        except requests.RequestException as exc:
            raise ServiceException(
                f"Alexa API unreachable: {type(exc).__name__}", 0, None, None
            ) from None
        return ApiClientResponse(
            headers=list(response.headers.items()),
            status_code=response.status_code,
            body=response.text,
        )
