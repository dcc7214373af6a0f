"""Step 2's certificate work: parse a downloaded PEM chain and judge it.

The leaf must be within its dates, name ``echo-api.amazon.com`` and chain to a trusted root
(certifi's bundle in production). Nothing here downloads or caches.
"""

from __future__ import annotations

import logging
import re
import threading
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.verification import DNSName, PolicyBuilder, Store
from cryptography.x509.verification import VerificationError as X509VerificationError

from skill.alexa.verification.errors import VerificationError

logger = logging.getLogger(__name__)

ECHO_API_DNS_NAME = "echo-api.amazon.com"

_PEM_CERT_RE = re.compile(rb"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.DOTALL)

_default_roots: list[x509.Certificate] | None = None
_default_roots_lock = threading.Lock()


def as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def certifi_roots() -> list[x509.Certificate]:
    """Load certifi's bundle once, one certificate at a time.

    A few public roots have serial number 0, which cryptography warns about today and will
    refuse in a future release; loading them individually keeps them usable now and means one
    bad root can never make the whole bundle (and thus every request) fail later.
    """
    global _default_roots
    with _default_roots_lock:
        if _default_roots is None:
            import certifi

            with open(certifi.where(), "rb") as handle:
                data = handle.read()
            roots: list[x509.Certificate] = []
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                for block in _PEM_CERT_RE.findall(data):
                    try:
                        roots.append(x509.load_pem_x509_certificate(block))
                    except ValueError:
                        logger.debug("skipping unparseable root in certifi bundle")
            _default_roots = roots
        return _default_roots


def parse_chain(data: object) -> tuple[x509.Certificate, list[x509.Certificate]]:
    """Split downloaded bytes into (leaf, intermediates); Amazon serves the leaf first."""
    if not isinstance(data, bytes | bytearray):
        raise VerificationError("certificate chain download returned no bytes")
    blocks = _PEM_CERT_RE.findall(bytes(data))
    if not blocks:
        raise VerificationError("certificate chain is not PEM")
    try:
        certs = [x509.load_pem_x509_certificate(block) for block in blocks]
    except ValueError as exc:
        raise VerificationError("certificate chain is not valid PEM") from exc
    return certs[0], certs[1:]


def leaf_has_echo_api_name(leaf: x509.Certificate) -> bool:
    try:
        san = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return False
    return any(name.lower() == ECHO_API_DNS_NAME for name in san.get_values_for_type(x509.DNSName))


def check_chain_trust(
    store: Store, leaf: x509.Certificate, intermediates: list[x509.Certificate], now: datetime
) -> None:
    """Full path validation (signatures, CA constraints, dates, SAN) to the trust store."""
    verifier = (
        PolicyBuilder().store(store).time(now).build_server_verifier(DNSName(ECHO_API_DNS_NAME))
    )
    try:
        verifier.verify(leaf, intermediates)
    except X509VerificationError as exc:
        logger.warning("Alexa certificate chain rejected: %s", exc)
        raise VerificationError("certificate chain is not trusted") from exc


@dataclass
class Chain:
    """A downloaded, parsed chain and what we already know about it."""

    leaf: x509.Certificate
    intermediates: list[x509.Certificate]
    public_key: rsa.RSAPublicKey
    expires_at: datetime  # cache entry lifetime (never beyond the leaf's not_valid_after)
    leaf_not_before: datetime
    leaf_not_after: datetime
    not_before: datetime  # latest not_valid_before across the chain
    not_after: datetime  # earliest not_valid_after across the chain
    validated_at: datetime | None = None  # last full path validation

    @classmethod
    def of(
        cls, leaf: x509.Certificate, intermediates: list[x509.Certificate], expires_at: datetime
    ) -> Chain:
        """The chain of a parsed download, kept until `expires_at` at the latest."""
        key = leaf.public_key()
        if not isinstance(key, rsa.RSAPublicKey):
            raise VerificationError("signing certificate key is not RSA")
        certs = [leaf, *intermediates]
        return cls(
            leaf=leaf,
            intermediates=intermediates,
            public_key=key,
            expires_at=min(leaf.not_valid_after_utc, expires_at),
            leaf_not_before=leaf.not_valid_before_utc,
            leaf_not_after=leaf.not_valid_after_utc,
            not_before=max(cert.not_valid_before_utc for cert in certs),
            not_after=min(cert.not_valid_after_utc for cert in certs),
        )

    def check_dates(self, now: datetime) -> None:
        """The leaf's and the whole chain's validity periods (cheap: every request)."""
        if now > self.leaf_not_after:
            raise VerificationError("certificate expired")
        if now < self.leaf_not_before:
            raise VerificationError("certificate not yet valid")
        if not self.not_before <= now <= self.not_after:
            raise VerificationError("certificate chain outside its validity period")
