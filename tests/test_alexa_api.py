"""The Alexa API client reads proxy and CA settings from the environment like requests does,
but once per API host rather than on every call."""

from __future__ import annotations

import pytest

from skill.alexa_api import TimeoutApiClient


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
    assert client.session.trust_env is False
