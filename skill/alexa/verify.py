"""Verify that an HTTP request really comes from Alexa (ALEXA.md, "Request verification").

The official ``ask-sdk-webservice-support`` verifier cannot be imported here (oscrypto vs
OpenSSL 3), so this module re-implements the checks on ``cryptography``:

1. ``SignatureCertChainUrl`` is normalised and must point at ``https://s3.amazonaws.com/echo.api/``.
2. The PEM chain is downloaded (bounded time and size, single-flight, LRU cache), the leaf must
   be within its dates, name ``echo-api.amazon.com`` and chain to a trusted root.
3. ``Signature-256`` (RSA PKCS#1 v1.5, SHA-256) must match the exact raw body.
4. ``request.timestamp`` must be fresh; 5. the application id must match the skill id.

Every failure is a :class:`VerificationError`; the web layer answers it with HTTP 400. Unlike the
official verifier, a slow or failing certificate download is a ``VerificationError`` too (never
a hang or a 500), and the cache is bounded.
"""

from __future__ import annotations

import base64
import binascii
import logging
import re
import sys
import threading
import time
import warnings
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.verification import DNSName, PolicyBuilder, Store
from cryptography.x509.verification import VerificationError as X509VerificationError
from werkzeug.datastructures import EnvironHeaders

__all__ = [
    "CertFetcher",
    "HeaderSource",
    "RequestVerifier",
    "VerificationError",
    "fetch_cert_chain",
    "normalise_cert_url",
    "verifier_for_production",
]

logger = logging.getLogger(__name__)


class HeaderSource(Protocol):
    """Anything with ``items()`` of (name, value): a dict, or Werkzeug's request headers.

    Werkzeug's ``EnvironHeaders`` is not a ``collections.abc.Mapping``, so a Mapping check would
    reject every real request; its ``items()`` also yields repeated headers, which we want.
    """

    def items(self) -> Iterable[tuple[str, str]]: ...


CertFetcher = Callable[[str], bytes]
"""url -> PEM bytes; raises on failure (any exception type: the verifier converts it)."""

ECHO_API_DNS_NAME = "echo-api.amazon.com"
CERT_URL_HOST = "s3.amazonaws.com"
CERT_URL_PATH_PREFIX = "/echo.api/"

#: Hard upper bound for one certificate download as seen by verify() (connect + TLS + body).
FETCH_TIMEOUT_SECONDS = 3.0
#: The real chain is ~5 KB; anything much bigger is not an Alexa certificate chain.
FETCH_MAX_BYTES = 64 * 1024

# A failed download is remembered this long so a burst of requests does not hammer S3, but a
# transient outage heals quickly.
_FAILURE_TTL = timedelta(seconds=5)
# Even a long-lived leaf is refetched this often (picks up re-issued chains at the same URL).
_CACHE_MAX_AGE = timedelta(hours=24)
# Full path validation (the expensive step) is repeated at most this often per cached chain;
# the leaf's and intermediates' dates are still checked on every request.
_CHAIN_REVALIDATE_INTERVAL = timedelta(hours=1)
# An in-flight download older than this is abandoned and a new one started (a fetcher that
# hangs must not block a URL forever).
_FLIGHT_STALE_SECONDS = 10.0

_MAX_URL_LENGTH = 2048
_MAX_SIGNATURE_HEADER_LENGTH = 2048
_BAD_URL_CHARS = re.compile(r"[\s\x00-\x1f\x7f\\]")
_PEM_CERT_RE = re.compile(rb"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.DOTALL)


class VerificationError(Exception):
    """A request failed verification; the web layer must answer HTTP 400.

    ``reason`` is short, human-readable and safe to log and to return to the client: it never
    contains the body or user identifiers.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason: str = reason


# --------------------------------------------------------------------------------------------
# Step 1: the certificate URL


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4, so ``/echo.api/../x`` cannot smuggle a path past the prefix test."""
    output: list[str] = []
    segments = path.split("/")
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        if segment == ".":
            if last:
                output.append("")
        elif segment == "..":
            if len(output) > 1:
                output.pop()
            if last:
                output.append("")
        else:
            output.append(segment)
    result = "/".join(output)
    return result if result.startswith("/") else "/" + result


def normalise_cert_url(url: str) -> str:
    """Return the canonical form of a ``SignatureCertChainUrl`` or raise VerificationError.

    Canonical = lower-case scheme and host, no default port, dot segments resolved; this is also
    the cache key, so equivalent spellings share one download. Query strings, fragments, user
    info and percent-encoded dots/slashes are refused: Amazon never sends them and they only
    serve to confuse the path check.
    """
    if not isinstance(url, str) or not url.strip():
        raise VerificationError("missing SignatureCertChainUrl")
    url = url.strip()
    if len(url) > _MAX_URL_LENGTH:
        raise VerificationError("SignatureCertChainUrl too long")
    if _BAD_URL_CHARS.search(url):
        raise VerificationError("SignatureCertChainUrl contains invalid characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise VerificationError("SignatureCertChainUrl is malformed") from exc
    if parts.scheme.lower() != "https":
        raise VerificationError("SignatureCertChainUrl scheme must be https")
    if "@" in parts.netloc:
        raise VerificationError("SignatureCertChainUrl must not contain user info")
    if (parts.hostname or "").lower() != CERT_URL_HOST:
        raise VerificationError(f"SignatureCertChainUrl host must be {CERT_URL_HOST}")
    if port is not None and port != 443:
        raise VerificationError("SignatureCertChainUrl port must be 443")
    if parts.query or parts.fragment or url.endswith(("?", "#")):
        raise VerificationError("SignatureCertChainUrl must not have a query or fragment")
    lowered_path = parts.path.lower()
    if "%2e" in lowered_path or "%2f" in lowered_path or "%5c" in lowered_path:
        raise VerificationError("SignatureCertChainUrl path contains encoded dots or slashes")
    path = _remove_dot_segments(parts.path)
    if not path.startswith(CERT_URL_PATH_PREFIX):
        raise VerificationError(
            f"SignatureCertChainUrl path must start with {CERT_URL_PATH_PREFIX}"
        )
    return urlunsplit(("https", CERT_URL_HOST, path, "", ""))


# --------------------------------------------------------------------------------------------
# Step 2: download, parse and validate the chain


def fetch_cert_chain(
    url: str, *, timeout: float = FETCH_TIMEOUT_SECONDS, max_bytes: int = FETCH_MAX_BYTES
) -> bytes:
    """Default CertFetcher: HTTPS GET with a total time budget and a size cap.

    requests' timeouts are per socket operation, so the body is read in chunks against an
    overall deadline; redirects are not followed (they could leave s3.amazonaws.com).
    The verifier additionally stops waiting after FETCH_TIMEOUT_SECONDS whatever happens here
    (covers DNS, which requests cannot time out).
    """
    import requests  # only when a chain is downloaded: keeps it out of the app's start-up

    deadline = time.monotonic() + timeout
    with requests.get(
        url,
        timeout=(timeout, timeout),
        stream=True,
        allow_redirects=False,
        headers={"Accept": "application/x-pem-file, */*"},
    ) as response:
        if response.status_code != 200:
            raise OSError(f"certificate download returned HTTP {response.status_code}")
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise OSError("certificate download too large")
        buffer = bytearray()
        for chunk in response.iter_content(chunk_size=8192):
            buffer += chunk
            if len(buffer) > max_bytes:
                raise OSError("certificate download too large")
            if time.monotonic() > deadline:
                raise requests.Timeout("certificate download exceeded its time budget")
        return bytes(buffer)


def _is_timeout(exc: Exception) -> bool:
    """A requests timeout (requests is imported by whoever raised one, if anyone did)."""
    requests = sys.modules.get("requests")
    return requests is not None and isinstance(exc, requests.Timeout)


_default_roots: list[x509.Certificate] | None = None
_default_roots_lock = threading.Lock()


def _certifi_roots() -> list[x509.Certificate]:
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


def _parse_chain(data: object) -> tuple[x509.Certificate, list[x509.Certificate]]:
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


def _leaf_has_echo_api_name(leaf: x509.Certificate) -> bool:
    try:
        san = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return False
    return any(name.lower() == ECHO_API_DNS_NAME for name in san.get_values_for_type(x509.DNSName))


def _check_chain_trust(
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
class _Chain:
    """A downloaded, parsed chain and what we already know about it."""

    leaf: x509.Certificate
    intermediates: list[x509.Certificate]
    public_key: rsa.RSAPublicKey
    expires_at: datetime  # cache entry lifetime (never beyond the leaf's not_valid_after)
    leaf_not_before: datetime
    leaf_not_after: datetime
    not_before: datetime  # latest not_valid_before across the chain
    not_after: datetime  # earliest not_valid_after across the chain
    validated_at: datetime | None = None


@dataclass
class _Failure:
    reason: str
    until: datetime


@dataclass
class _Flight:
    """One in-progress download that concurrent requests for the same URL share."""

    started: float = field(default_factory=time.monotonic)
    done: threading.Event = field(default_factory=threading.Event)
    chain: _Chain | None = None
    reason: str | None = None


# --------------------------------------------------------------------------------------------
# Steps 3-5 and orchestration


def _get_header(headers: HeaderSource, name: str) -> str | None:
    """Case-insensitive lookup that works for dicts, Werkzeug headers and multi-valued maps."""
    if isinstance(headers, EnvironHeaders):
        # A WSGI environ holds one key per header name (the server joins repeats), so a direct
        # lookup finds what the scan below would find, without walking every header.
        return headers.get(name)
    wanted = name.lower()
    found: str | None = None
    for key, value in headers.items():
        if isinstance(key, str) and key.lower() == wanted:
            if found is not None and found != value:
                raise VerificationError(f"conflicting {name} headers")
            found = value
    return found


def _as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _dig(envelope: Mapping[str, Any], *path: str) -> Any:
    node: Any = envelope
    for key in path:
        if type(node) is not dict and not isinstance(node, Mapping):  # parsed JSON: a dict
            return None
        node = node.get(key)
    return node


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
        if cache_size < 1:
            raise ValueError("cache_size must be at least 1")
        self._skill_id = skill_id or None
        self._trust_roots = list(trust_roots) if trust_roots is not None else None
        self._store: Store | None = None
        self._fetcher: CertFetcher = fetcher if fetcher is not None else fetch_cert_chain
        self._clock: Callable[[], datetime] = clock or (lambda: datetime.now(UTC))
        self._cache_size = cache_size
        self._max_skew = timedelta(seconds=max_skew_seconds)
        self._skill_event_max_age = timedelta(seconds=skill_event_max_age_seconds)
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, _Chain | _Failure] = OrderedDict()
        self._inflight: dict[str, _Flight] = {}

    # -- public ---------------------------------------------------------------------------

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

    # -- steps ----------------------------------------------------------------------------

    def _verify(self, headers: HeaderSource, body: bytes, envelope: Mapping[str, Any]) -> None:
        if not isinstance(body, bytes | bytearray | memoryview):
            raise VerificationError("request body must be raw bytes")
        if not isinstance(envelope, Mapping):
            raise VerificationError("request body is not a JSON object")
        if not callable(getattr(headers, "items", None)):
            raise VerificationError("request headers missing")
        url = _get_header(headers, "SignatureCertChainUrl")
        if url is None or not url.strip():
            raise VerificationError("missing SignatureCertChainUrl header")
        signature = self._decode_signature(headers)
        url = normalise_cert_url(url)
        now = _as_utc(self._clock())
        self._check_timestamp(envelope, now)
        self._check_application_id(envelope)
        chain = self._get_chain(url, now)
        self._check_chain(url, chain, now)
        try:
            chain.public_key.verify(signature, bytes(body), padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature as exc:
            raise VerificationError("Signature-256 does not match the request body") from exc

    @staticmethod
    def _decode_signature(headers: HeaderSource) -> bytes:
        value = _get_header(headers, "Signature-256")
        if value is None:
            if _get_header(headers, "Signature") is not None:
                raise VerificationError(
                    "only the obsolete Signature (SHA-1) header was sent; Signature-256 required"
                )
            raise VerificationError("missing Signature-256 header")
        value = value.strip()
        if not value:
            raise VerificationError("empty Signature-256 header")
        if len(value) > _MAX_SIGNATURE_HEADER_LENGTH:
            raise VerificationError("Signature-256 header too long")
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise VerificationError("Signature-256 header is not valid base64") from exc

    def _check_timestamp(self, envelope: Mapping[str, Any], now: datetime) -> None:
        raw = _dig(envelope, "request", "timestamp")
        if not isinstance(raw, str) or not raw:
            raise VerificationError("missing request.timestamp")
        try:
            stamp = datetime.fromisoformat(raw)
        except ValueError as exc:
            raise VerificationError("request.timestamp is not ISO 8601") from exc
        if stamp.tzinfo is None:
            raise VerificationError("request.timestamp has no time zone")
        age = now - stamp
        request_type = _dig(envelope, "request", "type")
        is_skill_event = isinstance(request_type, str) and request_type.startswith(
            "AlexaSkillEvent."
        )
        max_age = self._skill_event_max_age if is_skill_event else self._max_skew
        if age > max_age:
            raise VerificationError("request.timestamp too old")
        if -age > self._max_skew:
            raise VerificationError("request.timestamp is in the future")

    def _check_application_id(self, envelope: Mapping[str, Any]) -> None:
        if self._skill_id is None:
            return
        app_id = _dig(envelope, "context", "System", "application", "applicationId")
        if app_id is None:
            app_id = _dig(envelope, "session", "application", "applicationId")
        if not isinstance(app_id, str) or not app_id:
            raise VerificationError("missing application id")
        if app_id != self._skill_id:
            raise VerificationError("application id does not match this skill")

    # -- certificate chain ----------------------------------------------------------------

    def _get_chain(self, url: str, now: datetime) -> _Chain:
        """Cached chain for url, downloading it (once, shared) when missing or expired."""
        with self._lock:
            entry = self._cache.get(url)
            if isinstance(entry, _Chain) and now < entry.expires_at:
                self._cache.move_to_end(url)
                return entry
            if isinstance(entry, _Failure) and entry.until > now:
                raise VerificationError(entry.reason)
            if entry is not None:
                del self._cache[url]
            flight = self._inflight.get(url)
            if flight is None or time.monotonic() - flight.started > _FLIGHT_STALE_SECONDS:
                flight = _Flight()
                self._inflight[url] = flight
                threading.Thread(
                    target=self._download,
                    args=(url, flight),
                    name="alexa-cert-fetch",
                    daemon=True,
                ).start()
        if not flight.done.wait(FETCH_TIMEOUT_SECONDS):
            logger.warning("Alexa certificate download timed out: %s", url)
            raise VerificationError("certificate chain download timed out")
        if flight.chain is None:
            raise VerificationError(flight.reason or "certificate chain download failed")
        return flight.chain

    def _download(self, url: str, flight: _Flight) -> None:
        """Worker thread: fetch and parse, then publish the outcome to the cache and waiters."""
        chain: _Chain | None = None
        reason: str | None = None
        try:
            leaf, intermediates = _parse_chain(self._fetcher(url))
            chain = self._make_chain(leaf, intermediates)
        except VerificationError as exc:
            reason = exc.reason
            logger.warning("Alexa certificate chain unusable (%s): %s", reason, url)
        except Exception as exc:
            if _is_timeout(exc):
                reason = "certificate chain download timed out"
                logger.warning("Alexa certificate download timed out: %s", url)
            else:
                reason = "certificate chain download failed"
                logger.warning("Alexa certificate download failed: %s: %s", url, exc)
        try:
            with self._lock:
                if chain is not None:
                    self._remember(url, chain)
                else:
                    self._remember(
                        url,
                        _Failure(reason or "certificate chain download failed", self._later()),
                    )
                if self._inflight.get(url) is flight:
                    del self._inflight[url]
        finally:
            flight.chain, flight.reason = chain, reason
            flight.done.set()

    def _make_chain(self, leaf: x509.Certificate, intermediates: list[x509.Certificate]) -> _Chain:
        key = leaf.public_key()
        if not isinstance(key, rsa.RSAPublicKey):
            raise VerificationError("signing certificate key is not RSA")
        certs = [leaf, *intermediates]
        fetched = _as_utc(self._clock())
        return _Chain(
            leaf=leaf,
            intermediates=intermediates,
            public_key=key,
            expires_at=min(leaf.not_valid_after_utc, fetched + _CACHE_MAX_AGE),
            leaf_not_before=leaf.not_valid_before_utc,
            leaf_not_after=leaf.not_valid_after_utc,
            not_before=max(cert.not_valid_before_utc for cert in certs),
            not_after=min(cert.not_valid_after_utc for cert in certs),
        )

    def _later(self) -> datetime:
        return _as_utc(self._clock()) + _FAILURE_TTL

    def _remember(self, url: str, entry: _Chain | _Failure) -> None:
        """Insert into the LRU cache (caller holds the lock)."""
        self._cache[url] = entry
        self._cache.move_to_end(url)
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)

    def _check_chain(self, url: str, chain: _Chain, now: datetime) -> None:
        """Per-request date checks; full path validation once per _CHAIN_REVALIDATE_INTERVAL.

        A failure replaces the cache entry with a short-lived _Failure, so e.g. an expired
        chain served by S3 is not downloaded again on every request.
        """
        try:
            self._check_chain_uncached(chain, now)
        except VerificationError as exc:
            with self._lock:
                if self._cache.get(url) is chain:
                    self._cache[url] = _Failure(exc.reason, now + _FAILURE_TTL)
            raise

    def _check_chain_uncached(self, chain: _Chain, now: datetime) -> None:
        if now > chain.leaf_not_after:
            raise VerificationError("certificate expired")
        if now < chain.leaf_not_before:
            raise VerificationError("certificate not yet valid")
        if not chain.not_before <= now <= chain.not_after:
            raise VerificationError("certificate chain outside its validity period")
        validated_at = chain.validated_at
        if (
            validated_at is not None
            and validated_at <= now
            and now - validated_at < _CHAIN_REVALIDATE_INTERVAL
        ):
            return
        if not _leaf_has_echo_api_name(chain.leaf):
            raise VerificationError(f"certificate lacks {ECHO_API_DNS_NAME}")
        _check_chain_trust(self._trust_store(), chain.leaf, chain.intermediates, now)
        chain.validated_at = now

    def _trust_store(self) -> Store:
        store = self._store
        if store is None:
            roots = self._trust_roots if self._trust_roots is not None else _certifi_roots()
            if not roots:
                raise VerificationError("no trusted root certificates configured")
            store = self._store = Store(roots)
        return store


def verifier_for_production(skill_id: str) -> RequestVerifier:
    """The verifier the web service should use: certifi roots, real downloads, wall clock.

    Requires a skill id: without one any skill's requests would be accepted (ALEXA.md step 5).
    """
    if not skill_id or not skill_id.strip():
        raise ValueError("production verification needs the skill id")
    verifier = RequestVerifier(skill_id=skill_id.strip())
    # Load the roots now, at start-up: fails fast if certifi is broken, and keeps the one-off
    # warnings suppression in _certifi_roots away from request-handling threads.
    verifier._trust_store()
    return verifier
