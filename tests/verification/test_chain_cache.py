"""Step 2's cache: one download per certificate URL, shared by concurrent requests, waited for
a bounded time, a failure remembered briefly, bounded in size, refreshed, and a chain validated
once per window."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta
from typing import Any

import pytest
import requests

from skill.alexa.verification import RequestVerifier
from skill.alexa.verification import cert_chain as cert_chain_module
from skill.alexa.verification import cert_download as cert_download_module
from tests.certs import NOW, CertChain, make_chain
from tests.verification.support import (
    CERT_URL,
    FakeClock,
    FakeFetcher,
    assert_rejected,
    envelope,
    make_verifier,
    signed,
)


def test_equivalent_url_spellings_share_one_download(
    verifier: RequestVerifier, chain: CertChain, fetcher: FakeFetcher
) -> None:
    env = envelope()
    for url in (
        CERT_URL,
        CERT_URL.replace(".com/", ".com:443/"),
        CERT_URL.upper()[:24] + CERT_URL[24:],
    ):
        headers, body = signed(env, chain, url=url)
        verifier.verify(headers, body, env)
    assert fetcher.calls == [CERT_URL]


# --------------------------------------------------------------------------------------------
# one download per URL, bounded, refreshed


def test_same_url_fetched_once(
    verifier: RequestVerifier, chain: CertChain, fetcher: FakeFetcher
) -> None:
    env = envelope()
    headers, body = signed(env, chain)
    for _ in range(5):
        verifier.verify(headers, body, env)
    assert fetcher.calls == [CERT_URL]


def test_cache_is_bounded_lru(clock: FakeClock, chain: CertChain) -> None:
    fetcher = FakeFetcher(default=chain.pem_chain)
    verifier = make_verifier(fetcher, clock, cache_size=2)
    env = envelope()
    urls = [f"https://s3.amazonaws.com/echo.api/cert-{n}.pem" for n in range(3)]

    def hit(url: str) -> None:
        headers, body = signed(env, chain, url=url)
        verifier.verify(headers, body, env)

    hit(urls[0])
    hit(urls[1])
    hit(urls[0])  # urls[0] is now most recently used
    hit(urls[2])  # evicts urls[1]
    assert len(verifier.chains.entries) == 2
    hit(urls[0])
    assert fetcher.calls == [urls[0], urls[1], urls[2]]
    hit(urls[1])
    assert fetcher.calls == [urls[0], urls[1], urls[2], urls[1]]


def test_expired_cache_entry_refetched(clock: FakeClock) -> None:
    old = make_chain(not_after=NOW + timedelta(hours=1))
    new = make_chain(not_before=NOW, not_after=NOW + timedelta(days=365))
    fetcher = FakeFetcher(default=[old.pem_chain, new.pem_chain])
    verifier = make_verifier(fetcher, clock)
    env = envelope()
    headers, body = signed(env, old)
    verifier.verify(headers, body, env)
    clock.advance(hours=2)
    env = envelope(now=clock.now)
    headers, body = signed(env, new)
    verifier.verify(headers, body, env)
    assert fetcher.calls == [CERT_URL, CERT_URL]


def test_long_lived_entry_refetched_after_max_age(
    verifier: RequestVerifier, chain: CertChain, clock: FakeClock, fetcher: FakeFetcher
) -> None:
    """Due for its refresh, the cached chain still answers at once; the refresh runs behind."""
    env = envelope()
    headers, body = signed(env, chain)
    verifier.verify(headers, body, env)
    clock.advance(hours=25)
    env = envelope(now=clock.now)
    headers, body = signed(env, chain)
    verifier.verify(headers, body, env)
    for _ in range(200):
        if len(fetcher.calls) == 2 and not verifier.chains._inflight:
            break
        time.sleep(0.01)
    assert len(fetcher.calls) == 2
    verifier.verify(headers, body, env)
    assert len(fetcher.calls) == 2  # refreshed: good for another day


def test_chain_validated_once_per_window(
    verifier: RequestVerifier,
    chain: CertChain,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[datetime] = []
    real = cert_chain_module.check_chain_trust

    def spy(store: Any, leaf: Any, intermediates: Any, now: datetime) -> None:
        calls.append(now)
        real(store, leaf, intermediates, now)

    monkeypatch.setattr(cert_chain_module, "check_chain_trust", spy)
    env = envelope()
    headers, body = signed(env, chain)
    for _ in range(3):
        verifier.verify(headers, body, env)
    assert len(calls) == 1
    clock.advance(minutes=61)
    env = envelope(now=clock.now)
    headers, body = signed(env, chain)
    verifier.verify(headers, body, env)
    verifier.verify(headers, body, env)
    assert len(calls) == 2


def test_invalid_cache_size() -> None:
    with pytest.raises(ValueError, match="cache_size"):
        RequestVerifier(skill_id=None, cache_size=0)


# --------------------------------------------------------------------------------------------
# single flight, bounded waiting, failures remembered briefly


def test_failure_cached_only_briefly(clock: FakeClock, chain: CertChain) -> None:
    fetcher = FakeFetcher(default=[requests.ConnectionError("down"), chain.pem_chain])
    verifier = make_verifier(fetcher, clock)
    env = envelope()
    headers, body = signed(env, chain)
    assert_rejected(verifier, headers, body, env, "download failed")
    assert_rejected(verifier, headers, body, env, "download failed")  # remembered, no refetch
    assert len(fetcher.calls) == 1
    clock.advance(seconds=6)
    env = envelope(now=clock.now)
    headers, body = signed(env, chain)
    verifier.verify(headers, body, env)
    assert len(fetcher.calls) == 2


def test_hanging_fetcher_times_out(
    clock: FakeClock, chain: CertChain, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever the fetcher does, verify() stops waiting after FETCH_TIMEOUT_SECONDS."""
    monkeypatch.setattr(cert_download_module, "FETCH_TIMEOUT_SECONDS", 0.2)
    release = threading.Event()

    def hang(url: str) -> bytes:
        release.wait(5)
        return chain.pem_chain

    verifier = make_verifier(hang, clock)
    env = envelope()
    headers, body = signed(env, chain)
    started = time.monotonic()
    assert_rejected(verifier, headers, body, env, "timed out")
    assert time.monotonic() - started < 1.0
    release.set()


def test_concurrent_requests_share_one_download(clock: FakeClock, chain: CertChain) -> None:
    calls: list[str] = []

    def slow(url: str) -> bytes:
        calls.append(url)
        time.sleep(0.2)
        return chain.pem_chain

    verifier = make_verifier(slow, clock)
    env = envelope()
    headers, body = signed(env, chain)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            verifier.verify(headers, body, env)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert calls == [CERT_URL]
