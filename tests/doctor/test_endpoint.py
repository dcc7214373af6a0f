"""`doctor --url`: the real app in production mode behind a real TLS server whose certificate
comes from a test CA (trusted with --ca-file), as Alexa's certification would meet it."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from skill.config import Config
from skill.web.app import create_app
from tests.doctor.conftest import SKILL_ID, Doctor, Install, advice, clip_folder, line
from tests.doctor.servers import FakeNtp, serving, tls_files

PAGES = ("privacy page", "terms page")


@pytest.fixture
def ntp() -> Iterator[str]:
    """A local time server in step with this host (no test may reach the internet)."""
    with FakeNtp(0.0) as server:
        yield server.address


def production_app(install: Install) -> Flask:
    return create_app(Config(skill_id=SKILL_ID, database_url=install.database_url))


def test_a_good_endpoint_passes(install: Install, doctor: Doctor, ntp: str, tmp_path: Path) -> None:
    app = production_app(install)
    ca, chain, key = tls_files(tmp_path, ("localhost",))
    with serving(app, (chain, key)) as port:
        url = f"https://localhost:{port}/alexa"
        status, out = doctor("--url", url, "--ca-file", str(ca), "--ntp-server", ntp)
    assert line(out, "https").startswith("ok ")
    assert f"localhost:{port}: TLSv1." in line(out, "https")
    assert "certificate trusted and valid for localhost" in line(out, "https")
    assert line(out, "certificate expiry").startswith("ok ")
    assert "in 90 days" in line(out, "certificate expiry")
    found = line(out, "unsigned request")
    assert found.startswith("ok ")
    assert "refused with 400 (request verification failed" in found
    assert line(out, "healthz").startswith("ok ")
    assert "verification on, database ok" in line(out, "healthz")
    # A test port is not 443: the one warning a real deployment would not have.
    assert line(out, "port").startswith("warn ")
    assert "443" in advice(out, "port")
    for name in PAGES:
        assert line(out, name).startswith("ok ")
    assert status == 0, out


def test_an_http_url_fails(install: Install, doctor: Doctor, ntp: str) -> None:
    status, out = doctor("--url", "http://localhost/alexa", "--ntp-server", ntp)
    assert status == 1
    assert "is not an https:// URL" in line(out, "https")
    assert "reverse proxy" in advice(out, "https")


def test_plain_http_behind_an_https_url_fails(install: Install, doctor: Doctor, ntp: str) -> None:
    with serving(production_app(install), None) as port:
        status, out = doctor("--url", f"https://localhost:{port}/alexa", "--ntp-server", ntp)
    assert status == 1
    assert "does not speak TLS" in line(out, "https")
    assert "TLS-terminating reverse proxy" in advice(out, "https")
    assert line(out, "unsigned request").startswith("skip ")


def test_a_certificate_for_another_host_fails(
    install: Install, doctor: Doctor, ntp: str, tmp_path: Path
) -> None:
    ca, chain, key = tls_files(tmp_path, ("coach.example.org",))
    with serving(production_app(install), (chain, key)) as port:
        url = f"https://localhost:{port}/alexa"
        status, out = doctor("--url", url, "--ca-file", str(ca), "--ntp-server", ntp)
    assert status == 1
    assert line(out, "https").startswith("FAIL  https")
    assert "certificate not valid for localhost" in line(out, "https")
    assert "Subject Alternative Names include localhost" in advice(out, "https")
    # The rest is still examined (without trusting the certificate), to say what else is wrong.
    assert line(out, "unsigned request").startswith("ok ")


def test_an_untrusted_certificate_fails(
    install: Install, doctor: Doctor, ntp: str, tmp_path: Path
) -> None:
    _, chain, key = tls_files(tmp_path, ("localhost",))
    with serving(production_app(install), (chain, key)) as port:
        url = f"https://localhost:{port}/alexa"
        status, out = doctor("--url", url, "--ntp-server", ntp)  # no --ca-file
    assert status == 1
    assert "certificate not trusted" in line(out, "https")
    assert "--ca-file" in advice(out, "https")


def test_a_certificate_about_to_expire_is_a_warning(
    install: Install, doctor: Doctor, ntp: str, tmp_path: Path
) -> None:
    ca, chain, key = tls_files(tmp_path, ("localhost",), days=5)
    with serving(production_app(install), (chain, key)) as port:
        url = f"https://localhost:{port}/alexa"
        _, out = doctor("--url", url, "--ca-file", str(ca), "--ntp-server", ntp)
    assert line(out, "certificate expiry").startswith("warn ")
    assert "in 5 days" in line(out, "certificate expiry")
    assert "certbot renew --dry-run" in advice(out, "certificate expiry")


def test_verification_off_fails(install: Install, doctor: Doctor, ntp: str, tmp_path: Path) -> None:
    app = create_app(Config(verify_requests=False, database_url=install.database_url))
    ca, chain, key = tls_files(tmp_path, ("localhost",))
    with serving(app, (chain, key)) as port:
        url = f"https://localhost:{port}/alexa"
        status, out = doctor("--url", url, "--ca-file", str(ca), "--ntp-server", ntp)
    assert status == 1
    assert line(out, "https").startswith("ok ")
    assert "got 200: request verification is OFF" in line(out, "unsigned request")
    assert "without --dev" in advice(out, "unsigned request")
    assert "verification is 'off (dev mode)'" in line(out, "healthz")


@pytest.mark.slow
def test_a_silent_host_fails_within_the_timeout(install: Install, doctor: Doctor, ntp: str) -> None:
    with socket.socket() as sock:  # accepts connections, never says a word
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        port = sock.getsockname()[1]
        started = time.monotonic()
        status, out = doctor("--url", f"https://127.0.0.1:{port}/alexa", "--ntp-server", ntp)
        assert time.monotonic() - started < 12
    assert status == 1
    assert line(out, "https").startswith("FAIL ")


def test_offline_skips_the_endpoint(install: Install, doctor: Doctor) -> None:
    status, out = doctor("--offline", "--url", "https://coach.example.org/alexa")
    assert status == 0
    assert "--offline: https://coach.example.org/alexa not checked" in line(out, "endpoint")


def test_policy_pages_elsewhere_are_checked_where_given(
    install: Install, doctor: Doctor, ntp: str, tmp_path: Path
) -> None:
    ca, chain, key = tls_files(tmp_path, ("localhost",))
    with serving(production_app(install), (chain, key)) as port:
        elsewhere = f"https://localhost:{port}/clinic/privacy.html"
        _, out = doctor(
            "--url",
            f"https://localhost:{port}/alexa",
            "--ca-file",
            str(ca),
            "--ntp-server",
            ntp,
            "--privacy-url",
            elsewhere,
            "--terms-url",
            f"https://localhost:{port}/healthz",
        )
    assert line(out, "privacy page").startswith(
        f"FAIL  privacy page        {elsewhere} answered 404"
    )
    assert "give doctor the same options" in advice(out, "privacy page")
    assert line(out, "terms page").startswith("ok ")


def test_clips_are_fetched_from_the_audio_url(
    install: Install,
    doctor: Doctor,
    ntp: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    here = clip_folder(tmp_path / "here")
    served = clip_folder(tmp_path / "served", data=b"ID3 from another build")
    ca, chain, key = tls_files(tmp_path, ("localhost",))
    monkeypatch.setenv("SKILL_AUDIO_DIR", str(here))
    for folder, expected in ((here, "ok "), (served, "FAIL ")):
        app = create_app(
            Config(skill_id=SKILL_ID, database_url=install.database_url, audio_dir=folder)
        )
        with serving(app, (chain, key)) as port:
            base = f"https://localhost:{port}/audio"
            monkeypatch.setenv("SKILL_AUDIO_BASE_URL", base)
            _, out = doctor("--ca-file", str(ca), "--ntp-server", ntp)
        assert line(out, "audio clips").startswith("ok ")
        assert line(out, "audio URL").startswith(expected), out
    assert f"{base}/get-ready.mp3 differs from the manifest's clip" in line(out, "audio URL")
    with serving(production_app(install), (chain, key)) as port:
        monkeypatch.setenv("SKILL_AUDIO_BASE_URL", f"https://localhost:{port}/clips")
        status, out = doctor("--ca-file", str(ca), "--ntp-server", ntp)
    assert status == 1
    assert "get-ready.mp3 answered 404" in line(out, "audio URL")
    assert "SKILL_AUDIO_BASE_URL must serve" in advice(out, "audio URL")


def proxy_400(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    """A reverse proxy answering everything with its own HTML 400 page (nginx's "The plain
    HTTP request was sent to HTTPS port", or "Request Header Or Cookie Too Large")."""
    start_response("400 Bad Request", [("Content-Type", "text/html")])
    return [b"<html><head><title>400 Bad Request</title></head><body>nginx</body></html>"]


def wrong_refusal(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    """Some JSON 400 that is not the skill's refusal of an unsigned request."""
    start_response("400 Bad Request", [("Content-Type", "application/json")])
    return [b'{"error": "body is not valid JSON"}']


@pytest.mark.parametrize(
    ("app", "says"),
    [
        (proxy_400, "text/html '<html><head><title>400 Bad Request</title>"),
        (wrong_refusal, "the JSON error 'body is not valid JSON'"),
    ],
)
def test_a_400_that_is_not_the_skills_refusal_fails(
    install: Install, doctor: Doctor, ntp: str, tmp_path: Path, app: Any, says: str
) -> None:
    ca, chain, key = tls_files(tmp_path, ("localhost",))
    with serving(app, (chain, key)) as port:
        url = f"https://localhost:{port}/alexa"
        status, out = doctor("--url", url, "--ca-file", str(ca), "--ntp-server", ntp)
    assert status == 1
    found = line(out, "unsigned request")
    assert found.startswith("FAIL ")
    assert "got 400, but not the skill's refusal" in found
    assert says in found
    assert "forward POST /alexa to `serve` unchanged" in advice(out, "unsigned request")
