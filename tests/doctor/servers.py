"""Local stand-ins for what doctor talks to on the network: the skill's public HTTPS endpoint
(the real app behind a real TLS server, with a test CA) and an SNTP time server."""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import ntplib
from cryptography.hazmat.primitives import serialization
from werkzeug.serving import make_server

from tests.certs import make_chain


def tls_files(folder: Path, names: tuple[str, ...], *, days: int = 90) -> tuple[Path, Path, Path]:
    """(CA file, certificate chain, key) for a server certificate naming `names`, from the test
    PKI (root -> intermediate -> leaf), valid from yesterday for `days`."""
    now = datetime.now(UTC)
    chain = make_chain(
        san=names, not_before=now - timedelta(days=1), not_after=now + timedelta(days=days)
    )
    ca_file, cert_file, key_file = folder / "ca.pem", folder / "chain.pem", folder / "key.pem"
    ca_file.write_bytes(chain.root.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(chain.pem_chain)
    key_file.write_bytes(
        chain.leaf_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return ca_file, cert_file, key_file


@contextmanager
def serving(app: Any, tls: tuple[Path, Path] | None) -> Iterator[int]:
    """`app` on a loopback port (HTTPS with the given chain and key, else plain HTTP)."""
    context = None
    if tls is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*tls)
    server = make_server("127.0.0.1", 0, app, threaded=True, ssl_context=context)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.port
    finally:
        server.shutdown()
        thread.join(5)


class FakeNtp:
    """An SNTP server on loopback UDP whose clock is `offset_s` ahead of this host's; silent
    when `answer` is false."""

    def __init__(self, offset_s: float = 0.0, *, answer: bool = True) -> None:
        self.offset_s = offset_s
        self.answer = answer
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.address = f"127.0.0.1:{self.sock.getsockname()[1]}"
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        while not self.stopped.is_set():
            try:
                data, peer = self.sock.recvfrom(512)
            except TimeoutError:
                continue
            if not self.answer:
                continue
            request = ntplib.NTPPacket()
            request.from_data(data)
            now = ntplib.system_to_ntp_time(time.time() + self.offset_s)
            reply = ntplib.NTPPacket(version=4, mode=4, tx_timestamp=now)
            reply.stratum = 2
            # The fields NTPPacket.to_data packs (set by name: nothing here reads them back).
            vars(reply).update(orig_timestamp=request.tx_timestamp, recv_timestamp=now)
            self.sock.sendto(reply.to_data(), peer)

    def __enter__(self) -> FakeNtp:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stopped.set()
        self.thread.join(5)
        self.sock.close()
