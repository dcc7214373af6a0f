"""Tests for skill.alexa.verify: every ALEXA.md verification rule, plus download and
cache behaviour.

No network: certificates come from tests.certs and fetchers are fakes, except the default
fetcher tests, which talk to a throwaway HTTP server on 127.0.0.1.
"""

from __future__ import annotations

import base64
import http.server
import json
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
import requests

from skill.alexa import verify as verify_module
from skill.alexa.verify import (
    RequestVerifier,
    VerificationError,
    fetch_cert_chain,
    normalise_cert_url,
    verifier_for_production,
)
from tests.certs import NOW, CertChain, make_chain, root_ca, sign_body

SKILL_ID = "amzn1.ask.skill.00000000-1111-2222-3333-444444444444"
CERT_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert-12.pem"


# --------------------------------------------------------------------------------------------
# helpers


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


@pytest.fixture(scope="module")
def chain() -> CertChain:
    return make_chain()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def fetcher(chain: CertChain) -> FakeFetcher:
    return FakeFetcher(default=chain.pem_chain)


def make_verifier(
    fetcher: Callable[[str], bytes], clock: FakeClock, **kwargs: Any
) -> RequestVerifier:
    kwargs.setdefault("skill_id", SKILL_ID)
    return RequestVerifier(trust_roots=[root_ca()[0]], fetcher=fetcher, clock=clock, **kwargs)


@pytest.fixture
def verifier(fetcher: FakeFetcher, clock: FakeClock) -> RequestVerifier:
    return make_verifier(fetcher, clock)


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


# --------------------------------------------------------------------------------------------
# step 1: the certificate URL


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # ALEXA.md accept examples
        ("https://s3.amazonaws.com/echo.api/echo-api-cert.pem", CERT_URL.replace("-12", "")),
        ("https://s3.amazonaws.com:443/echo.api/echo-api-cert.pem", CERT_URL.replace("-12", "")),
        (
            "https://s3.amazonaws.com/echo.api/../echo.api/echo-api-cert.pem",
            CERT_URL.replace("-12", ""),
        ),
        # more: scheme and host are case-insensitive, output is canonical
        ("HTTPS://S3.AMAZONAWS.COM/echo.api/echo-api-cert.pem", CERT_URL.replace("-12", "")),
        (
            "hTtPs://s3.AmazonAWS.com:443/echo.api/./x/../c.pem",
            "https://s3.amazonaws.com/echo.api/c.pem",
        ),
        (CERT_URL, CERT_URL),
    ],
)
def test_url_accepted(url: str, expected: str) -> None:
    assert normalise_cert_url(url) == expected


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        # ALEXA.md reject examples
        ("http://s3.amazonaws.com/echo.api/echo-api-cert.pem", "https"),
        ("https://notamazon.com/echo.api/echo-api-cert.pem", "host"),
        ("https://s3.amazonaws.com/EcHo.aPi/echo-api-cert.pem", "path"),
        ("https://s3.amazonaws.com/invalid.path/echo-api-cert.pem", "path"),
        ("https://s3.amazonaws.com:563/echo.api/echo-api-cert.pem", "port"),
        # more
        ("", "missing"),
        ("   ", "missing"),
        ("https://s3.amazonaws.com/echo.api/../evil/cert.pem", "path"),
        ("https://s3.amazonaws.com/echo.api/..", "path"),
        ("https://s3.amazonaws.com/echo.api", "path"),
        ("https://s3.amazonaws.com/echo.api/%2e%2e/evil/cert.pem", "encoded"),
        ("https://s3.amazonaws.com/echo.api/?x=1", "query"),
        ("https://s3.amazonaws.com/echo.api/cert.pem?versionId=1", "query"),
        ("https://s3.amazonaws.com/echo.api/cert.pem#frag", "query or fragment"),
        ("https://evil.com@s3.amazonaws.com/echo.api/cert.pem", "user info"),
        ("https://s3.amazonaws.com.evil.com/echo.api/cert.pem", "host"),
        ("https://s3.amazonaws.com:abc/echo.api/cert.pem", "malformed"),
        ("https://s3.amazonaws.com/echo.api\\..\\evil/cert.pem", "invalid characters"),
        ("https://s3.amazonaws.com/echo.api/cert.pem\nX-Evil: 1", "invalid characters"),
        ("https://s3.amazonaws.com/echo.api/c ert.pem", "invalid characters"),
        ("ftp://s3.amazonaws.com/echo.api/cert.pem", "https"),
        ("//s3.amazonaws.com/echo.api/cert.pem", "https"),
        ("https://s3.amazonaws.com/echo.api/" + "a" * 3000, "too long"),
    ],
)
def test_url_rejected(url: str, reason: str) -> None:
    with pytest.raises(VerificationError) as info:
        normalise_cert_url(url)
    assert reason.lower() in info.value.reason.lower()


def test_bad_url_rejected_before_any_download(
    verifier: RequestVerifier, chain: CertChain, fetcher: FakeFetcher
) -> None:
    env = envelope()
    headers, body = signed(env, chain, url="https://notamazon.com/echo.api/echo-api-cert.pem")
    assert_rejected(verifier, headers, body, env, "host")
    assert fetcher.calls == []


# --------------------------------------------------------------------------------------------
# the happy path and header handling


def test_good_request_passes(verifier: RequestVerifier, chain: CertChain) -> None:
    env = envelope()
    headers, body = signed(env, chain)
    verifier.verify(headers, body, env)


def test_headers_looked_up_case_insensitively(verifier: RequestVerifier, chain: CertChain) -> None:
    env = envelope()
    headers, body = signed(env, chain)
    lowered = {key.lower(): value for key, value in headers.items()}
    verifier.verify(lowered, body, env)
    upper = {key.upper(): value for key, value in headers.items()}
    verifier.verify(upper, body, env)


def test_werkzeug_headers_accepted(verifier: RequestVerifier, chain: CertChain) -> None:
    """Flask hands over Werkzeug headers, which are not a collections.abc.Mapping."""
    from werkzeug.datastructures import EnvironHeaders, Headers

    env = envelope()
    headers, body = signed(env, chain)
    verifier.verify(Headers(headers), body, env)
    environ = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}
    verifier.verify(EnvironHeaders(environ), body, env)
    repeated = Headers([*headers.items(), ("Signature-256", "AAAA")])
    assert_rejected(verifier, repeated, body, env, "conflicting Signature-256")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "environ",
    [
        {"HTTP_SIGNATURE_256": "c2ln", "HTTP_SIGNATURECERTCHAINURL": CERT_URL},
        {"HTTP_SIGNATURE": "b2xk", "HTTP_HOST": "x", "CONTENT_TYPE": "application/json"},
        {"HTTP_SIGNATURE_256": "", "wsgi.input": None, "HTTP_X_OTHER": "1"},
        {},
    ],
)
@pytest.mark.parametrize(
    "name", ["Signature-256", "signature-256", "SIGNATURECERTCHAINURL", "Signature", "Host"]
)
def test_werkzeug_environ_lookup_finds_what_a_scan_finds(environ: dict, name: str) -> None:
    from werkzeug.datastructures import EnvironHeaders

    from skill.alexa.verify import _get_header

    scanned = dict(EnvironHeaders(environ).items())
    assert _get_header(EnvironHeaders(environ), name) == _get_header(scanned, name)


def test_werkzeug_environ_headers_rejected_for_the_same_reasons(
    verifier: RequestVerifier, chain: CertChain
) -> None:
    from werkzeug.datastructures import EnvironHeaders

    env = envelope()
    headers, body = signed(env, chain)
    for drop, reason in (
        ("Signature-256", "missing Signature-256"),
        ("SignatureCertChainUrl", "missing SignatureCertChainUrl"),
    ):
        kept = {k: v for k, v in headers.items() if k != drop}
        environ = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in kept.items()}
        assert_rejected(verifier, EnvironHeaders(environ), body, env, reason)  # type: ignore[arg-type]
    obsolete = {"HTTP_SIGNATURE": "AAAA", "HTTP_SIGNATURECERTCHAINURL": CERT_URL}
    assert_rejected(verifier, EnvironHeaders(obsolete), body, env, "obsolete")  # type: ignore[arg-type]


def test_headers_that_are_not_a_header_map_rejected(
    verifier: RequestVerifier, chain: CertChain
) -> None:
    env = envelope()
    _, body = signed(env, chain)
    assert_rejected(verifier, None, body, env, "headers missing")  # type: ignore[arg-type]


def test_equivalent_url_spellings_share_one_download(
    verifier: RequestVerifier, chain: CertChain, fetcher: FakeFetcher
) -> None:
    env = envelope()
    for url in (
        CERT_URL,
        CERT_URL.replace(".com/", ".com:443/"),
        CERT_URL.upper()[:24] + CERT_URL[24:],
    ):
        headers, body = signed(env, chain, url=url)
        verifier.verify(headers, body, env)
    assert fetcher.calls == [CERT_URL]


def _drop(headers: dict[str, str], name: str) -> dict[str, str]:
    return {key: value for key, value in headers.items() if key != name}


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        pytest.param(lambda h, b: (h, b + b" "), "does not match", id="tampered-body-appended"),
        pytest.param(
            lambda h, b: (h, b.replace(b"LaunchRequest", b"IntentRequest")),
            "does not match",
            id="tampered-body-changed",
        ),
        pytest.param(
            lambda h, b: (
                {**h, "Signature-256": sign_body(b, make_chain(leaf_key_role="x").leaf_key)},
                b,
            ),
            "does not match",
            id="signature-from-another-key",
        ),
        pytest.param(
            lambda h, b: (
                {
                    "SignatureCertChainUrl": h["SignatureCertChainUrl"],
                    "Signature": h["Signature-256"],
                },
                b,
            ),
            "obsolete Signature",
            id="only-old-signature-header",
        ),
        pytest.param(
            lambda h, b: (_drop(h, "Signature-256"), b), "missing Signature-256", id="no-signature"
        ),
        pytest.param(
            lambda h, b: (_drop(h, "SignatureCertChainUrl"), b),
            "missing SignatureCertChainUrl",
            id="no-cert-url",
        ),
        pytest.param(lambda h, b: ({}, b), "missing", id="no-headers"),
        pytest.param(
            lambda h, b: ({**h, "SignatureCertChainUrl": ""}, b),
            "missing SignatureCertChainUrl",
            id="empty-cert-url",
        ),
        pytest.param(
            lambda h, b: ({**h, "Signature-256": "not base64!!"}, b), "base64", id="bad-base64"
        ),
        pytest.param(lambda h, b: ({**h, "Signature-256": "  "}, b), "empty", id="empty-signature"),
        pytest.param(
            lambda h, b: ({**h, "Signature-256": base64.b64encode(b"short").decode()}, b),
            "does not match",
            id="signature-wrong-length",
        ),
        pytest.param(
            lambda h, b: ({**h, "signature-256": sign_body(b"other", make_chain().leaf_key)}, b),
            "conflicting",
            id="two-different-signature-headers",
        ),
    ],
)
def test_bad_signature_or_headers_rejected(
    verifier: RequestVerifier,
    chain: CertChain,
    mutate: Callable[[dict[str, str], bytes], tuple[dict[str, str], bytes]],
    reason: str,
) -> None:
    env = envelope()
    headers, body = signed(env, chain)
    headers, body = mutate(headers, body)
    assert_rejected(verifier, headers, body, env, reason)


def test_old_signature_alongside_new_is_fine(verifier: RequestVerifier, chain: CertChain) -> None:
    env = envelope()
    headers, body = signed(env, chain)
    verifier.verify({**headers, "Signature": "c2hhMQ=="}, body, env)


# --------------------------------------------------------------------------------------------
# step 2: the certificate itself


@pytest.mark.parametrize(
    ("chain_kwargs", "reason"),
    [
        pytest.param(
            {"not_after": NOW - timedelta(seconds=1)}, "certificate expired", id="expired"
        ),
        pytest.param({"not_before": NOW + timedelta(hours=1)}, "not yet valid", id="not-yet-valid"),
        pytest.param({"san": ("example.com",)}, "lacks echo-api.amazon.com", id="wrong-san"),
        pytest.param(
            {"san": ("api.amazon.com", "echo-api.amazon.com.evil.com")},
            "lacks echo-api.amazon.com",
            id="lookalike-san",
        ),
        pytest.param({"san": ()}, "lacks echo-api.amazon.com", id="no-san"),
        pytest.param({"root": "other"}, "not trusted", id="untrusted-root"),
    ],
)
def test_bad_certificate_rejected(
    clock: FakeClock, chain_kwargs: dict[str, Any], reason: str
) -> None:
    bad = make_chain(**chain_kwargs)
    fetcher = FakeFetcher(default=bad.pem_chain)
    verifier = make_verifier(fetcher, clock)
    env = envelope()
    headers, body = signed(env, bad)
    assert_rejected(verifier, headers, body, env, reason)


def test_chain_missing_intermediate_not_trusted(clock: FakeClock, chain: CertChain) -> None:
    leaf_only = chain.pem_chain[: chain.pem_chain.index(b"-----END CERTIFICATE-----") + 26]
    verifier = make_verifier(FakeFetcher(default=leaf_only), clock)
    env = envelope()
    headers, body = signed(env, chain)
    assert_rejected(verifier, headers, body, env, "not trusted")


def test_expired_leaf_refetched_then_rejected(clock: FakeClock) -> None:
    """A cached chain lives no longer than its leaf; a refetched expired leaf is refused."""
    short = make_chain(not_after=NOW + timedelta(minutes=10))
    fetcher = FakeFetcher(default=short.pem_chain)
    verifier = make_verifier(fetcher, clock)
    env = envelope()
    headers, body = signed(env, short)
    verifier.verify(headers, body, env)
    clock.advance(minutes=11)
    env = envelope(now=clock.now)
    headers, body = signed(env, short)
    assert_rejected(verifier, headers, body, env, "certificate expired")
    assert len(fetcher.calls) == 2
    assert_rejected(verifier, headers, body, env, "certificate expired")
    assert len(fetcher.calls) == 2  # the failure is remembered briefly: no download per request


def test_trust_roots_default_to_certifi(chain: CertChain) -> None:
    """With no trust_roots our test CA is not trusted (certifi roots are used instead)."""
    verifier = RequestVerifier(
        skill_id=SKILL_ID, fetcher=FakeFetcher(default=chain.pem_chain), clock=FakeClock()
    )
    env = envelope()
    headers, body = signed(env, chain)
    assert_rejected(verifier, headers, body, env, "not trusted")
    assert len(verify_module._certifi_roots()) > 100


# --------------------------------------------------------------------------------------------
# step 4: timestamps


@pytest.mark.parametrize(
    ("age", "request_type", "ok", "reason"),
    [
        (0, "LaunchRequest", True, ""),
        (149, "LaunchRequest", True, ""),
        (-149, "LaunchRequest", True, ""),
        (150, "IntentRequest", True, ""),
        (151, "LaunchRequest", False, "too old"),
        (-151, "LaunchRequest", False, "future"),
        (3000, "AlexaSkillEvent.SkillEnabled", True, ""),
        (3600, "AlexaSkillEvent.SkillPermissionAccepted", True, ""),
        (3700, "AlexaSkillEvent.SkillEnabled", False, "too old"),
        (-151, "AlexaSkillEvent.SkillEnabled", False, "future"),
        (3000, "IntentRequest", False, "too old"),
        (3000, "SessionEndedRequest", False, "too old"),
    ],
)
def test_timestamp_window(
    verifier: RequestVerifier, chain: CertChain, age: int, request_type: str, ok: bool, reason: str
) -> None:
    env = envelope(age_seconds=age, request_type=request_type)
    headers, body = signed(env, chain)
    if ok:
        verifier.verify(headers, body, env)
    else:
        assert_rejected(verifier, headers, body, env, reason)


@pytest.mark.parametrize(
    ("timestamp", "reason"),
    [
        (None, "missing request.timestamp"),
        ("", "missing request.timestamp"),
        (1717243200000, "missing request.timestamp"),
        ("yesterday", "not ISO 8601"),
        ("2025-06-01T12:00:00", "time zone"),
    ],
)
def test_malformed_timestamp(
    verifier: RequestVerifier, chain: CertChain, timestamp: object, reason: str
) -> None:
    env = envelope()
    env["request"]["timestamp"] = timestamp
    headers, body = signed(env, chain)
    assert_rejected(verifier, headers, body, env, reason)


def test_timestamp_with_fraction_and_offset_accepted(
    verifier: RequestVerifier, chain: CertChain
) -> None:
    env = envelope()
    env["request"]["timestamp"] = "2025-06-01T14:00:30.123+02:00"
    headers, body = signed(env, chain)
    verifier.verify(headers, body, env)


# --------------------------------------------------------------------------------------------
# step 5: application id


def test_wrong_application_id(verifier: RequestVerifier, chain: CertChain) -> None:
    env = envelope(app_id="amzn1.ask.skill.someone-else")
    headers, body = signed(env, chain)
    assert_rejected(verifier, headers, body, env, "application id does not match")


def test_missing_application_id(verifier: RequestVerifier, chain: CertChain) -> None:
    env = envelope(app_id=None)
    headers, body = signed(env, chain)
    assert_rejected(verifier, headers, body, env, "missing application id")


def test_application_id_falls_back_to_session(verifier: RequestVerifier, chain: CertChain) -> None:
    env = envelope(app_id=None, session_app_id=SKILL_ID)
    headers, body = signed(env, chain)
    verifier.verify(headers, body, env)
    env = envelope(app_id=None, session_app_id="amzn1.ask.skill.other")
    headers, body = signed(env, chain)
    assert_rejected(verifier, headers, body, env, "does not match")


@pytest.mark.parametrize("app_id", [None, "amzn1.ask.skill.anything"])
def test_no_skill_id_configured_accepts_any(
    fetcher: FakeFetcher, clock: FakeClock, chain: CertChain, app_id: str | None
) -> None:
    verifier = make_verifier(fetcher, clock, skill_id=None)
    env = envelope(app_id=app_id)
    headers, body = signed(env, chain)
    verifier.verify(headers, body, env)


def test_verifier_for_production_requires_skill_id() -> None:
    assert isinstance(verifier_for_production(SKILL_ID), RequestVerifier)
    with pytest.raises(ValueError, match="skill id"):
        verifier_for_production("")


# --------------------------------------------------------------------------------------------
# malformed input never escapes as another exception type


@pytest.mark.parametrize(
    ("headers", "body", "env", "reason"),
    [
        ({"SignatureCertChainUrl": CERT_URL, "Signature-256": "AAAA"}, "text", {}, "raw bytes"),
        ({"SignatureCertChainUrl": CERT_URL, "Signature-256": "AAAA"}, b"[]", [], "JSON object"),
        ({"SignatureCertChainUrl": CERT_URL, "Signature-256": "AAAA"}, b"{}", {}, "timestamp"),
        (
            {"SignatureCertChainUrl": CERT_URL, "Signature-256": "AAAA"},
            b"{}",
            {"request": "nope", "context": 3},
            "timestamp",
        ),
    ],
)
def test_malformed_input(
    verifier: RequestVerifier, headers: dict[str, str], body: Any, env: Any, reason: str
) -> None:
    assert_rejected(verifier, headers, body, env, reason)


def test_naive_clock_treated_as_utc(fetcher: FakeFetcher, chain: CertChain) -> None:
    verifier = make_verifier(fetcher, FakeClock(NOW.replace(tzinfo=None)))
    env = envelope()
    headers, body = signed(env, chain)
    verifier.verify(headers, body, env)


# --------------------------------------------------------------------------------------------
# download failures


@pytest.mark.parametrize(
    ("outcome", "reason"),
    [
        pytest.param(requests.Timeout("slow"), "timed out", id="timeout"),
        pytest.param(requests.ConnectionError("refused"), "download failed", id="connection-error"),
        pytest.param(OSError("HTTP 403"), "download failed", id="http-error"),
        pytest.param(RuntimeError("bug in fetcher"), "download failed", id="fetcher-bug"),
        pytest.param(b"<html>not a certificate</html>", "not PEM", id="garbage"),
        pytest.param(b"", "not PEM", id="empty"),
        pytest.param(
            b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
            "not valid PEM",
            id="broken-pem",
        ),
        pytest.param("a string", "no bytes", id="wrong-type"),
    ],
)
def test_fetch_failure_is_verification_error(
    clock: FakeClock, chain: CertChain, outcome: Any, reason: str
) -> None:
    verifier = make_verifier(FakeFetcher(default=outcome), clock)
    env = envelope()
    headers, body = signed(env, chain)
    assert_rejected(verifier, headers, body, env, reason)


def test_failure_cached_only_briefly(clock: FakeClock, chain: CertChain) -> None:
    fetcher = FakeFetcher(default=[requests.ConnectionError("down"), chain.pem_chain])
    verifier = make_verifier(fetcher, clock)
    env = envelope()
    headers, body = signed(env, chain)
    assert_rejected(verifier, headers, body, env, "download failed")
    assert_rejected(verifier, headers, body, env, "download failed")  # remembered, no refetch
    assert len(fetcher.calls) == 1
    clock.advance(seconds=6)
    env = envelope(now=clock.now)
    headers, body = signed(env, chain)
    verifier.verify(headers, body, env)
    assert len(fetcher.calls) == 2


def test_hanging_fetcher_times_out(
    clock: FakeClock, chain: CertChain, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever the fetcher does, verify() stops waiting after FETCH_TIMEOUT_SECONDS."""
    monkeypatch.setattr(verify_module, "FETCH_TIMEOUT_SECONDS", 0.2)
    release = threading.Event()

    def hang(url: str) -> bytes:
        release.wait(5)
        return chain.pem_chain

    verifier = make_verifier(hang, clock)
    env = envelope()
    headers, body = signed(env, chain)
    started = time.monotonic()
    assert_rejected(verifier, headers, body, env, "timed out")
    assert time.monotonic() - started < 1.0
    release.set()


def test_concurrent_requests_share_one_download(clock: FakeClock, chain: CertChain) -> None:
    calls: list[str] = []

    def slow(url: str) -> bytes:
        calls.append(url)
        time.sleep(0.2)
        return chain.pem_chain

    verifier = make_verifier(slow, clock)
    env = envelope()
    headers, body = signed(env, chain)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            verifier.verify(headers, body, env)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert calls == [CERT_URL]


# --------------------------------------------------------------------------------------------
# cache


def test_same_url_fetched_once(
    verifier: RequestVerifier, chain: CertChain, fetcher: FakeFetcher
) -> None:
    env = envelope()
    headers, body = signed(env, chain)
    for _ in range(5):
        verifier.verify(headers, body, env)
    assert fetcher.calls == [CERT_URL]


def test_cache_is_bounded_lru(clock: FakeClock, chain: CertChain) -> None:
    fetcher = FakeFetcher(default=chain.pem_chain)
    verifier = make_verifier(fetcher, clock, cache_size=2)
    env = envelope()
    urls = [f"https://s3.amazonaws.com/echo.api/cert-{n}.pem" for n in range(3)]

    def hit(url: str) -> None:
        headers, body = signed(env, chain, url=url)
        verifier.verify(headers, body, env)

    hit(urls[0])
    hit(urls[1])
    hit(urls[0])  # urls[0] is now most recently used
    hit(urls[2])  # evicts urls[1]
    assert len(verifier._cache) == 2
    hit(urls[0])
    assert fetcher.calls == [urls[0], urls[1], urls[2]]
    hit(urls[1])
    assert fetcher.calls == [urls[0], urls[1], urls[2], urls[1]]


def test_expired_cache_entry_refetched(clock: FakeClock) -> None:
    old = make_chain(not_after=NOW + timedelta(hours=1))
    new = make_chain(not_before=NOW, not_after=NOW + timedelta(days=365))
    fetcher = FakeFetcher(default=[old.pem_chain, new.pem_chain])
    verifier = make_verifier(fetcher, clock)
    env = envelope()
    headers, body = signed(env, old)
    verifier.verify(headers, body, env)
    clock.advance(hours=2)
    env = envelope(now=clock.now)
    headers, body = signed(env, new)
    verifier.verify(headers, body, env)
    assert fetcher.calls == [CERT_URL, CERT_URL]


def test_long_lived_entry_refetched_after_max_age(
    verifier: RequestVerifier, chain: CertChain, clock: FakeClock, fetcher: FakeFetcher
) -> None:
    env = envelope()
    headers, body = signed(env, chain)
    verifier.verify(headers, body, env)
    clock.advance(hours=25)
    env = envelope(now=clock.now)
    headers, body = signed(env, chain)
    verifier.verify(headers, body, env)
    assert len(fetcher.calls) == 2


def test_chain_validated_once_per_window(
    verifier: RequestVerifier,
    chain: CertChain,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[datetime] = []
    real = verify_module._check_chain_trust

    def spy(store: Any, leaf: Any, intermediates: Any, now: datetime) -> None:
        calls.append(now)
        real(store, leaf, intermediates, now)

    monkeypatch.setattr(verify_module, "_check_chain_trust", spy)
    env = envelope()
    headers, body = signed(env, chain)
    for _ in range(3):
        verifier.verify(headers, body, env)
    assert len(calls) == 1
    clock.advance(minutes=61)
    env = envelope(now=clock.now)
    headers, body = signed(env, chain)
    verifier.verify(headers, body, env)
    verifier.verify(headers, body, env)
    assert len(calls) == 2


def test_invalid_cache_size() -> None:
    with pytest.raises(ValueError, match="cache_size"):
        RequestVerifier(skill_id=None, cache_size=0)


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
