"""Step 2's cache: one download per certificate URL, bounded, refreshed, validated once per
window."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from skill.alexa.verification import (
    RequestVerifier,
)
from skill.alexa.verification import cert_chain as cert_chain_module
from tests.certs import NOW, CertChain, make_chain
from tests.verification.support import (
    CERT_URL,
    FakeClock,
    FakeFetcher,
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
# cache


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
    env = envelope()
    headers, body = signed(env, chain)
    verifier.verify(headers, body, env)
    clock.advance(hours=25)
    env = envelope(now=clock.now)
    headers, body = signed(env, chain)
    verifier.verify(headers, body, env)
    assert len(fetcher.calls) == 2


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
