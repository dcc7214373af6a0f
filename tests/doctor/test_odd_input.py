"""Odd input never costs the operator a traceback: option values argparse can judge are usage
errors (exit 2, the reason on one line), anything else is one check's FAIL with advice, and a
check that crashes anyway fails alone while the rest of the report still comes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skill.cli import main
from skill.doctor import runner
from skill.doctor.endpoint import endpoint_checks
from skill.doctor.report import FAIL, OK, SKIP, WARN
from tests.doctor.conftest import Doctor, Install, advice, line
from tests.doctor.resolver import stub_resolver
from tests.doctor.servers import FakeNtp

ODD_URLS = [
    "https://[::1/alexa",
    "https://localhost:99999/alexa",
    "https://localhost:-1/alexa",
    "https://localhost:port/alexa",
    "https://[fe80::1%eth0]:443/alexa",
    "https://ünïcode.example/alexa",
    "https://" + "a" * 300 + ".example/alexa",
    "https://a..b/alexa",
    "https://user:secret@coach.example.org/alexa",
    "https:///alexa",
    "https:/alexa",
    "coach.example.org/alexa",
    "",
    " ",
    "https://\x00.example/alexa",
    "https://localhost:0/alexa",
    "ftp://coach.example.org/alexa",
]


@pytest.fixture
def ntp() -> Iterator[str]:
    with FakeNtp(0.0) as server:
        yield server.address


def usage_error(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """Run doctor expecting argparse to refuse: exit 2, and what it printed on stderr."""
    with pytest.raises(SystemExit) as stopped:
        main(["doctor", *args])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--url", "https://[::1/alexa"), "is not a valid URL: Invalid IPv6 URL"),
        (("--url", "https://localhost:99999/alexa"), "Port out of range"),
        (("--url", "coach.example.org/alexa"), "is not a URL like https://HOST/alexa"),
        (("--privacy-url", "https://[::1/privacy"), "is not a valid URL"),
        (("--ca-file", "/nonexistent/ca.pem"), "not a readable PEM CA file (No such file"),
        (("--ntp-server", "localhost:99999"), "not HOST or HOST:PORT"),
    ],
)
def test_option_values_are_checked_up_front(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...], says: str
) -> None:
    err = usage_error(capsys, *args)
    assert f"doctor: error: argument {args[0]}: " in err
    assert says in err


def test_a_ca_file_that_is_no_certificate_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    not_pem = tmp_path / "key.txt"
    not_pem.write_text("this is not a certificate\n")
    err = usage_error(capsys, "--ca-file", str(not_pem))
    assert f"{not_pem}: not a readable PEM CA file" in err
    assert "NO_CERTIFICATE_OR_CRL_FOUND" in err


def test_the_endpoint_checks_turn_bad_values_into_a_fail(tmp_path: Path) -> None:
    """Called without the command line's checks (as other code may): still a FAIL, no raise."""
    not_pem = tmp_path / "ca.pem"
    not_pem.write_text("-----BEGIN NOTHING-----\n")
    cases = {
        "https://[::1/alexa": "is not a valid URL (Invalid IPv6 URL)",
        "https://localhost:99999/alexa": "is not a valid URL (Port out of range",
    }
    for url, says in cases.items():
        (found,) = endpoint_checks(url)
        assert (found.status, found.name) == (FAIL, "https")
        assert says in found.detail
        assert "https://HOST/alexa" in found.advice
    for ca in ("/nonexistent/ca.pem", str(not_pem)):
        checks = endpoint_checks("https://coach.example.org/alexa", ca_file=ca)
        assert checks[-1].status == FAIL
        assert f"--ca-file {ca}" in checks[-1].detail
        assert "PEM file of CA certificates" in checks[-1].advice


def test_a_check_that_crashes_fails_alone(
    install: Install, doctor: Doctor, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(_config: object) -> None:
        raise RuntimeError("a bug in the database check")

    monkeypatch.setattr(runner, "check_database", broken)
    status, out = doctor("--offline")
    assert status == 1
    assert line(out, "database").startswith(
        "FAIL  database           the check stopped with RuntimeError: a bug in the database check"
    )
    assert "report it with this line" in advice(out, "database")
    # Everything after it still ran.
    for name in ("content", "interaction model", "audio clips", "clock (kernel)", "endpoint"):
        assert not line(out, name).startswith("FAIL"), out


@pytest.mark.parametrize("url", ODD_URLS)
def test_odd_urls_never_raise(
    url: str,
    install: Install,
    ntp: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with stub_resolver(monkeypatch):
        checks = endpoint_checks(url)
        assert checks, url
        assert all(c.status in (OK, WARN, FAIL, SKIP) for c in checks)
        assert_report_or_usage_error(url, ntp, capsys)


def assert_report_or_usage_error(url: str, ntp: str, capsys: pytest.CaptureFixture[str]) -> None:
    """`doctor --url URL` as typed: a report (exit 0/1) or a usage error (2), no traceback."""
    try:
        status = main(["doctor", "--url", url, "--ntp-server", ntp])
    except SystemExit as stopped:
        status = stopped.code
    out, err = capsys.readouterr()
    assert status in (0, 1, 2), (url, status)
    assert "Traceback" not in out + err, url
    if status == 2:
        assert "doctor: error: argument --url" in err, url
    else:
        assert "checks" in out.splitlines()[-1], url


hosts = st.one_of(
    st.text(max_size=20),
    st.sampled_from(["localhost", "127.0.0.1", "[::1]", "[::1", "::1", "a..b", "-", "xn--"]),
)
ports = st.one_of(
    st.just(""),
    st.from_regex(r":-?[0-9]{0,7}", fullmatch=True),
    st.text(max_size=4).map(lambda t: ":" + t),
)
schemes = st.sampled_from(["https://", "http://", "", "HTTPS://", "ftp://", "https:/", "//"])
odd_urls = st.builds(
    lambda scheme, host, port, path: f"{scheme}{host}{port}{path}",
    schemes,
    hosts,
    ports,
    st.one_of(st.just("/alexa"), st.text(max_size=10)),
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(url=odd_urls)
def test_any_url_ends_in_a_report_or_a_usage_error(
    url: str,
    install: Install,
    ntp: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with stub_resolver(monkeypatch):
        assert_report_or_usage_error(url, ntp, capsys)
