"""Request verification through the real Flask endpoint: only signed, fresh requests for our
skill reach a handler; everything else is a 400 with its reason, logged without the body.

The verifier is the production RequestVerifier with the test PKI (tests/certs.py), a fake
fetcher and a fixed clock injected, so nothing here touches the network or the wall clock.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
import requests
from ask_sdk_core.skill import CustomSkill
from ask_sdk_model import RequestEnvelope, ResponseEnvelope
from flask.testing import FlaskClient

from skill.alexa.skill_builder import build_skill
from skill.alexa.verification import RequestVerifier, cert_download, chain_cache, fetch_cert_chain
from skill.alexa.verification import verifier as verifier_module
from skill.config import Config
from skill.logs import JsonFormatter
from skill.web.app import create_app
from tests.builders import APP_ID, RequestBuilder
from tests.certs import NOW, CertChain, make_chain, root_ca, rsa_key, sign_body
from tests.checks import check_response
from tests.verification.support import serving_drip

CERT_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert.pem"
USER_ID = "amzn1.ask.account.SECRET-USER-4711"

# --------------------------------------------------------------------------------------------
# fixtures


class SpySkill:
    """Wraps the real skill and records every invoke(): proof a handler did (not) run.

    This branch has no persistence yet; every handler and any future storage is reached only
    through CustomSkill.invoke, so "invoke never called" also means "nothing reached storage".
    """

    def __init__(self, inner: CustomSkill) -> None:
        self.inner = inner
        self.calls: list[str] = []

    def invoke(self, request_envelope: RequestEnvelope, context: Any) -> ResponseEnvelope:
        self.calls.append(request_envelope.request.request_id)
        return self.inner.invoke(request_envelope, context)


@pytest.fixture(scope="module")
def real_skill() -> CustomSkill:
    return build_skill(Config(skill_id=APP_ID))


@pytest.fixture(scope="module")
def chains() -> dict[str, CertChain]:
    """Every chain the table needs, made once (key generation is the slow part)."""
    return {
        "good": make_chain(),
        "expired": make_chain(not_after=NOW - timedelta(days=1)),
        "not-yet-valid": make_chain(not_before=NOW + timedelta(days=1)),
        "wrong-san": make_chain(san=("example.com",)),
        "untrusted": make_chain(root="other"),
    }


@dataclass
class Endpoint:
    """A verifying app plus the spy and what the fetcher was asked."""

    client: FlaskClient
    spy: SpySkill
    fetched: list[str] = field(default_factory=list)


Fetch = Callable[[str], bytes]


@pytest.fixture
def make_endpoint(real_skill: CustomSkill) -> Callable[[Fetch], Endpoint]:
    def make(fetch: Fetch) -> Endpoint:
        spy = SpySkill(real_skill)
        fetched: list[str] = []

        def fetcher(url: str) -> bytes:
            fetched.append(url)
            return fetch(url)

        verifier = RequestVerifier(
            skill_id=APP_ID, trust_roots=[root_ca()[0]], fetcher=fetcher, clock=lambda: NOW
        )
        config = Config(skill_id=APP_ID, verify_requests=True)
        app = create_app(config, skill=spy, verifier=verifier)  # type: ignore[arg-type]
        return Endpoint(app.test_client(), spy, fetched)

    return make


def signed_launch(
    chain: CertChain, *, age: float = 0, app_id: str = APP_ID
) -> tuple[bytes, dict[str, str]]:
    """The exact body bytes of a LaunchRequest sent age seconds before NOW, and its headers."""
    builder = RequestBuilder(user_id=USER_ID, application_id=app_id, now=NOW)
    envelope = builder.launch()
    envelope["request"]["timestamp"] = (NOW - timedelta(seconds=age)).strftime("%Y-%m-%dT%H:%M:%SZ")
    body = json.dumps(envelope).encode()
    return body, {"SignatureCertChainUrl": CERT_URL, "Signature-256": chain.sign(body)}


def post(endpoint: Endpoint, body: bytes, headers: dict[str, str]) -> Any:
    return endpoint.client.post(
        "/alexa", data=body, headers=headers, content_type="application/json"
    )


def one_byte_changed(body: bytes) -> bytes:
    """The same JSON with one letter of the user id changed (still a valid envelope)."""
    index = body.index(b"SECRET") + 1
    changed = body[:index] + b"F" + body[index + 1 :]
    assert sum(a != b for a, b in zip(body, changed, strict=True)) == 1
    return changed


# --------------------------------------------------------------------------------------------
# the headline: signed -> 200, one byte changed -> 400


def test_signed_launch_is_200_and_one_changed_byte_is_400(
    make_endpoint: Callable[[Fetch], Endpoint], chains: dict[str, CertChain]
) -> None:
    endpoint = make_endpoint(lambda url: chains["good"].pem_chain)
    body, headers = signed_launch(chains["good"])

    ok = post(endpoint, body, headers)
    assert ok.status_code == 200, ok.get_json()
    check_response(ok.get_json())
    assert len(endpoint.spy.calls) == 1

    bad = post(endpoint, one_byte_changed(body), headers)
    assert bad.status_code == 400
    assert "Signature-256 does not match" in bad.get_json()["error"]
    assert len(endpoint.spy.calls) == 1  # the handler did not run for the changed body


# --------------------------------------------------------------------------------------------
# the table


@dataclass(frozen=True)
class Case:
    """One request: how to break a correctly signed LaunchRequest, and what must happen."""

    chain: str = "good"  # which chain the fetcher serves (and signs, unless sign_key is set)
    url: str = CERT_URL
    age: float = 0  # seconds before NOW; negative = from the future
    app_id: str = APP_ID
    tamper: bool = False  # change one byte of the body after signing
    sign_key: str | None = None  # sign with another key than the leaf's
    headers: Callable[[dict[str, str]], dict[str, str]] | None = None
    fetch_error: BaseException | None = None
    reason: str | None = None  # None: must be accepted (200)


def _only_old_signature(headers: dict[str, str]) -> dict[str, str]:
    return {"SignatureCertChainUrl": headers["SignatureCertChainUrl"], "Signature": "c2lnbmF0dXJl"}


def _without(*names: str) -> Callable[[dict[str, str]], dict[str, str]]:
    return lambda headers: {k: v for k, v in headers.items() if k not in names}


CASES = {
    # docs/alexa-platform.md accept examples
    "url-plain": Case(url="https://s3.amazonaws.com/echo.api/echo-api-cert.pem"),
    "url-port-443": Case(url="https://s3.amazonaws.com:443/echo.api/echo-api-cert.pem"),
    "url-dot-dot": Case(url="https://s3.amazonaws.com/echo.api/../echo.api/echo-api-cert.pem"),
    # docs/alexa-platform.md reject examples
    "url-http": Case(url="http://s3.amazonaws.com/echo.api/echo-api-cert.pem", reason="https"),
    "url-host": Case(url="https://notamazon.com/echo.api/echo-api-cert.pem", reason="host"),
    "url-path-case": Case(
        url="https://s3.amazonaws.com/EcHo.aPi/echo-api-cert.pem", reason="path must start"
    ),
    "url-path": Case(
        url="https://s3.amazonaws.com/invalid.path/echo-api-cert.pem", reason="path must start"
    ),
    "url-port-563": Case(
        url="https://s3.amazonaws.com:563/echo.api/echo-api-cert.pem", reason="port must be 443"
    ),
    # signature
    "tampered-body": Case(tamper=True, reason="Signature-256 does not match"),
    "other-key": Case(sign_key="intruder", reason="Signature-256 does not match"),
    "only-old-signature": Case(headers=_only_old_signature, reason="obsolete Signature"),
    "missing-signature": Case(
        headers=_without("Signature-256"), reason="missing Signature-256 header"
    ),
    "missing-url": Case(
        headers=_without("SignatureCertChainUrl"), reason="missing SignatureCertChainUrl"
    ),
    "missing-both": Case(
        headers=_without("SignatureCertChainUrl", "Signature-256"),
        reason="missing SignatureCertChainUrl",
    ),
    # certificate
    "leaf-expired": Case(chain="expired", reason="certificate expired"),
    "leaf-not-yet-valid": Case(chain="not-yet-valid", reason="certificate not yet valid"),
    "wrong-san": Case(chain="wrong-san", reason="lacks echo-api.amazon.com"),
    "untrusted-root": Case(chain="untrusted", reason="certificate chain is not trusted"),
    # timestamp
    "149s-old": Case(age=149),
    "149s-future": Case(age=-149),
    "151s-old": Case(age=151, reason="request.timestamp too old"),
    "151s-future": Case(age=-151, reason="request.timestamp is in the future"),
    # application id
    "wrong-app-id": Case(
        app_id="amzn1.ask.skill.99999999-0000-0000-0000-000000000000",
        reason="application id does not match",
    ),
    # download
    "fetch-timeout": Case(
        fetch_error=requests.Timeout("slow S3"), reason="certificate chain download timed out"
    ),
    "fetch-error": Case(
        fetch_error=requests.ConnectionError("no route"),
        reason="certificate chain download failed",
    ),
    "fetch-bug": Case(fetch_error=KeyError("oops"), reason="certificate chain download failed"),
}


def _send(make_endpoint: Callable[[Fetch], Endpoint], chains: dict[str, CertChain], case: Case):
    chain = chains[case.chain]

    def fetch(url: str) -> bytes:
        if case.fetch_error is not None:
            raise case.fetch_error
        return chain.pem_chain

    endpoint = make_endpoint(fetch)
    body, headers = signed_launch(chain, age=case.age, app_id=case.app_id)
    headers["SignatureCertChainUrl"] = case.url
    if case.sign_key is not None:
        headers["Signature-256"] = sign_body(body, rsa_key(case.sign_key))
    if case.tamper:
        body = one_byte_changed(body)
    if case.headers is not None:
        headers = case.headers(headers)
    return endpoint, body, post(endpoint, body, headers)


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_verification_table(
    make_endpoint: Callable[[Fetch], Endpoint],
    chains: dict[str, CertChain],
    case: Case,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    started = time.monotonic()
    endpoint, body, result = _send(make_endpoint, chains, case)
    assert time.monotonic() - started < 2.0  # a failed/slow download never holds a worker

    if case.reason is None:
        assert result.status_code == 200, result.get_json()
        check_response(result.get_json())
        assert len(endpoint.spy.calls) == 1
        assert endpoint.fetched == [CERT_URL]  # every accepted spelling is one canonical URL
        return

    assert result.status_code == 400
    error = result.get_json()["error"]
    assert error.startswith("request verification failed: ")
    assert case.reason in error
    assert endpoint.spy.calls == []  # no handler ran (and so nothing reached storage)

    web_lines = [r for r in caplog.records if r.name == "skill.web.app"]
    assert len(web_lines) == 1
    assert web_lines[0].fields["status"] == 400
    assert case.reason in web_lines[0].fields["reason"]
    logged = "\n".join(JsonFormatter().format(record) for record in caplog.records)
    assert USER_ID not in logged
    assert body.decode() not in logged
    assert "USER-4711" not in logged  # not even the tampered user id
    assert '"requestId"' not in logged


def test_no_verification_failure_is_a_500(
    make_endpoint: Callable[[Fetch], Endpoint],
    chains: dict[str, CertChain],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A bug inside the verifier is still a VerificationError (400), never a 500."""

    def broken(*args: Any) -> None:
        raise TypeError("bug in a check")

    monkeypatch.setattr(verifier_module, "check_timestamp", broken)
    endpoint = make_endpoint(lambda url: chains["good"].pem_chain)
    body, headers = signed_launch(chains["good"])
    result = post(endpoint, body, headers)
    assert result.status_code == 400
    assert result.get_json()["error"] == "request verification failed: request verification failed"
    assert endpoint.spy.calls == []


def test_hanging_download_is_a_quick_400(
    make_endpoint: Callable[[Fetch], Endpoint],
    chains: dict[str, CertChain],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A fetcher that never returns: the request gives up after FETCH_TIMEOUT_SECONDS."""
    monkeypatch.setattr(cert_download, "FETCH_TIMEOUT_SECONDS", 0.3)
    release = threading.Event()

    def hang(url: str) -> bytes:
        release.wait(5)
        return chains["good"].pem_chain

    endpoint = make_endpoint(hang)
    body, headers = signed_launch(chains["good"])
    started = time.monotonic()
    try:
        result = post(endpoint, body, headers)
    finally:
        release.set()
    assert time.monotonic() - started < 1.5
    assert result.status_code == 400
    assert "timed out" in result.get_json()["error"]
    assert endpoint.spy.calls == []


def test_verification_on_by_default_rejects_unsigned() -> None:
    """create_app with verify_requests builds its own verifier: unsigned requests are 400."""
    healthz_client = create_app(Config(verify_requests=True, skill_id=None)).test_client()
    body = json.dumps(RequestBuilder().launch()).encode()
    result = healthz_client.post("/alexa", data=body, content_type="application/json")
    assert result.status_code == 400
    assert "missing SignatureCertChainUrl" in result.get_json()["error"]
    status = healthz_client.get("/healthz").get_json()
    assert status["verification"] == "on"
    assert any("SKILL_ID" in warning for warning in status["warnings"])


@pytest.mark.slow
def test_a_dripping_certificate_host_holds_no_request_and_stops_no_one(
    make_endpoint: Callable[[Fetch], Endpoint], chains: dict[str, CertChain]
) -> None:
    """Issue 17, finding 7: requests naming never-seen certificate URLs on a host that drips
    are each answered (400) within 1.5 s, the download threads stay within MAX_DOWNLOADS, and
    the person whose chain is cached keeps being served throughout."""
    with serving_drip() as drip:

        def fetch(url: str) -> bytes:
            if url == CERT_URL:
                return chains["good"].pem_chain
            return fetch_cert_chain(drip + "/body")  # the real fetcher, on a dripping host

        endpoint = make_endpoint(fetch)
        body, headers = signed_launch(chains["good"])
        assert post(endpoint, body, headers).status_code == 200
        slowest = 0.0
        most = 0
        for n in range(chain_cache.MAX_DOWNLOADS + 1):  # each waits 1 s; the slots fill up
            forged = dict(headers, SignatureCertChainUrl=f"{CERT_URL[:-4]}-{n}.pem")
            for request_headers, status in ((forged, 400), (headers, 200)):  # the person goes on
                started = time.monotonic()
                assert post(endpoint, body, request_headers).status_code == status
                slowest = max(slowest, time.monotonic() - started)
                fetching = [t for t in threading.enumerate() if t.name == "alexa-cert-fetch"]
                most = max(most, len(fetching))
        assert slowest < 1.5
        assert 1 <= most <= chain_cache.MAX_DOWNLOADS
