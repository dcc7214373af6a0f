"""Step 2's cache: each certificate URL's chain, downloaded once and shared.

Alexa's rules ask for this (a chain is fetched by URL, then reused until it expires), and it
keeps S3 out of the request path: the only download a warm process makes is a chain's refresh.
Bounded everywhere: an LRU of `size` URLs, a download that stops being waited for after
FETCH_TIMEOUT_SECONDS, single-flight (concurrent requests for one URL share one download), a
failure remembered only briefly, and a chain kept at most a day and never past its leaf.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.x509.verification import Store

from skill.alexa.verification import cert_chain, cert_download
from skill.alexa.verification.cert_chain import Chain, as_utc
from skill.alexa.verification.cert_download import CertFetcher
from skill.alexa.verification.errors import VerificationError

logger = logging.getLogger(__name__)

# A failed download is remembered this long so a burst of requests does not hammer S3, but a
# transient outage heals quickly.
FAILURE_TTL = timedelta(seconds=5)
# Even a long-lived leaf is refetched this often (picks up re-issued chains at the same URL).
CACHE_MAX_AGE = timedelta(hours=24)
# Full path validation (the expensive step) is repeated at most this often per cached chain;
# the leaf's and intermediates' dates are still checked on every request.
CHAIN_REVALIDATE_INTERVAL = timedelta(hours=1)
# An in-flight download older than this is abandoned and a new one started (a fetcher that
# hangs must not block a URL forever).
FLIGHT_STALE_SECONDS = 10.0


@dataclass
class _Failure:
    reason: str
    until: datetime


@dataclass
class _Flight:
    """One in-progress download that concurrent requests for the same URL share."""

    started: float = field(default_factory=time.monotonic)
    done: threading.Event = field(default_factory=threading.Event)
    chain: Chain | None = None
    reason: str | None = None


class ChainCache:
    """Trusted chains by canonical certificate URL; one per verifier, shared by all threads."""

    def __init__(
        self,
        fetcher: CertFetcher,
        clock: Callable[[], datetime],
        trust_roots: Sequence[x509.Certificate] | None = None,
        size: int = 32,
    ) -> None:
        if size < 1:
            raise ValueError("cache_size must be at least 1")
        self._fetcher = fetcher
        self._clock = clock
        self._trust_roots = list(trust_roots) if trust_roots is not None else None
        self._store: Store | None = None
        self._size = size
        self._lock = threading.Lock()
        self.entries: OrderedDict[str, Chain | _Failure] = OrderedDict()
        self._inflight: dict[str, _Flight] = {}

    def get(self, url: str, now: datetime) -> Chain:
        """The chain for `url`, checked for `now`: from the cache, or downloaded (once, shared)
        when missing or expired."""
        chain = self._get(url, now)
        self._check(url, chain, now)
        return chain

    def trust_store(self) -> Store:
        store = self._store
        if store is None:
            roots = self._trust_roots
            if roots is None:
                roots = cert_chain.certifi_roots()
            if not roots:
                raise VerificationError("no trusted root certificates configured")
            store = self._store = Store(roots)
        return store

    def _get(self, url: str, now: datetime) -> Chain:
        with self._lock:
            entry = self.entries.get(url)
            if isinstance(entry, Chain) and now < entry.expires_at:
                self.entries.move_to_end(url)
                return entry
            if isinstance(entry, _Failure) and entry.until > now:
                raise VerificationError(entry.reason)
            if entry is not None:
                del self.entries[url]
            flight = self._inflight.get(url)
            if flight is None or time.monotonic() - flight.started > FLIGHT_STALE_SECONDS:
                flight = _Flight()
                self._inflight[url] = flight
                threading.Thread(
                    target=self._download,
                    args=(url, flight),
                    name="alexa-cert-fetch",
                    daemon=True,
                ).start()
        if not flight.done.wait(cert_download.FETCH_TIMEOUT_SECONDS):
            logger.warning("Alexa certificate download timed out: %s", url)
            raise VerificationError("certificate chain download timed out")
        if flight.chain is None:
            raise VerificationError(flight.reason or "certificate chain download failed")
        return flight.chain

    def _download(self, url: str, flight: _Flight) -> None:
        """Worker thread: fetch and parse, then publish the outcome to the cache and waiters."""
        chain: Chain | None = None
        reason: str | None = None
        try:
            leaf, intermediates = cert_chain.parse_chain(self._fetcher(url))
            chain = Chain.of(leaf, intermediates, as_utc(self._clock()) + CACHE_MAX_AGE)
        except VerificationError as exc:
            reason = exc.reason
            logger.warning("Alexa certificate chain unusable (%s): %s", reason, url)
        except Exception as exc:
            if cert_download.is_timeout(exc):
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
                    failed = reason or "certificate chain download failed"
                    self._remember(url, _Failure(failed, as_utc(self._clock()) + FAILURE_TTL))
                if self._inflight.get(url) is flight:
                    del self._inflight[url]
        finally:
            flight.chain, flight.reason = chain, reason
            flight.done.set()

    def _remember(self, url: str, entry: Chain | _Failure) -> None:
        """Insert into the LRU cache (caller holds the lock)."""
        self.entries[url] = entry
        self.entries.move_to_end(url)
        while len(self.entries) > self._size:
            self.entries.popitem(last=False)

    def _check(self, url: str, chain: Chain, now: datetime) -> None:
        """Per-request date checks; full path validation once per CHAIN_REVALIDATE_INTERVAL.

        A failure replaces the cache entry with a short-lived _Failure, so e.g. an expired
        chain served by S3 is not downloaded again on every request.
        """
        try:
            self._check_uncached(chain, now)
        except VerificationError as exc:
            with self._lock:
                if self.entries.get(url) is chain:
                    self.entries[url] = _Failure(exc.reason, now + FAILURE_TTL)
            raise

    def _check_uncached(self, chain: Chain, now: datetime) -> None:
        chain.check_dates(now)
        validated_at = chain.validated_at
        if (
            validated_at is not None
            and validated_at <= now
            and now - validated_at < CHAIN_REVALIDATE_INTERVAL
        ):
            return
        if not cert_chain.leaf_has_echo_api_name(chain.leaf):
            raise VerificationError(f"certificate lacks {cert_chain.ECHO_API_DNS_NAME}")
        cert_chain.check_chain_trust(self.trust_store(), chain.leaf, chain.intermediates, now)
        chain.validated_at = now
