"""The default certificate fetcher: one HTTPS GET, bounded in total time and in size.

Why not requests: its timeouts bound each socket read, not the download, so a server sending
one byte a second kept a download thread alive for as long as it liked (issue 17, finding 7,
measured 60 s and more against a stated 3 s). Nor http.client's own connect: it gives the
whole timeout to each resolved address, then again to the TLS handshake, and each read of a
proxy's answer to CONNECT gets it afresh (a host with two addresses cost 6 s + 3 s per extra
address; a proxy dripping its answer, as long as it liked). So every step is ours and given
only what is left of one overall deadline: each address's TCP connect, the CONNECT exchange
with an HTTPS proxy, the TLS handshake (CPython bounds the whole handshake by the socket's
timeout, not each read), the request and every read of the answer; http.client only formats
the request and parses the answer on the socket it is handed. The download ends by the
deadline whatever the host or proxy does. Name resolution (of the host, or of the proxy) is
the one step no socket timeout covers; the chain cache bounds how many downloads can be
waiting on it (chain_cache.MAX_DOWNLOADS).
"""

from __future__ import annotations

import base64
import http.client
import io
import os
import socket
import ssl
import sys
import time
import urllib.request
from collections.abc import Callable
from typing import Any
from urllib.parse import SplitResult, unquote, urlsplit

CertFetcher = Callable[[str], bytes]
"""url -> PEM bytes; raises on failure (any exception type: the verifier converts it)."""

#: Hard upper bound for one certificate download (connect + TLS + headers + body), after name
#: resolution. verify() waits less than this (chain_cache.WAIT_SECONDS); a download that ends
#: later still fills the cache for the next request.
FETCH_TIMEOUT_SECONDS = 3.0
#: The real chain is ~5 KB; anything much bigger is not an Alexa certificate chain.
FETCH_MAX_BYTES = 64 * 1024


class _Deadline:
    def __init__(self, seconds: float) -> None:
        self.at = time.monotonic() + seconds

    def left(self) -> float:
        """Seconds left; TimeoutError when none are."""
        left = self.at - time.monotonic()
        if left <= 0:
            raise TimeoutError("certificate download exceeded its time budget")
        return left


class _DeadlineReader(io.RawIOBase):
    """The socket's bytes, each read allowed only what is left of the deadline."""

    def __init__(self, sock: socket.socket, deadline: _Deadline) -> None:
        super().__init__()
        self._sock = sock
        self._deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        self._sock.settimeout(self._deadline.left())
        return self._sock.recv_into(buffer)


class _DeadlineSocket:
    """What http.client needs of a socket (sendall, makefile, close), under one deadline.
    http.client closes its socket while the response still reads from it (it relies on the
    socket's count of open files); here fetch_cert_chain closes the real socket, once, at
    the end, so `close` does nothing."""

    def __init__(self, sock: socket.socket, deadline: _Deadline) -> None:
        self._sock = sock
        self._deadline = deadline

    def sendall(self, data: bytes) -> None:
        self._sock.settimeout(self._deadline.left())
        self._sock.sendall(data)

    def makefile(self, mode: str = "rb", *args: Any, **kwargs: Any) -> io.BufferedReader:
        return io.BufferedReader(_DeadlineReader(self._sock, self._deadline))

    def close(self) -> None:
        pass


def _ca_bundle() -> str:
    """The CA bundle requests would use: the one the environment names (REQUESTS_CA_BUNDLE,
    then CURL_CA_BUNDLE, as requests reads them; e.g. a company's TLS-inspecting proxy), else
    certifi's."""
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        if value := os.environ.get(name, "").strip():
            return value
    import certifi

    return str(certifi.where())


def _open(host: str, port: int, deadline: _Deadline) -> socket.socket:
    """A TCP connection to `host`, its addresses tried in turn, each with only the time left
    (socket.create_connection would give each the whole timeout)."""
    failure: OSError = OSError(f"{host} resolved to no address")
    for family, kind, proto, _, address in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        left = deadline.left()  # TimeoutError once none is
        sock = socket.socket(family, kind, proto)
        try:
            sock.settimeout(left)
            sock.connect(address)
            return sock
        except OSError as exc:
            sock.close()
            failure = exc
    raise failure


def _tunnel(
    sock: socket.socket, host: str, port: int, proxy: SplitResult, deadline: _Deadline
) -> None:
    """Ask the HTTPS proxy on `sock` for a tunnel to host:port; its answer read under the
    deadline (http.client's tunnel gave each read the whole timeout afresh)."""
    authority = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    lines = [f"CONNECT {authority} HTTP/1.1", f"Host: {authority}"]
    if proxy.username is not None:
        login = f"{unquote(proxy.username)}:{unquote(proxy.password or '')}"
        lines.append("Proxy-Authorization: Basic " + base64.b64encode(login.encode()).decode())
    wrapped = _DeadlineSocket(sock, deadline)
    wrapped.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
    answer = http.client.HTTPResponse(wrapped, method="CONNECT")  # type: ignore[arg-type]
    answer.begin()  # the status line and headers only: the tunnel's bytes follow
    if answer.status != 200:
        raise OSError(f"HTTPS proxy refused the tunnel: HTTP {answer.status}")


def _connection(
    url: str, deadline: _Deadline
) -> tuple[http.client.HTTPConnection, socket.socket, str]:
    """An open connection for `url` (through the environment's HTTPS proxy, if it names one
    for this host), its socket (the caller closes it) and the request target."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    target = parts.path or "/"
    if parts.scheme == "http":  # tests' local servers; production URLs are https (cert_url)
        port = parts.port or 80
        conn: http.client.HTTPConnection = http.client.HTTPConnection(host, port)
        sock = _open(host, port, deadline)
    elif parts.scheme == "https":
        port = parts.port or 443
        context = ssl.create_default_context(cafile=_ca_bundle())
        conn = http.client.HTTPSConnection(host, port, context=context)  # never connects itself
        proxy = urllib.request.getproxies().get("https")
        via: SplitResult | None = None
        if proxy and not urllib.request.proxy_bypass(host):
            via = urlsplit(proxy if "://" in proxy else f"http://{proxy}")
            sock = _open(via.hostname or "", via.port or 80, deadline)
        else:
            sock = _open(host, port, deadline)
        try:
            if via is not None:
                _tunnel(sock, host, port, via, deadline)
            sock.settimeout(deadline.left())  # the whole handshake gets only what is left
            sock = context.wrap_socket(sock, server_hostname=host)
        except BaseException:
            sock.close()
            raise
    else:
        raise OSError(f"certificate URL scheme {parts.scheme!r} is not supported")
    conn.sock = _DeadlineSocket(sock, deadline)  # type: ignore[assignment]
    return conn, sock, target


def fetch_cert_chain(
    url: str, *, timeout: float = FETCH_TIMEOUT_SECONDS, max_bytes: int = FETCH_MAX_BYTES
) -> bytes:
    """Default CertFetcher: GET `url` within `timeout` seconds in total, at most `max_bytes`.
    Redirects are not followed (they could leave s3.amazonaws.com)."""
    deadline = _Deadline(timeout)
    conn, sock, target = _connection(url, deadline)
    try:
        conn.request("GET", target, headers={"Accept": "application/x-pem-file, */*"})
        response = conn.getresponse()
        if response.status != 200:
            raise OSError(f"certificate download returned HTTP {response.status}")
        declared = response.getheader("Content-Length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise OSError("certificate download too large")
        data = response.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise OSError("certificate download too large")
        return data
    finally:
        conn.close()
        sock.close()


def is_timeout(exc: Exception) -> bool:
    """A download that ran out of time: ours (TimeoutError), or a requests timeout from a
    fetcher built on requests (requests is imported by whoever raised one, if anyone did)."""
    if isinstance(exc, TimeoutError):
        return True
    requests = sys.modules.get("requests")
    return requests is not None and isinstance(exc, requests.Timeout)
