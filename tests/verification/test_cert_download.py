"""The default certificate fetcher, against a local HTTP server."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from skill.alexa.verification import (
    fetch_cert_chain,
)
from tests.certs import CertChain
from tests.verification.support import (
    FakeClock,
    assert_rejected,
    envelope,
    make_verifier,
    signed,
)

# --------------------------------------------------------------------------------------------
# the default fetcher, against a local HTTP server


class _Handler(http.server.BaseHTTPRequestHandler):
    """Behaviour chosen by path: /sleep, /404, /big, anything else serves the PEM."""

    pem: bytes = b""

    def do_GET(self) -> None:
        try:
            if self.path.startswith("/sleep"):
                time.sleep(5)
                payload, status = self.pem, 200
            elif self.path.startswith("/404"):
                payload, status = b"no", 404
            elif self.path.startswith("/big"):
                payload, status = b"x" * (65 * 1024), 200
            else:
                payload, status = self.pem, 200
            self.send_response(status)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except OSError:
            pass  # the client gave up: expected in the timeout test

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def local_server(chain: CertChain) -> Iterator[str]:
    handler = type("Handler", (_Handler,), {"pem": chain.pem_chain})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_default_fetcher_downloads(local_server: str, chain: CertChain) -> None:
    assert fetch_cert_chain(local_server + "/echo.api/cert.pem") == chain.pem_chain


@pytest.mark.parametrize(("path", "reason"), [("/404", "HTTP 404"), ("/big", "too large")])
def test_default_fetcher_refuses(local_server: str, path: str, reason: str) -> None:
    with pytest.raises(OSError, match=reason):
        fetch_cert_chain(local_server + path)


def test_default_fetcher_errors_become_verification_errors(
    local_server: str, clock: FakeClock, chain: CertChain
) -> None:
    verifier = make_verifier(lambda url: fetch_cert_chain(local_server + "/404"), clock)
    env = envelope()
    headers, body = signed(env, chain)
    assert_rejected(verifier, headers, body, env, "download failed")


@pytest.mark.slow
def test_default_fetcher_timeout_bounded(
    local_server: str, clock: FakeClock, chain: CertChain
) -> None:
    verifier = make_verifier(lambda url: fetch_cert_chain(local_server + "/sleep"), clock)
    env = envelope()
    headers, body = signed(env, chain)
    started = time.monotonic()
    assert_rejected(verifier, headers, body, env, "timed out")
    assert time.monotonic() - started < 3.5
