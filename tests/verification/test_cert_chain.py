"""Step 2: which certificate chains are trusted, and that a failed download is a
VerificationError."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import requests

from skill.alexa.verification import (
    RequestVerifier,
)
from skill.alexa.verification import cert_chain as cert_chain_module
from tests.certs import NOW, CertChain, make_chain
from tests.verification.support import (
    SKILL_ID,
    FakeClock,
    FakeFetcher,
    assert_rejected,
    envelope,
    make_verifier,
    signed,
)

# --------------------------------------------------------------------------------------------
# step 2: the certificate itself


@pytest.mark.parametrize(
    ("chain_kwargs", "reason"),
    [
        pytest.param(
            {"not_after": NOW - timedelta(seconds=1)}, "certificate expired", id="expired"
        ),
        pytest.param({"not_before": NOW + timedelta(hours=1)}, "not yet valid", id="not-yet-valid"),
        pytest.param({"san": ("example.com",)}, "lacks echo-api.amazon.com", id="wrong-san"),
        pytest.param(
            {"san": ("api.amazon.com", "echo-api.amazon.com.evil.com")},
            "lacks echo-api.amazon.com",
            id="lookalike-san",
        ),
        pytest.param({"san": ()}, "lacks echo-api.amazon.com", id="no-san"),
        pytest.param({"root": "other"}, "not trusted", id="untrusted-root"),
    ],
)
def test_bad_certificate_rejected(
    clock: FakeClock, chain_kwargs: dict[str, Any], reason: str
) -> None:
    bad = make_chain(**chain_kwargs)
    fetcher = FakeFetcher(default=bad.pem_chain)
    verifier = make_verifier(fetcher, clock)
    env = envelope()
    headers, body = signed(env, bad)
    assert_rejected(verifier, headers, body, env, reason)


def test_chain_missing_intermediate_not_trusted(clock: FakeClock, chain: CertChain) -> None:
    leaf_only = chain.pem_chain[: chain.pem_chain.index(b"-----END CERTIFICATE-----") + 26]
    verifier = make_verifier(FakeFetcher(default=leaf_only), clock)
    env = envelope()
    headers, body = signed(env, chain)
    assert_rejected(verifier, headers, body, env, "not trusted")


def test_expired_leaf_refetched_then_rejected(clock: FakeClock) -> None:
    """A cached chain lives no longer than its leaf; a refetched expired leaf is refused."""
    short = make_chain(not_after=NOW + timedelta(minutes=10))
    fetcher = FakeFetcher(default=short.pem_chain)
    verifier = make_verifier(fetcher, clock)
    env = envelope()
    headers, body = signed(env, short)
    verifier.verify(headers, body, env)
    clock.advance(minutes=11)
    env = envelope(now=clock.now)
    headers, body = signed(env, short)
    assert_rejected(verifier, headers, body, env, "certificate expired")
    assert len(fetcher.calls) == 2
    assert_rejected(verifier, headers, body, env, "certificate expired")
    assert len(fetcher.calls) == 2  # the failure is remembered briefly: no download per request


def test_trust_roots_default_to_certifi(chain: CertChain) -> None:
    """With no trust_roots our test CA is not trusted (certifi roots are used instead)."""
    verifier = RequestVerifier(
        skill_id=SKILL_ID, fetcher=FakeFetcher(default=chain.pem_chain), clock=FakeClock()
    )
    env = envelope()
    headers, body = signed(env, chain)
    assert_rejected(verifier, headers, body, env, "not trusted")
    assert len(cert_chain_module.certifi_roots()) > 100


# --------------------------------------------------------------------------------------------
# download failures


@pytest.mark.parametrize(
    ("outcome", "reason"),
    [
        pytest.param(requests.Timeout("slow"), "timed out", id="timeout"),
        pytest.param(requests.ConnectionError("refused"), "download failed", id="connection-error"),
        pytest.param(OSError("HTTP 403"), "download failed", id="http-error"),
        pytest.param(RuntimeError("bug in fetcher"), "download failed", id="fetcher-bug"),
        pytest.param(b"<html>not a certificate</html>", "not PEM", id="garbage"),
        pytest.param(b"", "not PEM", id="empty"),
        pytest.param(
            b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
            "not valid PEM",
            id="broken-pem",
        ),
        pytest.param("a string", "no bytes", id="wrong-type"),
    ],
)
def test_fetch_failure_is_verification_error(
    clock: FakeClock, chain: CertChain, outcome: Any, reason: str
) -> None:
    verifier = make_verifier(FakeFetcher(default=outcome), clock)
    env = envelope()
    headers, body = signed(env, chain)
    assert_rejected(verifier, headers, body, env, reason)
