"""Step 1: which SignatureCertChainUrl values are accepted, in which canonical form, and that
a refused URL costs no download."""

from __future__ import annotations

import pytest

from skill.alexa.verification import (
    RequestVerifier,
    VerificationError,
    normalise_cert_url,
)
from tests.certs import CertChain
from tests.verification.support import (
    CERT_URL,
    FakeFetcher,
    assert_rejected,
    envelope,
    signed,
)

# --------------------------------------------------------------------------------------------
# step 1: the certificate URL


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # docs/alexa-platform.md accept examples
        ("https://s3.amazonaws.com/echo.api/echo-api-cert.pem", CERT_URL.replace("-12", "")),
        ("https://s3.amazonaws.com:443/echo.api/echo-api-cert.pem", CERT_URL.replace("-12", "")),
        (
            "https://s3.amazonaws.com/echo.api/../echo.api/echo-api-cert.pem",
            CERT_URL.replace("-12", ""),
        ),
        # more: scheme and host are case-insensitive, output is canonical
        ("HTTPS://S3.AMAZONAWS.COM/echo.api/echo-api-cert.pem", CERT_URL.replace("-12", "")),
        (
            "hTtPs://s3.AmazonAWS.com:443/echo.api/./x/../c.pem",
            "https://s3.amazonaws.com/echo.api/c.pem",
        ),
        (CERT_URL, CERT_URL),
    ],
)
def test_url_accepted(url: str, expected: str) -> None:
    assert normalise_cert_url(url) == expected


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        # docs/alexa-platform.md reject examples
        ("http://s3.amazonaws.com/echo.api/echo-api-cert.pem", "https"),
        ("https://notamazon.com/echo.api/echo-api-cert.pem", "host"),
        ("https://s3.amazonaws.com/EcHo.aPi/echo-api-cert.pem", "path"),
        ("https://s3.amazonaws.com/invalid.path/echo-api-cert.pem", "path"),
        ("https://s3.amazonaws.com:563/echo.api/echo-api-cert.pem", "port"),
        # more
        ("", "missing"),
        ("   ", "missing"),
        ("https://s3.amazonaws.com/echo.api/../evil/cert.pem", "path"),
        ("https://s3.amazonaws.com/echo.api/..", "path"),
        ("https://s3.amazonaws.com/echo.api", "path"),
        ("https://s3.amazonaws.com/echo.api/%2e%2e/evil/cert.pem", "encoded"),
        ("https://s3.amazonaws.com/echo.api/?x=1", "query"),
        ("https://s3.amazonaws.com/echo.api/cert.pem?versionId=1", "query"),
        ("https://s3.amazonaws.com/echo.api/cert.pem#frag", "query or fragment"),
        ("https://evil.com@s3.amazonaws.com/echo.api/cert.pem", "user info"),
        ("https://s3.amazonaws.com.evil.com/echo.api/cert.pem", "host"),
        ("https://s3.amazonaws.com:abc/echo.api/cert.pem", "malformed"),
        ("https://s3.amazonaws.com/echo.api\\..\\evil/cert.pem", "invalid characters"),
        ("https://s3.amazonaws.com/echo.api/cert.pem\nX-Evil: 1", "invalid characters"),
        ("https://s3.amazonaws.com/echo.api/c ert.pem", "invalid characters"),
        ("ftp://s3.amazonaws.com/echo.api/cert.pem", "https"),
        ("//s3.amazonaws.com/echo.api/cert.pem", "https"),
        ("https://s3.amazonaws.com/echo.api/" + "a" * 3000, "too long"),
    ],
)
def test_url_rejected(url: str, reason: str) -> None:
    with pytest.raises(VerificationError) as info:
        normalise_cert_url(url)
    assert reason.lower() in info.value.reason.lower()


def test_bad_url_rejected_before_any_download(
    verifier: RequestVerifier, chain: CertChain, fetcher: FakeFetcher
) -> None:
    env = envelope()
    headers, body = signed(env, chain, url="https://notamazon.com/echo.api/echo-api-cert.pem")
    assert_rejected(verifier, headers, body, env, "host")
    assert fetcher.calls == []
