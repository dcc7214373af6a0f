"""The Alexa API client: keep-alive connections with timeouts, no redirects, proxy and CA
settings from the environment like requests (read once per API host)."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator
from typing import ClassVar

import pytest
from ask_sdk_model.services import ApiClientRequest
from ask_sdk_model.services.service_exception import ServiceException

from skill.alexa.api_client import SettingsCache, TimeoutApiClient


class Api(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    connections = 0
    gets: ClassVar[list[str]] = []

    def setup(self) -> None:
        super().setup()
        type(self).connections += 1

    def do_GET(self) -> None:
        self.gets.append(self.path)
        if self.path == "/slow":
            time.sleep(1.5)
        if self.path == "/moved":
            self.send_response(302)
            self.send_header("Location", "http://127.0.0.1:9/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = '"Europe/Zürich"'.encode("latin-1")
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=ISO-8859-1")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


class QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # the client hangs up on /slow on purpose


@pytest.fixture
def api_server() -> Iterator[tuple[str, type[Api]]]:
    handler = type("Handler", (Api,), {"connections": 0, "gets": []})
    server = QuietServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def api(api_server: tuple[str, type[Api]]) -> str:
    return api_server[0]


def get(client: TimeoutApiClient, url: str) -> object:
    return client.invoke(
        ApiClientRequest(url=url, method="GET", headers=[("Authorization", "Bearer t")])
    )


def test_answers_are_decoded_by_their_charset_over_one_kept_alive_connection(
    api_server: tuple[str, type[Api]],
) -> None:
    url, handler = api_server
    client = TimeoutApiClient()
    for _ in range(3):
        response = get(client, f"{url}/v2/devices/d/settings/System.timeZone")
        assert response.status_code == 200
        assert response.body == '"Europe/Zürich"'
    assert handler.connections == 1


def test_redirects_are_not_followed(api: str) -> None:
    response = get(TimeoutApiClient(), f"{api}/moved")
    assert response.status_code == 302  # the SDK then raises ServiceException: UTC it is


def test_slow_or_missing_api_is_a_service_exception_within_the_timeout(api: str) -> None:
    client = TimeoutApiClient(connect_timeout_s=0.5, read_timeout_s=0.3)
    started = time.monotonic()
    with pytest.raises(ServiceException, match="unreachable"):
        get(client, f"{api}/slow")
    assert time.monotonic() - started < 1.2
    with pytest.raises(ServiceException, match="unreachable"):
        get(client, "http://127.0.0.1:9/nothing-listens-here")
    with pytest.raises(ServiceException, match="HTTPS"):
        get(client, "http://api.example.com/v2/x")


def test_environment_proxies_apply_and_are_read_once_per_host(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.1")
    client = TimeoutApiClient()
    url = "https://api.amazonalexa.com/v2/devices/d/settings/System.timeZone"
    settings = client._environment("https", "api.amazonalexa.com", url)
    assert settings["proxies"]["https"] == "http://proxy.example:3128"
    monkeypatch.setenv("HTTPS_PROXY", "http://other.example:3128")
    assert client._environment("https", "api.amazonalexa.com", url) is settings
    local = client._environment("http", "127.0.0.1:8", "http://127.0.0.1:8/v2/x")
    assert not local["proxies"]  # NO_PROXY honoured
    proxied_calls, environment_reader = client._requests()
    assert (proxied_calls.trust_env, environment_reader.trust_env) == (False, True)


def test_a_proxied_host_goes_through_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")  # nothing listens there
    client = TimeoutApiClient(connect_timeout_s=0.3, read_timeout_s=0.3)
    used: list[str] = []
    original = client._via_requests

    def spy(*args: object, **kwargs: object) -> object:
        used.append("requests")
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(client, "_via_requests", spy)
    with pytest.raises(ServiceException, match="unreachable"):
        get(client, "https://api.amazonalexa.com/v2/x")
    assert used == ["requests"]


def test_settings_are_kept_for_their_ttl(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [1000.0]
    monkeypatch.setattr("skill.alexa.api_client.time.monotonic", lambda: clock[0])
    cache: SettingsCache[str, str] = SettingsCache(ttl_s=3600, max_entries=10)
    cache.put("dev-A", "Europe/Zurich")
    assert (cache.get("dev-A"), cache.get("dev-B")) == ("Europe/Zurich", None)
    clock[0] += 3599.0
    assert cache.get("dev-A") == "Europe/Zurich"
    clock[0] += 2.0
    assert cache.get("dev-A") is None


def test_the_cache_is_bounded_and_can_be_turned_off() -> None:
    cache: SettingsCache[str, str] = SettingsCache(ttl_s=3600, max_entries=2)
    for device in ("dev-A", "dev-B"):
        cache.put(device, device.lower())
    cache.get("dev-A")  # dev-B is now the least recently used
    cache.put("dev-C", "dev-c")
    assert [cache.get(d) for d in ("dev-A", "dev-B", "dev-C")] == ["dev-a", None, "dev-c"]
    off: SettingsCache[str, str] = SettingsCache(ttl_s=0, max_entries=2)
    off.put("dev-A", "dev-a")
    assert off.get("dev-A") is None


def test_api_answers_are_never_kept_by_the_http_layer(api_server: tuple[str, type[Api]]) -> None:
    url, handler = api_server
    client = TimeoutApiClient()
    zone = f"{url}/v2/devices/dev-A/settings/System.timeZone"
    for _ in range(2):
        assert get(client, zone).body == '"Europe/Zürich"'
    assert len(handler.gets) == 2  # the time zone is kept by value, by skill.alexa.time_zone
