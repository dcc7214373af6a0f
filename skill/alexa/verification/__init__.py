"""Verify that an HTTP request really comes from Alexa (docs/alexa-platform.md, "Request
verification").

The official ``ask-sdk-webservice-support`` verifier cannot be imported here (oscrypto vs
OpenSSL 3), so this package re-implements the checks on ``cryptography``:

1. ``SignatureCertChainUrl`` is normalised and must point at ``https://s3.amazonaws.com/echo.api/``
   (cert_url).
2. The PEM chain is downloaded (cert_download: one deadline for the whole download, bounded
   size) and kept per URL (chain_cache: single-flight, LRU, failures apart, downloads at once
   bounded, refreshed in the background); the leaf must be within its
   dates, name ``echo-api.amazon.com`` and chain to a trusted root (cert_chain).
3. ``Signature-256`` (RSA PKCS#1 v1.5, SHA-256) must match the exact raw body (verifier, with the
   header decoded by request_checks).
4. ``request.timestamp`` must be fresh; 5. the application id must match the skill id
   (request_checks).

`RequestVerifier.verify` (verifier) runs them all. Every failure is a :class:`VerificationError`;
the web layer answers it with HTTP 400. Unlike the official verifier, a slow or failing
certificate download is a ``VerificationError`` too (never a hang or a 500), a request waits
for a download at most chain_cache.WAIT_SECONDS, and the cache is bounded.
"""

from __future__ import annotations

from skill.alexa.verification.cert_download import CertFetcher, fetch_cert_chain
from skill.alexa.verification.cert_url import normalise_cert_url
from skill.alexa.verification.errors import VerificationError
from skill.alexa.verification.request_checks import HeaderSource
from skill.alexa.verification.verifier import RequestVerifier, verifier_for_production

__all__ = [
    "CertFetcher",
    "HeaderSource",
    "RequestVerifier",
    "VerificationError",
    "fetch_cert_chain",
    "normalise_cert_url",
    "verifier_for_production",
]
