"""Fixtures of the request verification tests: the test PKI's chain, a clock, a fetcher
serving the chain, and a verifier built from them."""

from __future__ import annotations

import pytest

from skill.alexa.verification import RequestVerifier
from tests.certs import CertChain, make_chain
from tests.verification.support import FakeClock, FakeFetcher, make_verifier


@pytest.fixture(scope="module")
def chain() -> CertChain:
    return make_chain()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def fetcher(chain: CertChain) -> FakeFetcher:
    return FakeFetcher(default=chain.pem_chain)


@pytest.fixture
def verifier(fetcher: FakeFetcher, clock: FakeClock) -> RequestVerifier:
    return make_verifier(fetcher, clock)
