"""doctor fetches one card picture from where Alexa will fetch it, as the operator's app would."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from skill.config import Config
from skill.web.app import create_app
from tests.doctor.conftest import SKILL_ID, Doctor, Install, advice, line
from tests.doctor.servers import FakeNtp, serving, tls_files


@pytest.fixture
def ntp() -> Iterator[str]:
    with FakeNtp(0.0) as server:
        yield server.address


def test_without_a_base_cards_have_no_pictures(install: Install, doctor: Doctor) -> None:
    status, out = doctor("--offline")
    assert status == 0
    assert line(out, "card pictures").startswith("ok ")
    assert "cards without pictures" in line(out, "card pictures")


def test_offline_the_picture_is_not_fetched(
    install: Install, doctor: Doctor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SKILL_IMAGES_BASE_URL", "https://cdn.example.org/images")
    _, out = doctor("--offline")
    assert "--offline: https://cdn.example.org/images not fetched" in line(out, "card pictures")


def test_a_derived_base_is_fetched_and_a_wrong_one_says_what_to_do(
    install: Install,
    doctor: Doctor,
    ntp: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ca, chain, key = tls_files(tmp_path, ("localhost",))
    app = create_app(Config(skill_id=SKILL_ID, database_url=install.database_url))
    with serving(app, (chain, key)) as port:
        # serve passes /images/ as well as /audio/: the derived base works
        monkeypatch.setenv("SKILL_AUDIO_BASE_URL", f"https://localhost:{port}/audio")
        _, out = doctor("--ca-file", str(ca), "--ntp-server", ntp)
        assert line(out, "card pictures").startswith("ok "), out
        assert f"https://localhost:{port}/images/pose_" in line(out, "card pictures")
        assert "200, image/png, this release's bytes" in line(out, "card pictures")
        # the clips on a host that has no /images/: the derived base is wrong
        monkeypatch.setenv("SKILL_AUDIO_BASE_URL", f"https://localhost:{port}/clips/audio")
        status, out = doctor("--ca-file", str(ca), "--ntp-server", ntp)
        assert status == 1
        assert "answered 404" in line(out, "card pictures")
        assert "derived from SKILL_AUDIO_BASE_URL" in advice(out, "card pictures")
        assert "set SKILL_IMAGES_BASE_URL" in advice(out, "card pictures")
        # the operator sets the base where the pictures really are
        monkeypatch.setenv("SKILL_IMAGES_BASE_URL", f"https://localhost:{port}/images")
        _, out = doctor("--ca-file", str(ca), "--ntp-server", ntp)
        assert line(out, "card pictures").startswith("ok "), out
        # a base that answers something else than a PNG
        monkeypatch.setenv("SKILL_IMAGES_BASE_URL", f"https://localhost:{port}/healthz?x=")
        status, out = doctor("--ca-file", str(ca), "--ntp-server", ntp)
        assert status == 1
        assert "not image/png" in line(out, "card pictures"), out
        assert "SKILL_IMAGES_BASE_URL must serve" in advice(out, "card pictures")


def another_build(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    """A host serving some other release's pictures: PNGs, but not this release's bytes."""
    start_response("200 OK", [("Content-Type", "image/png")])
    return [b"\x89PNG\r\n\x1a\n from an older build"]


def test_pictures_of_another_release_are_a_warning(
    install: Install,
    doctor: Doctor,
    ntp: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ca, chain, key = tls_files(tmp_path, ("localhost",))
    with serving(another_build, (chain, key)) as port:
        monkeypatch.setenv("SKILL_IMAGES_BASE_URL", f"https://localhost:{port}/images")
        status, out = doctor("--ca-file", str(ca), "--ntp-server", ntp)
    assert status == 0
    assert line(out, "card pictures").startswith("warn "), out
    assert "is a PNG, but not this release's" in line(out, "card pictures")
    assert "copy skill/screen/images/" in advice(out, "card pictures")
