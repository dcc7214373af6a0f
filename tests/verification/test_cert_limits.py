"""Certificate fetching cannot be turned against the server (issue 17, finding 7): a dripping
host is given up on in time, by verify() and by the download itself; downloads at once are
bounded, and a flood of forged URLs cannot lock the real one out; failures never push a trusted
chain out; a chain due for its refresh keeps serving while the refresh runs or fails."""

from __future__ import annotations

import contextlib
import http.server
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import certifi
import pytest

from skill.alexa.verification import (
    RequestVerifier,
    VerificationError,
    cert_download,
    chain_cache,
    fetch_cert_chain,
)
from tests.certs import CertChain
from tests.verification.support import (
    CERT_URL,
    FakeClock,
    FakeFetcher,
    assert_rejected,
    envelope,
    make_verifier,
    serving_drip,
    signed,
    trusted_local_tls,
)


@pytest.fixture
def drip() -> Iterator[str]:
    with serving_drip() as url:
        yield url


@pytest.fixture
def tls_drip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The drip server over TLS, with a certificate for 127.0.0.1 that the fetcher trusts
    (certifi's bundle is pointed at it for the test)."""
    context = trusted_local_tls(tmp_path, monkeypatch, "tls-drip")

    class TlsServer(http.server.ThreadingHTTPServer):
        def get_request(self) -> tuple[socket.socket, object]:
            sock, address = super().get_request()
            return context.wrap_socket(sock, server_side=True), address

        def handle_error(self, request: object, client_address: object) -> None:
            pass

    with serving_drip(TlsServer) as url:
        yield url


def fetch_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "alexa-cert-fetch"]


def wait_until(condition: object, seconds: float) -> float:
    """Seconds it took `condition()` to hold (fails after `seconds`)."""
    started = time.monotonic()
    while not condition():  # type: ignore[operator]
        assert time.monotonic() - started < seconds, "condition never held"
        time.sleep(0.02)
    return time.monotonic() - started


def new_url(n: int) -> str:
    return f"https://s3.amazonaws.com/echo.api/never-seen-{n}.pem"


# --------------------------------------------------------------------------------------------
# the real fetcher: one deadline for the whole download, whatever the server does


@pytest.mark.parametrize("path", ["/body", "/headers"])
def test_a_dripping_host_is_given_up_on_at_the_deadline(drip: str, path: str) -> None:
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        fetch_cert_chain(drip + path, timeout=0.5)
    assert 0.45 <= time.monotonic() - started < 0.8  # reads of 1 byte never reset the clock


def test_the_deadline_holds_over_tls(tls_drip: str) -> None:
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        fetch_cert_chain(tls_drip + "/body", timeout=0.5)
    assert time.monotonic() - started < 0.8


def test_the_environment_s_ca_bundle_is_trusted_as_requests_would(
    tls_drip: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """REQUESTS_CA_BUNDLE names the bundle (e.g. a company proxy's CA), not certifi's."""
    trusted = certifi.where()
    monkeypatch.setattr("certifi.where", lambda: "/nonexistent/bundle.pem")
    with pytest.raises(FileNotFoundError):  # certifi's (here missing) bundle is used...
        fetch_cert_chain(tls_drip + "/body", timeout=0.5)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", trusted)
    with pytest.raises(TimeoutError):  # ...unless the environment names one: TLS, then the drip
        fetch_cert_chain(tls_drip + "/body", timeout=0.5)


@pytest.mark.slow
def test_verify_answers_in_time_and_the_download_ends_by_itself(
    drip: str, clock: FakeClock, chain: CertChain
) -> None:
    """Production budgets: verify() waits WAIT_SECONDS, the download thread ends within
    FETCH_TIMEOUT_SECONDS (it was alive 60 s and more before)."""
    verifier = make_verifier(lambda url: fetch_cert_chain(drip + "/body"), clock)
    env = envelope()
    headers, body = signed(env, chain)
    started = time.monotonic()
    assert_rejected(verifier, headers, body, env, "timed out")
    assert time.monotonic() - started < chain_cache.WAIT_SECONDS + 0.4  # + a loaded machine
    assert len(fetch_threads()) == 1
    wait_until(lambda: not fetch_threads(), 3.5 - (time.monotonic() - started))


def test_threads_stay_flat_over_20_requests_with_new_urls(
    drip: str, clock: FakeClock, chain: CertChain, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(chain_cache, "WAIT_SECONDS", 0.1)
    fetched: list[str] = []

    def fetch(url: str) -> bytes:
        fetched.append(url)
        return fetch_cert_chain(drip + "/body", timeout=0.4)

    verifier = make_verifier(fetch, clock)
    env = envelope()
    most = 0
    started = time.monotonic()
    for n in range(20):  # each starts a 0.4 s download and waits 0.1 s for it
        headers, body = signed(env, chain, url=new_url(n))
        assert_rejected(verifier, headers, body, env, "")
        most = max(most, len(fetch_threads()))
    assert time.monotonic() - started < 20 * chain_cache.WAIT_SECONDS + 1
    assert most <= chain_cache.MAX_DOWNLOADS
    assert len(fetched) <= 20
    wait_until(lambda: not fetch_threads(), 1.0)


# --------------------------------------------------------------------------------------------
# the chain cache's bounds


def hit(verifier: RequestVerifier, chain: CertChain, url: str, clock: FakeClock) -> None:
    env = envelope(now=clock.now)
    headers, body = signed(env, chain, url=url)
    verifier.verify(headers, body, env)


def test_failures_never_evict_a_trusted_chain(clock: FakeClock, chain: CertChain) -> None:
    fetcher = FakeFetcher(
        responses={CERT_URL: chain.pem_chain}, default=ConnectionError("no such key")
    )
    verifier = make_verifier(fetcher, clock)
    hit(verifier, chain, CERT_URL, clock)
    for n in range(100):
        env = envelope(now=clock.now)
        headers, body = signed(env, chain, url=new_url(n))
        assert_rejected(verifier, headers, body, env, "download failed")
    assert len(fetcher.calls) == 101
    hit(verifier, chain, CERT_URL, clock)
    assert fetcher.calls.count(CERT_URL) == 1  # still cached: no download for it
    assert len(verifier.chains.failures) == 100


def test_a_flood_of_forged_new_urls_cannot_lock_out_the_real_chain(
    clock: FakeClock, chain: CertChain
) -> None:
    """After a restart (or when Amazon moves its chain) the real URL is new too. 200 forged
    requests naming made-up echo.api/ URLs, from 8 senders, must not stop the real URL from
    being fetched once their downloads are over (a per-minute budget of new URLs did: the
    flood spent it and real requests were refused until the minute passed). During the flood
    a real request is refused only if every download slot is busy at that instant."""
    in_flight, most = [0], [0]
    lock = threading.Lock()

    def s3(url: str) -> bytes:  # S3 answers a made-up key with a quick 403
        with lock:
            in_flight[0] += 1
            most[0] = max(most[0], in_flight[0])
        try:
            time.sleep(0.01)
            if url == CERT_URL:
                return chain.pem_chain
            raise OSError("certificate download returned HTTP 403")
        finally:
            with lock:
                in_flight[0] -= 1

    verifier = make_verifier(s3, clock)
    env = envelope(now=clock.now)
    forged = iter(range(200))
    refused = []

    def sender() -> None:
        for n in forged:  # shared: 200 URLs in all
            headers, body = signed(env, chain, url=new_url(n))
            try:
                verifier.verify(headers, body, env)
            except VerificationError as exc:
                refused.append(exc.reason)

    started = time.monotonic()
    senders = [threading.Thread(target=sender) for _ in range(8)]
    for thread in senders:
        thread.start()
    for thread in senders:
        thread.join()
    assert time.monotonic() - started < 5  # "a few seconds"
    assert len(refused) == 200  # none of them got in
    assert most[0] <= chain_cache.MAX_DOWNLOADS
    wait_until(lambda: not fetch_threads(), 2)  # the flood's downloads are over
    hit(verifier, chain, CERT_URL, clock)  # the real chain: fetched and trusted
    hit(verifier, chain, CERT_URL, clock)  # and cached


def test_downloads_at_once_are_bounded(clock: FakeClock, chain: CertChain) -> None:
    release = threading.Event()
    verifier = make_verifier(lambda url: release.wait(5) and chain.pem_chain, clock)
    env = envelope()
    waiters = []

    def attempt(headers: dict[str, str], body: bytes) -> None:
        with contextlib.suppress(VerificationError):  # accepted once released: fine too
            verifier.verify(headers, body, env)

    for n in range(chain_cache.MAX_DOWNLOADS):
        waiter = threading.Thread(target=attempt, args=signed(env, chain, url=new_url(n)))
        waiter.start()
        waiters.append(waiter)
    wait_until(lambda: len(fetch_threads()) == chain_cache.MAX_DOWNLOADS, 2)
    headers, body = signed(env, chain, url=new_url(99))
    started = time.monotonic()
    assert_rejected(verifier, headers, body, env, "too many certificate downloads")
    assert time.monotonic() - started < 0.1
    release.set()
    for waiter in waiters:
        waiter.join()


@pytest.mark.parametrize(
    ("env", "reason"),
    [
        (envelope(age_seconds=151), "too old"),
        (envelope(age_seconds=-151), "future"),
        (envelope(app_id="amzn1.ask.skill.someone-else"), "does not match"),
    ],
)
def test_replayed_or_foreign_requests_never_cause_a_download(
    verifier: RequestVerifier, chain: CertChain, fetcher: FakeFetcher, env: dict, reason: str
) -> None:
    headers, body = signed(env, chain, url=new_url(1))
    assert_rejected(verifier, headers, body, env, reason)
    assert fetcher.calls == []


def test_a_chain_due_for_refresh_keeps_serving_while_the_host_fails(
    clock: FakeClock, chain: CertChain
) -> None:
    fetcher = FakeFetcher(default=[chain.pem_chain, TimeoutError("drip")])
    verifier = make_verifier(fetcher, clock)
    hit(verifier, chain, CERT_URL, clock)
    clock.advance(hours=25)
    started = time.monotonic()
    hit(verifier, chain, CERT_URL, clock)  # served at once; the refresh runs behind it
    assert time.monotonic() - started < 0.1
    wait_until(lambda: len(fetcher.calls) == 2 and not fetch_threads(), 2)
    hit(verifier, chain, CERT_URL, clock)  # the failed refresh did not take the chain away
    assert len(fetcher.calls) == 2  # and is not retried before FAILURE_TTL


def test_each_read_gets_only_the_time_left_and_none_after() -> None:
    """The socket-level bound itself: a read waits at most until the deadline, and once it has
    passed no read is even tried, though bytes are waiting."""
    ours, theirs = socket.socketpair()
    with ours, theirs:
        deadline = cert_download._Deadline(0.3)
        raw = cert_download._DeadlineReader(ours, deadline)
        assert raw.readable()
        buffer = bytearray(8)
        theirs.sendall(b"a")
        assert raw.readinto(buffer) == 1
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            raw.readinto(buffer)  # nothing comes: given up at the deadline, not a fresh 0.3 s
        assert time.monotonic() - started < 0.35
        theirs.sendall(b"b")
        with pytest.raises(TimeoutError):
            cert_download._DeadlineSocket(ours, deadline).makefile("rb").read(1)
