"""Faults on the network edges: a Settings API that never answers, one whose host name takes
5 s to (not) resolve, and clients that send part of a body and stall."""

from __future__ import annotations

import contextlib
import socket
import threading
from pathlib import Path

from tests.chaos.child import ServerSpec
from tests.chaos.faults import Fault

#: A name that must never reach a real resolver (.invalid is reserved, RFC 2606); the child's
#: patched lookup makes it take 5 s and fail, as a resolver that times out does.
UNRESOLVABLE_HOST = "settings-api.chaos.invalid"


class SilentListener:
    """A loopback port that accepts connections and never reads or answers."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0), backlog=256)
        self.sock.settimeout(0.2)
        self.port = int(self.sock.getsockname()[1])
        self.held: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, name="silent-api", daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(TimeoutError, OSError):
                self.held.append(self.sock.accept()[0])

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        for conn in [*self.held, self.sock]:
            conn.close()


class SilentSettingsApi(Fault):
    """In the window, the devices' `apiEndpoint` is a local port that accepts and never answers
    (plain HTTP: the skill's client allows it on loopback). A new endpoint rather than the
    working API falling silent, because answers are kept per (endpoint, device) for an hour:
    this way every session launched in the window asks, as new devices would."""

    name = "silent Settings API"

    def prepare(self, workdir: Path, stack: contextlib.ExitStack) -> None:
        super().prepare(workdir, stack)
        self.listener = SilentListener()
        stack.callback(self.listener.close)

    def api_endpoint(self) -> str | None:
        return f"http://127.0.0.1:{self.listener.port}"


class UnresolvableSettingsApi(Fault):
    """In the window, the devices' `apiEndpoint` names a host whose lookup takes 5 s and fails
    (the server child patches socket.getaddrinfo for that one name)."""

    name = "unresolvable Settings API"

    def server_spec(self, port: int) -> ServerSpec:
        spec = super().server_spec(port)
        spec.slow_hosts.append(UNRESOLVABLE_HOST)
        return spec

    def api_endpoint(self) -> str | None:
        return f"https://{UNRESOLVABLE_HOST}"


class SlowBodyClients(Fault):
    """In the window, 64 connections send a request's headers and the start of its body, then
    stall until the window closes; the people keep stretching meanwhile."""

    name = "slow-body clients"
    CONNECTIONS = 64

    def server_spec(self, port: int) -> ServerSpec:
        self.port = port
        return super().server_spec(port)

    def start(self) -> None:
        head = (
            b"POST /alexa HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: 4096\r\n\r\n"
        ) + b'{"version": "1.0", "request": {'
        self.socks: list[socket.socket] = []
        for _ in range(self.CONNECTIONS):
            sock = socket.create_connection(("127.0.0.1", self.port), timeout=5)
            sock.sendall(head)
            self.socks.append(sock)

    def stop(self) -> None:
        for sock in self.socks:
            sock.close()
