"""The entry point: `RequestVerifier.verify` runs every check in order, cheap ones first."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from skill.alexa.verification.cert_chain import as_utc
from skill.alexa.verification.cert_download import CertFetcher, fetch_cert_chain
from skill.alexa.verification.cert_url import normalise_cert_url
from skill.alexa.verification.chain_cache import ChainCache
from skill.alexa.verification.errors import VerificationError
from skill.alexa.verification.request_checks import (
    HeaderSource,
    check_application_id,
    check_timestamp,
    decode_signature,
    get_header,
)

logger = logging.getLogger(__name__)


class RequestVerifier:
    """Checks Alexa requests; one instance per process, shared by all threads."""

    def __init__(
        self,
        *,
        skill_id: str | None,
        trust_roots: Sequence[x509.Certificate] | None = None,
        fetcher: CertFetcher | None = None,
        clock: Callable[[], datetime] | None = None,
        cache_size: int = 32,
        max_skew_seconds: int = 150,
        skill_event_max_age_seconds: int = 3600,
    ) -> None:
        self._skill_id = skill_id or None
        self._clock: Callable[[], datetime] = clock or (lambda: datetime.now(UTC))
        self._max_skew = timedelta(seconds=max_skew_seconds)
        self._skill_event_max_age = timedelta(seconds=skill_event_max_age_seconds)
        self.chains = ChainCache(
            fetcher if fetcher is not None else fetch_cert_chain,
            self._clock,
            trust_roots,
            cache_size,
        )

    def verify(self, headers: HeaderSource, body: bytes, envelope: Mapping[str, Any]) -> None:
        """Raise VerificationError unless the request is a genuine, fresh request for our skill.

        ``envelope`` must be the JSON parsed from exactly these ``body`` bytes. Cheap checks run
        before the (possibly networked) certificate step so junk requests cost no download.
        """
        try:
            self._verify(headers, body, envelope)
        except VerificationError:
            raise
        except Exception as exc:  # contract: nothing but VerificationError escapes
            logger.exception("unexpected error during Alexa request verification")
            raise VerificationError("request verification failed") from exc

    def _verify(self, headers: HeaderSource, body: bytes, envelope: Mapping[str, Any]) -> None:
        if not isinstance(body, bytes | bytearray | memoryview):
            raise VerificationError("request body must be raw bytes")
        if not isinstance(envelope, Mapping):
            raise VerificationError("request body is not a JSON object")
        if not callable(getattr(headers, "items", None)):
            raise VerificationError("request headers missing")
        url = get_header(headers, "SignatureCertChainUrl")
        if url is None or not url.strip():
            raise VerificationError("missing SignatureCertChainUrl header")
        signature = decode_signature(headers)
        url = normalise_cert_url(url)
        now = as_utc(self._clock())
        check_timestamp(envelope, now, self._max_skew, self._skill_event_max_age)
        check_application_id(envelope, self._skill_id)
        chain = self.chains.get(url, now)
        try:
            chain.public_key.verify(signature, bytes(body), padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature as exc:
            raise VerificationError("Signature-256 does not match the request body") from exc


def verifier_for_production(skill_id: str) -> RequestVerifier:
    """The verifier the web service should use: certifi roots, real downloads, wall clock.

    Requires a skill id: without one any skill's requests would be accepted
    (docs/alexa-platform.md, "Request verification", step 5).
    """
    if not skill_id or not skill_id.strip():
        raise ValueError("production verification needs the skill id")
    verifier = RequestVerifier(skill_id=skill_id.strip())
    # Load the roots now, at start-up: fails fast if certifi is broken, and keeps the one-off
    # warnings suppression in certifi_roots away from request-handling threads.
    verifier.chains.trust_store()
    return verifier
