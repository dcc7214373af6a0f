"""A stand-in for the system resolver: loopback names resolve as usual, `*.dead-resolver.test`
blocks (a resolver that never answers), anything else does not exist (no test reaches DNS)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

LOCAL = {"localhost", "127.0.0.1", "::1", None}
DEAD = ".dead-resolver.test"


@contextmanager
def stub_resolver(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Install the stand-in; yields the names doctor asked it about."""
    real = socket.getaddrinfo
    release = threading.Event()
    asked: list[str] = []

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host in LOCAL or isinstance(host, bytes):
            return real(host, *args, **kwargs)
        asked.append(str(host))
        if str(host).endswith(DEAD):
            release.wait(60)  # a resolver that never answers (let go when the test ends)
            raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    try:
        yield asked
    finally:
        release.set()
