"""A resolver that never answers costs doctor a bounded wait (DNS_TIMEOUT_S per host), not a
hang: the socket timeouts do not cover getaddrinfo, so doctor resolves with its own deadline."""

from __future__ import annotations

import time

import pytest

from skill.doctor import network
from tests.doctor.conftest import Doctor, Install, advice, line
from tests.doctor.resolver import DEAD, stub_resolver
from tests.doctor.servers import FakeNtp

HOST = "coach" + DEAD


def test_a_dead_resolver_fails_by_the_deadline(
    install: Install, doctor: Doctor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(network, "DNS_TIMEOUT_S", 0.5)
    with stub_resolver(monkeypatch) as asked:
        started = time.monotonic()
        status, out = doctor("--url", f"https://{HOST}/alexa", "--ntp-server", f"time{DEAD}")
        took = time.monotonic() - started
    assert took < 5, out  # two lookups of 0.5 s each, plus the local checks
    assert asked == [f"time{DEAD}", HOST]  # each host looked up once, the endpoint's included
    assert status == 1
    assert line(out, "https").startswith("FAIL ")
    assert f"cannot connect to {HOST}:443: no DNS answer for {HOST} within 0.5 s" in line(
        out, "https"
    )
    assert "DNS record" in advice(out, "https")
    assert line(out, "unsigned request").startswith("skip ")
    assert line(out, "clock (NTP)").startswith("warn ")
    assert line(out, "clock (NTP)").endswith(f"no DNS answer for time{DEAD} within 0.5 s")
    assert "give --ntp-server a time server's IP address" in advice(out, "clock (NTP)")


def test_a_name_that_does_not_exist_says_so(
    install: Install, doctor: Doctor, monkeypatch: pytest.MonkeyPatch
) -> None:
    with stub_resolver(monkeypatch):
        status, out = doctor("--url", "https://coach.invalid/alexa", "--offline")
        assert status == 0  # --offline: not looked up at all
        with FakeNtp() as ntp:
            status, out = doctor(
                "--url", "https://coach.invalid/alexa", "--ntp-server", ntp.address
            )
    assert status == 1
    assert "cannot resolve coach.invalid: [Errno -2] Name or service not known" in line(
        out, "https"
    )
