"""Helpers for the request verification tests: a clock and a certificate fetcher the tests
control, realistic envelopes, signing, and the verifier they build."""

from __future__ import annotations

import datetime as dt
import http.server
import ipaddress
import json
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID

from skill.alexa.verification import RequestVerifier, VerificationError
from tests.certs import NOW, CertChain, root_ca, rsa_key

SKILL_ID = "amzn1.ask.skill.00000000-1111-2222-3333-444444444444"
CERT_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert-12.pem"


class FakeClock:
    """Injectable clock the tests can move."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


class FakeFetcher:
    """Serves PEM bytes per URL (or raises) and counts calls."""

    def __init__(self, responses: dict[str, Any] | None = None, default: Any = None) -> None:
        self.responses = responses or {}
        self.default = default
        self.calls: list[str] = []

    def __call__(self, url: str) -> bytes:
        self.calls.append(url)
        outcome = self.responses.get(url, self.default)
        if isinstance(outcome, list):
            outcome = outcome.pop(0)
        if isinstance(outcome, BaseException):
            raise outcome
        if callable(outcome):
            return outcome()
        return outcome


def envelope(
    *,
    age_seconds: float = 0,
    request_type: str = "LaunchRequest",
    app_id: str | None = SKILL_ID,
    now: datetime = NOW,
    session_app_id: str | None = None,
) -> dict[str, Any]:
    """A realistic request envelope whose timestamp is age_seconds before now."""
    stamp = (now - timedelta(seconds=age_seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")
    env: dict[str, Any] = {
        "version": "1.0",
        "session": {
            "new": True,
            "sessionId": "amzn1.echo-api.session.abc",
            "user": {"userId": "amzn1.ask.account.XYZ"},
        },
        "context": {
            "System": {
                "device": {"deviceId": "amzn1.ask.device.D", "supportedInterfaces": {}},
                "apiEndpoint": "https://api.amazonalexa.com",
            }
        },
        "request": {
            "type": request_type,
            "requestId": "amzn1.echo-api.request.r",
            "timestamp": stamp,
            "locale": "en-US",
        },
    }
    if app_id is not None:
        env["context"]["System"]["application"] = {"applicationId": app_id}
    if session_app_id is not None:
        env["session"]["application"] = {"applicationId": session_app_id}
    return env


def signed(
    env: dict[str, Any], chain: CertChain, url: str = CERT_URL
) -> tuple[dict[str, str], bytes]:
    body = json.dumps(env).encode("utf-8")
    return {"SignatureCertChainUrl": url, "Signature-256": chain.sign(body)}, body


def make_verifier(
    fetcher: Callable[[str], bytes], clock: FakeClock, **kwargs: Any
) -> RequestVerifier:
    kwargs.setdefault("skill_id", SKILL_ID)
    return RequestVerifier(trust_roots=[root_ca()[0]], fetcher=fetcher, clock=clock, **kwargs)


def assert_rejected(
    verifier: RequestVerifier,
    headers: dict[str, str],
    body: bytes,
    env: dict[str, Any],
    reason: str,
) -> None:
    with pytest.raises(VerificationError) as info:
        verifier.verify(headers, body, env)
    assert reason.lower() in info.value.reason.lower()
    assert str(info.value) == info.value.reason


class Drip(http.server.BaseHTTPRequestHandler):
    """A certificate host that never finishes: /body sends the headers at once, then the body a
    byte every 0.1 s; /headers sends the status line, then the headers a byte every 0.1 s."""

    def do_GET(self) -> None:
        try:
            if self.path.startswith("/headers"):
                self.wfile.write(b"HTTP/1.1 200 OK\r\n")
                payload = b"X-Slow: " + b"y" * 10_000
            else:
                self.send_response(200)
                self.send_header("Content-Length", "5000")
                self.end_headers()
                payload = b"x" * 5000
            for byte in payload:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(0.1)
        except OSError:
            pass  # the client gave up: the point of the tests

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def serving_drip(
    server_class: type[http.server.ThreadingHTTPServer] = http.server.ThreadingHTTPServer,
) -> Iterator[str]:
    """A Drip server on a local port, as its base URL (https when the class wraps TLS)."""
    server = server_class(("127.0.0.1", 0), Drip)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    scheme = "http" if server_class is http.server.ThreadingHTTPServer else "https"
    try:
        yield f"{scheme}://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def trusted_local_tls(folder: Path, monkeypatch: pytest.MonkeyPatch, role: str) -> ssl.SSLContext:
    """A server TLS context for 127.0.0.1 that the certificate fetcher trusts: a self-signed
    certificate written to `folder`, certifi's bundle pointed at it, and no CA bundle named by
    the environment (which the fetcher would use instead)."""
    key = rsa_key(role)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    monkeypatch.setattr("certifi.where", lambda: str(cert_file))
    for variable in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(variable, raising=False)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    return context
