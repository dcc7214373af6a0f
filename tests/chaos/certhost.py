"""The dripping certificate host: production mode, verification ON, through the real fetcher.

The child's lookups of Amazon's certificate host answer a local TLS server (the child patches
socket.getaddrinfo for that one name), whose certificate is issued by the test CA, trusted by
the child through REQUESTS_CA_BUNDLE; the same CA is the verifier's trust root. Normally the
server hands out the signing chain; in the window it drips every answer at 1 byte/s. The
people sign their requests with the chain the verifier cached in the warm-up; meanwhile a few
senders post requests that each name a new certificate URL (what an unsigned caller can do).
"""

from __future__ import annotations

import contextlib
import json
import ssl
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests
from cryptography.hazmat.primitives import serialization

from skill.alexa.verification.cert_url import CERT_URL_HOST
from tests.builders import APP_ID, RequestBuilder
from tests.certs import CertChain, make_chain
from tests.chaos.child import ServerSpec
from tests.chaos.faults import Fault
from tests.chaos.person import Recorder, Sample, Signer, Stage, timed_post

GOOD_PATH = "/echo.api/echo-api-cert-chaos.pem"
DRIP_BYTES_PER_S = 1.0
NEW_URL_SENDERS = 2


class _CertHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    host: CertHost  # set on the per-server subclass

    def do_GET(self) -> None:
        if self.host.dripping.is_set():
            self._drip()
            return
        found = self.path == GOOD_PATH
        body = self.host.chain_pem if found else b"not found"
        self.send_response(200 if found else 404)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _drip(self) -> None:
        """Promise a chain-sized body and send it a byte at a time, until the window closes."""
        self.send_response(200)
        self.send_header("Content-Length", "6000")
        self.send_header("Connection", "close")  # one drip per connection
        self.end_headers()
        self.wfile.flush()
        with contextlib.suppress(OSError):
            while self.host.dripping.is_set():
                self.wfile.write(b"-")
                self.wfile.flush()
                time.sleep(1 / DRIP_BYTES_PER_S)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


class CertHost:
    """HTTPS on a free loopback port, as the certificate host (see the module docstring)."""

    def __init__(self, workdir: Path, signing: CertChain, tls: CertChain) -> None:
        self.chain_pem = signing.pem_chain
        self.dripping = threading.Event()
        cert_file, key_file = workdir / "tls-chain.pem", workdir / "tls-key.pem"
        cert_file.write_bytes(tls.pem_chain)
        key_file.write_bytes(
            tls.leaf_key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert_file, key_file)
        handler = type("Handler", (_CertHandler,), {"host": self})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port = int(self.server.server_address[1])
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.dripping.clear()
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)


class DrippingCertHost(Fault):
    name = "dripping certificate host"

    def prepare(self, workdir: Path, stack: contextlib.ExitStack) -> None:
        super().prepare(workdir, stack)
        now = datetime.now(UTC)
        valid = {"not_before": now - timedelta(days=1), "not_after": now + timedelta(days=30)}
        self.signing = make_chain(**valid)
        tls = make_chain(san=(CERT_URL_HOST,), leaf_key_role="chaos-cert-host", **valid)
        self.roots = workdir / "test-ca.pem"
        self.roots.write_bytes(self.signing.root.public_bytes(serialization.Encoding.PEM))
        self.host = CertHost(workdir, self.signing, tls)
        stack.callback(self.host.close)

    def server_spec(self, port: int) -> ServerSpec:
        spec = super().server_spec(port)
        spec.skill_id = APP_ID
        spec.trust_roots_pem = str(self.roots)
        spec.host_map[CERT_URL_HOST] = self.host.port
        spec.env["REQUESTS_CA_BUNDLE"] = str(self.roots)
        return spec

    def signer(self) -> Signer | None:
        return Signer(f"https://{CERT_URL_HOST}{GOOD_PATH}", self.signing.leaf_key)

    def start(self) -> None:
        self.host.dripping.set()

    def stop(self) -> None:
        self.host.dripping.clear()

    def load(self, base_url: str, stage: Stage, recorder: Recorder) -> list[threading.Thread]:
        return [
            threading.Thread(target=self._new_urls, args=(base_url, stage, recorder), daemon=True)
            for _ in range(NEW_URL_SENDERS)
        ]

    def _new_urls(self, base_url: str, stage: Stage, recorder: Recorder) -> None:
        """Launch requests, each naming a certificate URL never seen before."""
        builder = RequestBuilder(user_id=f"amzn1.ask.account.CHAOS-NEWURL-{uuid.uuid4().hex}")
        with requests.Session() as http:
            http.trust_env = False
            while not stage.stop.wait(0.1):
                body = json.dumps(builder.launch(session_id="amzn1.echo-api.session.x")).encode()
                url = f"https://{CERT_URL_HOST}/echo.api/chaos-{uuid.uuid4().hex}.pem"
                headers = {"Content-Type": "application/json"}
                headers |= Signer(url, self.signing.leaf_key).headers(body)
                phase, sent = stage.phase, time.monotonic()
                latency, status, _ = timed_post(http, f"{base_url}/alexa", body, headers)
                recorder.add(Sample("new cert URL", phase, latency, status, sent))
