"""Step 2's cache: each certificate URL's chain, downloaded once and shared.

Alexa's rules ask for this (a chain is fetched by URL, then reused until it expires), and it
keeps S3 out of the request path: the only download a warm process makes is a chain's refresh,
and that one happens in the background while the cached chain keeps serving.

Bounded everywhere, because the URL comes from the request before anything is proven (issue
17, finding 7): an LRU of `size` trusted chains; failures in their own LRU, so no number of
failing URLs can evict a trusted chain; at most MAX_DOWNLOADS downloads at once, beyond which a
request is refused at once; a download is waited for at most WAIT_SECONDS and ends by itself
within cert_download.FETCH_TIMEOUT_SECONDS; single-flight (concurrent requests for one URL share
one download); a failure remembered only briefly; a chain refreshed daily and never used past
its leaf.

Why no limit on never-seen URLs a minute: anyone can spend it. After a restart, or when Amazon
moves its chain, the real URL is never-seen too, and unsigned requests with a fresh timestamp
and our skill id, naming made-up echo.api/ URLs, used up the budget (10 a minute) and kept
real requests out until the minute passed. Without it, what a flood of forged URLs costs is
bounded by the download slots (threads and sockets: MAX_DOWNLOADS, each at most
FETCH_TIMEOUT_SECONDS, made-up keys fail at S3's speed), and it can delay the real chain only
while it keeps every slot busy: a real request is refused if it arrives when all
MAX_DOWNLOADS are taken, and fetched by the first one that finds a slot free; from then on the
chain is cached and no flood touches it.
"""

from __future__ import annotations

import contextlib
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
# Failures remembered (their own LRU: they never push out a trusted chain).
FAILURE_CACHE_SIZE = 256
# A chain is refreshed (in the background: the cached one keeps serving) this often, which
# picks up re-issued chains at the same URL; it is never used past its leaf's not_valid_after.
CACHE_MAX_AGE = timedelta(hours=24)
# Full path validation (the expensive step) is repeated at most this often per cached chain;
# the leaf's and intermediates' dates are still checked on every request.
CHAIN_REVALIDATE_INTERVAL = timedelta(hours=1)
# An in-flight download older than this is abandoned and a new one started (a fetcher that
# hangs must not block a URL forever).
FLIGHT_STALE_SECONDS = 10.0
# How long a request waits for a download: the whole answer must stay within 1.5 s. A download
# that takes longer still fills the cache for the next request (up to FETCH_TIMEOUT_SECONDS).
WAIT_SECONDS = 1.0
# Downloads at once; a request that would start another is refused at once (each is a thread).
MAX_DOWNLOADS = 4


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
        self.entries: OrderedDict[str, Chain] = OrderedDict()
        self.failures: OrderedDict[str, _Failure] = OrderedDict()
        self._inflight: dict[str, _Flight] = {}
        self._downloads = threading.BoundedSemaphore(MAX_DOWNLOADS)

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
            chain = self.entries.get(url)
            if chain is not None:
                self.entries.move_to_end(url)
                if now < chain.expires_at:
                    return chain
                if now < chain.leaf_not_after:  # due for its refresh: serve it meanwhile
                    if url not in self._inflight and not self._failed_recently(url, now):
                        # every download slot busy: a later request refreshes it
                        with contextlib.suppress(VerificationError):
                            self._start(url)
                    return chain
            failure = self.failures.get(url)
            if failure is not None and failure.until > now:
                raise VerificationError(failure.reason)
            flight = self._inflight.get(url)
            if flight is None or time.monotonic() - flight.started > FLIGHT_STALE_SECONDS:
                flight = self._start(url)
        wait = min(WAIT_SECONDS, cert_download.FETCH_TIMEOUT_SECONDS)
        if not flight.done.wait(wait):
            logger.warning("Alexa certificate download timed out: %s", url)
            raise VerificationError("certificate chain download timed out")
        if flight.chain is None:
            raise VerificationError(flight.reason or "certificate chain download failed")
        return flight.chain

    def _failed_recently(self, url: str, now: datetime) -> bool:
        failure = self.failures.get(url)
        return failure is not None and failure.until > now

    def _start(self, url: str) -> _Flight:
        """Start downloading `url` (caller holds the lock), or refuse at once when every
        download slot is busy (the request is not remembered as a failure)."""
        if not self._downloads.acquire(blocking=False):
            logger.warning("Alexa certificate download refused: %d in flight", MAX_DOWNLOADS)
            raise VerificationError("too many certificate downloads in progress")
        flight = _Flight()
        self._inflight[url] = flight
        try:
            threading.Thread(
                target=self._download, args=(url, flight), name="alexa-cert-fetch", daemon=True
            ).start()
        except BaseException:
            del self._inflight[url]
            self._downloads.release()
            raise
        return flight

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
                    self._remember_failure(url, failed, as_utc(self._clock()))
                if self._inflight.get(url) is flight:
                    del self._inflight[url]
        finally:
            self._downloads.release()
            flight.chain, flight.reason = chain, reason
            flight.done.set()

    def _remember(self, url: str, chain: Chain) -> None:
        """Insert into the LRU of trusted chains (caller holds the lock)."""
        self.failures.pop(url, None)
        self.entries[url] = chain
        self.entries.move_to_end(url)
        while len(self.entries) > self._size:
            self.entries.popitem(last=False)

    def _remember_failure(self, url: str, reason: str, now: datetime) -> None:
        """Insert into the failures' own LRU (caller holds the lock); a cached chain stays."""
        self.failures[url] = _Failure(reason, now + FAILURE_TTL)
        self.failures.move_to_end(url)
        while len(self.failures) > FAILURE_CACHE_SIZE:
            self.failures.popitem(last=False)

    def _check(self, url: str, chain: Chain, now: datetime) -> None:
        """Per-request date checks; full path validation once per CHAIN_REVALIDATE_INTERVAL.

        A chain that fails them leaves the cache for a short-lived failure, so e.g. an expired
        chain served by S3 is not downloaded again on every request.
        """
        try:
            self._check_uncached(chain, now)
        except VerificationError as exc:
            with self._lock:
                if self.entries.get(url) is chain:
                    del self.entries[url]
                    self._remember_failure(url, exc.reason, now)
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
