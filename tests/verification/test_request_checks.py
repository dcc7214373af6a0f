"""The request itself: headers, the signature header and the body it signs (step 3), the
timestamp window (step 4), the application id (step 5), and malformed input."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pytest

from skill.alexa.verification import (
    RequestVerifier,
    verifier_for_production,
)
from skill.alexa.verification.request_checks import get_header
from tests.certs import NOW, CertChain, make_chain, sign_body
from tests.verification.support import (
    CERT_URL,
    SKILL_ID,
    FakeClock,
    FakeFetcher,
    assert_rejected,
    envelope,
    make_verifier,
    signed,
)

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

    scanned = dict(EnvironHeaders(environ).items())
    assert get_header(EnvironHeaders(environ), name) == get_header(scanned, name)


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
