"""A bounded HTTP client for Alexa's service APIs (Settings API for the time zone).

The SDK's DefaultApiClient has no timeout: a slow API would hold the answer past Alexa's 8 s.
Ours waits at most api_guard.CALL_DEADLINE_S per call, name resolution included, skips an
endpoint that failed recently (api_guard), does not follow redirects (the bearer token stays
with the API host), and allows plain HTTP only on loopback addresses so tests and the local
simulator can stand in for `context.System.apiEndpoint`.
"""

from __future__ import annotations

import codecs
import ipaddress
import json
import logging
import threading
import time
from collections import OrderedDict
from typing import Any, Generic, TypeVar
from urllib.parse import urlsplit

import certifi
import urllib3
from ask_sdk_model.services import ApiClient, ApiClientRequest, ApiClientResponse
from ask_sdk_model.services.service_exception import ServiceException

from skill.alexa.api_guard import ApiUnreachable, DeadlineCalls, EndpointBreaker

log = logging.getLogger(__name__)

K = TypeVar("K")
V = TypeVar("V")

CONNECT_TIMEOUT_S = 0.5
READ_TIMEOUT_S = 1.0
# A device's time zone changes rarely (the owner moves it, or edits it in the Alexa app), and
# every new session asks for it: answers are kept this long per device. Within that hour a
# changed zone can put one session's holds on the previous local day; nothing else depends on it.
SETTINGS_CACHE_TTL_S = 3600.0
SETTINGS_CACHE_MAX_DEVICES = 10_000


def _loopback(host: str | None) -> bool:
    if host == "localhost":
        return True
    try:
        return host is not None and ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class TimeoutApiClient(ApiClient):
    """`ApiClient` with connect and read timeouts, keep-alive connections, no redirects.

    Direct connections go through one urllib3 pool manager (half the CPU of a requests call);
    a host the environment routes through a proxy goes through requests, which owns all the
    proxy rules. Proxy and CA bundle settings are read from the environment once per host,
    exactly as requests reads them.
    """

    def __init__(
        self,
        connect_timeout_s: float = CONNECT_TIMEOUT_S,
        read_timeout_s: float = READ_TIMEOUT_S,
        *,
        settings_cache_ttl_s: float = SETTINGS_CACHE_TTL_S,
        calls: DeadlineCalls | None = None,
    ) -> None:
        self.timeout = (connect_timeout_s, read_timeout_s)
        # The overall deadline, the worker bound and the per-endpoint memory of failures.
        self.calls = calls or DeadlineCalls(breaker=EndpointBreaker())
        # Devices' time zones, by (API endpoint, device id): filled and read by
        # skill.alexa.time_zone, which then skips the SDK's request building and answer parsing.
        self.time_zones: SettingsCache[tuple[str, str], str] = SettingsCache(
            settings_cache_ttl_s, SETTINGS_CACHE_MAX_DEVICES
        )
        self._sessions: tuple[Any, Any] | None = None  # requests, made when first needed
        self._env_settings: dict[tuple[str, str], dict[str, Any]] = {}
        self._pools: dict[str, urllib3.PoolManager] = {}
        self._pool_timeout = urllib3.Timeout(connect=connect_timeout_s, read=read_timeout_s)

    def _requests(self) -> tuple[Any, Any]:
        """(session for proxied calls, session that reads the environment), both from
        requests, imported only when first needed (it costs the app's start-up ~60 ms)."""
        if self._sessions is None:
            import requests

            session = requests.Session()
            session.trust_env = False  # settings come from _environment, read once per host
            self._sessions = (session, requests.Session())
        return self._sessions

    def _environment(self, scheme: str, netloc: str, url: str) -> dict[str, Any]:
        """Proxy and CA bundle settings from the environment, as requests would apply them."""
        settings = self._env_settings.get((scheme, netloc))
        if settings is None:
            reader = self._requests()[1]
            settings = reader.merge_environment_settings(url, {}, None, None, None)
            settings.pop("stream", None)
            self._env_settings[(scheme, netloc)] = settings
        return settings

    def _pool(self, verify: Any) -> urllib3.PoolManager:
        """One pool manager per CA bundle (certifi's unless the environment names one)."""
        ca_bundle = verify if isinstance(verify, str) else certifi.where()
        pool = self._pools.get(ca_bundle)
        if pool is None:
            pool = self._pools[ca_bundle] = urllib3.PoolManager(
                num_pools=8,
                maxsize=8,  # serve runs 4 threads per worker
                cert_reqs="CERT_REQUIRED",
                ca_certs=ca_bundle,
                retries=False,
                timeout=self._pool_timeout,
            )
        return pool

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
        endpoint = f"{url.scheme}://{url.netloc}"
        return self.calls.call(
            endpoint, lambda: self._send(request, url.scheme, url.netloc, headers, body)
        )

    def _send(
        self,
        request: ApiClientRequest,
        scheme: str,
        netloc: str,
        headers: dict[str, str],
        body: str | bytes | None,
    ) -> ApiClientResponse:
        settings = self._environment(scheme, netloc, request.url or "")
        try:
            if settings["proxies"]:
                return self._via_requests(request, headers, body, settings)
            response = self._pool(settings["verify"]).request(
                request.method or "GET",
                request.url or "",
                headers=headers,
                body=body,
                redirect=False,
                preload_content=True,
            )
        except (urllib3.exceptions.HTTPError, OSError) as exc:  # requests' errors are OSErrors
            raise ApiUnreachable(type(exc).__name__) from None
        charset = _charset(response.headers.get("Content-Type", ""))
        return ApiClientResponse(
            headers=list(response.headers.items()),
            status_code=response.status,
            body=response.data.decode(charset, "replace"),
        )

    def _via_requests(
        self,
        request: ApiClientRequest,
        headers: dict[str, str],
        body: str | bytes | None,
        settings: dict[str, Any],
    ) -> ApiClientResponse:
        response = self._requests()[0].request(
            request.method or "GET",
            request.url,
            headers=headers,
            data=body,
            timeout=self.timeout,
            allow_redirects=False,
            **settings,
        )
        return ApiClientResponse(
            headers=list(response.headers.items()),
            status_code=response.status_code,
            body=response.text,
        )


class SettingsCache(Generic[K, V]):
    """Device settings for a while, by key; the least recently used goes first when full.
    Shared by a worker's threads. A TTL of 0 keeps nothing."""

    def __init__(self, ttl_s: float, max_entries: int) -> None:
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self._entries: OrderedDict[K, tuple[float, V]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            if found[0] <= time.monotonic():
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
        return found[1]

    def put(self, key: K, value: V) -> None:
        if self.ttl_s <= 0:
            return
        with self._lock:
            self._entries[key] = (time.monotonic() + self.ttl_s, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)


def _charset(content_type: str) -> str:
    for part in content_type.split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.lower() == "charset" and value:
            charset = value.strip('"').strip()
            try:
                codecs.lookup(charset)
            except LookupError:
                break
            return charset
    return "utf-8"
