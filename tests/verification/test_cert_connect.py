"""The download's one deadline covers the connect and the TLS handshake too, directly and
through an HTTPS proxy's tunnel: a host whose first address never answers the SYN, a server
that accepts TCP and then stalls or drips the handshake, a proxy that drips its answer to
CONNECT, cannot stretch fetch_cert_chain(timeout=0.5) past ~0.6 s."""

from __future__ import annotations

import contextlib
import select
import socket
import socketserver
import ssl
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from skill.alexa.verification import fetch_cert_chain
from tests.verification.support import trusted_local_tls

BOUND = 0.5
SLACK = 0.15  # a loaded machine's scheduling, on top of the bound


class _Handler(socketserver.BaseRequestHandler):
    """Per connection, by the server's `mode`: 'stall' (accept, say nothing), 'drip' (a TLS
    record header promising 16 KB, then a byte every 0.05 s), 'serve' (TLS, then PEM).
    Acting as a proxy (`proxy` set): read the CONNECT, then 'drip-connect' (the 200 answer a
    byte every 0.05 s), 'stall' (answer 200 at once, then relay nothing) or 'relay'."""

    server: Any

    def handle(self) -> None:
        with contextlib.suppress(OSError):
            getattr(self, "_" + self.server.mode.replace("-", "_"))()

    def _until_closed(self) -> None:
        self.request.settimeout(5)
        with contextlib.suppress(OSError):
            while self.request.recv(4096):
                pass

    def _read_connect(self) -> bytes:
        head = b""
        while b"\r\n\r\n" not in head:
            head += self.request.recv(1)
        self.server.connects.append(head)
        return head

    def _stall(self) -> None:
        if self.server.proxy:
            self._read_connect()
            self.request.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        self._until_closed()

    def _drip(self) -> None:
        self.request.sendall(b"\x16\x03\x03\x40\x00")
        for _ in range(100):
            self.request.sendall(b"\x00")
            time.sleep(0.05)

    def _drip_connect(self) -> None:
        self._read_connect()
        for byte in b"HTTP/1.1 200 Connection established\r\nX-Slow: " + b"y" * 100:
            self.request.sendall(bytes([byte]))
            time.sleep(0.05)

    def _serve(self) -> None:
        tls = self.server.tls.wrap_socket(self.request, server_side=True)
        request = b""
        while b"\r\n\r\n" not in request:
            request += tls.recv(4096)
        self.server.requests.append(request)
        body = b"-----PEM-----\n"
        tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
        tls.close()

    def _relay(self) -> None:
        self._read_connect()
        upstream = socket.create_connection(self.server.upstream, timeout=5)
        self.request.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        with upstream:
            ends = [self.request, upstream]
            while True:
                ready, _, _ = select.select(ends, [], [], 5)
                if not ready:
                    return
                for end in ready:
                    data = end.recv(65536)
                    if not data:
                        return
                    (upstream if end is self.request else self.request).sendall(data)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, mode: str, proxy: bool = False, **extra: Any) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.mode, self.proxy = mode, proxy
        self.connects: list[bytes] = []
        self.requests: list[bytes] = []
        self.__dict__.update(extra)

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass


@contextlib.contextmanager
def serving(mode: str, proxy: bool = False, **extra: Any) -> Iterator[_Server]:
    server = _Server(mode, proxy, **extra)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def blackhole() -> Iterator[int]:
    """A port whose listen queue is full: the kernel drops further SYNs, so a connect to it
    waits (Linux retries the SYN after 1 s) until the client's timeout."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    filler = socket.create_connection(("127.0.0.1", port))  # the one queued connection
    with listener, filler:
        yield port


@pytest.fixture
def tls_context(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ssl.SSLContext:
    """A server context for 127.0.0.1 that the fetcher trusts (certifi's bundle points at it)."""
    return trusted_local_tls(tmp_path, monkeypatch, "tls-connect")


@pytest.fixture
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("https_proxy", "HTTPS_PROXY", "no_proxy", "NO_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)


def via_proxy(monkeypatch: pytest.MonkeyPatch, proxy: _Server, auth: str = "") -> None:
    monkeypatch.setenv("https_proxy", f"http://{auth}127.0.0.1:{proxy.server_address[1]}")


def addresses(monkeypatch: pytest.MonkeyPatch, name: str, ports: list[int]) -> None:
    """`name` resolves to 127.0.0.1 once per port, in that order (as a host with several
    addresses does); other names resolve as usual."""
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host != name:
            return real(host, port, *args, **kwargs)
        tcp = (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "")
        return [(*tcp, ("127.0.0.1", p)) for p in ports]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def timed_timeout(url: str) -> float:
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        fetch_cert_chain(url, timeout=BOUND)
    return time.monotonic() - started


# --------------------------------------------------------------------------------------------
# direct


@pytest.mark.usefixtures("no_proxy")
@pytest.mark.parametrize("mode", ["stall", "drip"])
def test_a_stalled_or_dripped_handshake_ends_at_the_deadline(mode: str) -> None:
    with serving(mode) as server:
        elapsed = timed_timeout(f"https://127.0.0.1:{server.server_address[1]}/cert.pem")
    assert elapsed < BOUND + SLACK


@pytest.mark.usefixtures("no_proxy")
def test_connect_and_handshake_share_one_deadline_over_every_address(
    monkeypatch: pytest.MonkeyPatch, blackhole: int
) -> None:
    """The first address never answers; the second accepts and stalls the handshake. Each
    used to get the whole timeout, and the handshake again (~1.0 s here; 6 s + 3 s per extra
    address in production)."""
    with serving("stall") as server:
        addresses(monkeypatch, "cert-host.test", [blackhole, server.server_address[1]])
        elapsed = timed_timeout("https://cert-host.test/cert.pem")
    assert elapsed < BOUND + SLACK


@pytest.mark.usefixtures("no_proxy")
def test_the_next_address_is_tried_when_one_refuses(
    monkeypatch: pytest.MonkeyPatch, tls_context: ssl.SSLContext
) -> None:
    refused = socket.socket()
    refused.bind(("127.0.0.1", 0))  # bound, not listening: connections are refused
    with refused, serving("serve", tls=tls_context) as server:
        addresses(monkeypatch, "127.0.0.1", [refused.getsockname()[1], server.server_address[1]])
        assert fetch_cert_chain("https://127.0.0.1/cert.pem", timeout=BOUND) == b"-----PEM-----\n"
    assert server.requests[0].startswith(b"GET /cert.pem HTTP/1.1\r\n")
    assert b"\r\nHost: 127.0.0.1\r\n" in server.requests[0]  # no ":443" for the default port


# --------------------------------------------------------------------------------------------
# through an HTTPS proxy's CONNECT tunnel


@pytest.mark.usefixtures("no_proxy")
@pytest.mark.parametrize("mode", ["drip-connect", "stall"])
def test_a_proxy_that_drips_or_stalls_the_tunnel_ends_at_the_deadline(
    monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    with serving(mode, proxy=True) as proxy:
        via_proxy(monkeypatch, proxy)
        elapsed = timed_timeout("https://s3.amazonaws.com/echo.api/cert.pem")
    assert elapsed < BOUND + SLACK
    assert proxy.connects[0].startswith(b"CONNECT s3.amazonaws.com:443 HTTP/1.")


@pytest.mark.usefixtures("no_proxy")
def test_a_download_through_a_proxy_tunnel(
    monkeypatch: pytest.MonkeyPatch, tls_context: ssl.SSLContext
) -> None:
    with (
        serving("serve", tls=tls_context) as host,
        serving("relay", proxy=True, upstream=host.server_address) as proxy,
    ):
        via_proxy(monkeypatch, proxy, auth="user:p%40ss@")
        url = f"https://127.0.0.1:{host.server_address[1]}/cert.pem"
        assert fetch_cert_chain(url, timeout=BOUND) == b"-----PEM-----\n"
    connect = proxy.connects[0]
    assert connect.startswith(f"CONNECT 127.0.0.1:{host.server_address[1]} HTTP/1.".encode())
    assert b"\r\nProxy-Authorization: Basic dXNlcjpwQHNz\r\n" in connect  # user:p@ss


@pytest.mark.usefixtures("no_proxy")
def test_a_proxy_refusing_the_tunnel_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    class Refuse(_Handler):
        def handle(self) -> None:
            self._read_connect()
            self.request.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")

    with serving("stall", proxy=True) as proxy:
        proxy.RequestHandlerClass = Refuse
        via_proxy(monkeypatch, proxy)
        with pytest.raises(OSError, match="403"):
            fetch_cert_chain("https://s3.amazonaws.com/echo.api/cert.pem", timeout=BOUND)
