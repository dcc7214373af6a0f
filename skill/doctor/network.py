"""Name lookups and connections with a deadline, so a dead resolver cannot hang doctor.

Socket timeouts do not cover DNS: `getaddrinfo` blocks for resolv.conf's timeout times its
attempts (10-30 s with the defaults), longer with several search domains. So doctor resolves
each host once, in a daemon thread it stops waiting for after `DNS_TIMEOUT_S`, and then connects
to the address it got: TLS still checks the certificate against the host name
(`server_hostname`), and HTTP still sends the host name in `Host`.
"""

from __future__ import annotations

import socket
import ssl
import threading
from typing import Any
from urllib.parse import urlsplit

import urllib3

DNS_TIMEOUT_S = 5.0
HTTP_TIMEOUT_S = 5.0


class ResolveError(OSError):
    """The host name did not resolve (no answer in time, or the resolver said no)."""


def resolve(host: str, port: int, *, udp: bool = False) -> list[tuple[Any, ...]]:
    """getaddrinfo's answer for host:port within `DNS_TIMEOUT_S` (the thread that asked is
    left behind if the resolver never answers: a daemon, it does not keep doctor alive)."""
    found: dict[str, Any] = {}
    done = threading.Event()
    kind = socket.SOCK_DGRAM if udp else socket.SOCK_STREAM

    def lookup() -> None:
        try:
            found["addresses"] = socket.getaddrinfo(host, port, type=kind)
        except Exception as exc:  # any failure (gaierror, UnicodeError for odd names) is reported
            found["error"] = exc
        finally:
            done.set()

    threading.Thread(target=lookup, name=f"doctor-dns-{host}", daemon=True).start()
    if not done.wait(DNS_TIMEOUT_S):
        raise ResolveError(f"no DNS answer for {host} within {DNS_TIMEOUT_S:g} s")
    if "error" in found:
        raise ResolveError(f"cannot resolve {host}: {found['error']}")
    if not found["addresses"]:
        raise ResolveError(f"cannot resolve {host}: no addresses")
    return list(found["addresses"])


def address(host: str, port: int, *, udp: bool = False) -> str:
    """The first address `host` resolves to (an IP address as text)."""
    return str(resolve(host, port, udp=udp)[0][4][0])


def connect(host: str, port: int, timeout_s: float = HTTP_TIMEOUT_S) -> socket.socket:
    """A TCP connection to the first of host's addresses that answers."""
    last: OSError | None = None
    for family, kind, proto, _, sockaddr in resolve(host, port):
        sock = socket.socket(family, kind, proto)
        sock.settimeout(timeout_s)
        try:
            sock.connect(sockaddr)
        except OSError as exc:
            sock.close()
            last = exc
            continue
        return sock
    raise last or ResolveError(f"cannot connect to {host}:{port}")


class Client:
    """HTTP(S) requests to pre-resolved addresses: one lookup per host, TLS verified against
    the host name when `context` verifies at all."""

    def __init__(self, context: ssl.SSLContext) -> None:
        self.context = context
        self._pools: dict[tuple[str, str, int], urllib3.HTTPConnectionPool] = {}

    def request(
        self,
        method: str,
        url: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> urllib3.BaseHTTPResponse:
        """One request, no redirects followed, no retries; ValueError for a URL that does not
        parse, OSError (ResolveError) or urllib3.exceptions.HTTPError when it fails."""
        parts = urlsplit(url)
        host = parts.hostname or ""
        https = parts.scheme == "https"
        port = parts.port or (443 if https else 80)
        pool = self._pool(parts.scheme, host, port)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        sent = {"Host": parts.netloc.rpartition("@")[2], **(headers or {})}
        return pool.urlopen(method, target, body=body, headers=sent, redirect=False, retries=False)

    def _pool(self, scheme: str, host: str, port: int) -> urllib3.HTTPConnectionPool:
        key = (scheme, host, port)
        if key not in self._pools:
            ip = address(host, port)
            timeout = urllib3.Timeout(connect=HTTP_TIMEOUT_S, read=HTTP_TIMEOUT_S)
            if scheme == "https":
                verify = self.context.verify_mode != ssl.CERT_NONE
                self._pools[key] = urllib3.HTTPSConnectionPool(
                    ip,
                    port,
                    timeout=timeout,
                    retries=False,
                    ssl_context=self.context,
                    cert_reqs=self.context.verify_mode,
                    server_hostname=host,
                    assert_hostname=host if verify and self.context.check_hostname else False,
                )
            else:
                self._pools[key] = urllib3.HTTPConnectionPool(
                    ip, port, timeout=timeout, retries=False
                )
        return self._pools[key]

    def close(self) -> None:
        for pool in self._pools.values():
            pool.close()
        self._pools.clear()
