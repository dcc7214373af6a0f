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

from skill.alexa_api import TimeoutApiClient


class Api(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    connections = 0
    gets: ClassVar[list[str]] = []

    def setup(self) -> None:
        super().setup()
        type(self).connections += 1

    def do_GET(self) -> None:
        self.gets.append(self.path)
        if self.path.endswith("/BROKEN/settings/System.timeZone"):
            self.send_response(503)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
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


def zone_url(api: str, device: str) -> str:
    return f"{api}/v2/devices/{device}/settings/System.timeZone"


def test_a_devices_time_zone_is_asked_once_per_hour(
    api_server: tuple[str, type[Api]], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, handler = api_server
    clock = [1000.0]
    monkeypatch.setattr("skill.alexa_api.time.monotonic", lambda: clock[0])
    client = TimeoutApiClient()
    first = get(client, zone_url(url, "dev-A"))
    again = get(client, zone_url(url, "dev-A"))
    other = get(client, zone_url(url, "dev-B"))
    assert [path.split("/")[3] for path in handler.gets] == ["dev-A", "dev-B"]
    for answer in (first, again, other):
        assert (answer.status_code, answer.body) == (200, '"Europe/Zürich"')
    again.headers.append(("X-Changed", "by a caller"))  # a copy: the cache is not changed
    assert ("X-Changed", "by a caller") not in get(client, zone_url(url, "dev-A")).headers
    clock[0] += 3599.0
    get(client, zone_url(url, "dev-A"))
    assert len(handler.gets) == 2
    clock[0] += 2.0
    get(client, zone_url(url, "dev-A"))
    assert len(handler.gets) == 3


def test_only_successful_time_zone_answers_are_kept(api_server: tuple[str, type[Api]]) -> None:
    url, handler = api_server
    client = TimeoutApiClient()
    for _ in range(2):
        assert get(client, zone_url(url, "BROKEN")).status_code == 503
        get(client, f"{url}/v2/devices/dev-A/settings/System.distanceUnits")
        get(client, f"{url}/plain")
    assert len(handler.gets) == 6


def test_the_cache_is_bounded_and_can_be_turned_off(api_server: tuple[str, type[Api]]) -> None:
    url, handler = api_server
    client = TimeoutApiClient()
    client.settings_cache.max_entries = 2
    for device in ("dev-A", "dev-B", "dev-A", "dev-C", "dev-A", "dev-B"):
        get(client, zone_url(url, device))
    # dev-B was the least recently used when dev-C came in; dev-A stayed.
    assert [path.split("/")[3] for path in handler.gets] == ["dev-A", "dev-B", "dev-C", "dev-B"]
    off = TimeoutApiClient(settings_cache_ttl_s=0)
    handler.gets.clear()
    for _ in range(3):
        get(off, zone_url(url, "dev-A"))
    assert len(handler.gets) == 3
