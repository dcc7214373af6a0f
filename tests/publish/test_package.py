"""`hamstring-coach package`, run as an operator would, and the package it writes.

The package for https://coach.example.org/alexa is written to a temporary folder by the real
command, read back from disk and checked against Amazon's rules (skill/publish/rules.py).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from skill.cli import main
from skill.publish.package import validate_package
from skill.publish.png import read_png
from skill.publish.rules import check_manifest
from skill.resources import interaction_model_path
from skill.screen.viewports import VIEWPORTS

ROOT = Path(__file__).resolve().parents[2]
ENDPOINT = "https://coach.example.org/alexa"


def package(tmp_path: Path, *options: str) -> tuple[int, Path]:
    code = main(["package", "--endpoint", ENDPOINT, "--out", str(tmp_path), *options])
    return code, tmp_path / "skill-package"


def manifest_of(root: Path) -> dict[str, Any]:
    return json.loads((root / "skill.json").read_text(encoding="utf-8"))["manifest"]


def test_the_package_for_coach_example_org(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, root = package(tmp_path)
    out = capsys.readouterr().out
    assert code == 0, out
    assert f"package ok: {root}" in out
    assert sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) == [
        "assets/images/en-US_largeIcon.png",
        "assets/images/en-US_smallIcon.png",
        "interactionModels/custom/en-US.json",
        "skill.json",
    ]
    document = json.loads((root / "skill.json").read_text(encoding="utf-8"))
    assert check_manifest(document, endpoint=ENDPOINT) == []
    assert validate_package(root, endpoint=ENDPOINT, locale="en-US") == []
    m = document["manifest"]
    assert m["manifestVersion"] == "1.0"
    endpoint = {"uri": ENDPOINT, "sslCertificateType": "Trusted"}
    assert m["apis"]["custom"]["endpoint"] == endpoint
    assert m["events"]["endpoint"] == endpoint
    # Screens and touches need the APL interface (APL for Audio needs no entry), with the
    # viewports the documents are laid out for, in Amazon's shape for them.
    (apl,) = m["apis"]["custom"]["interfaces"]
    assert apl["type"] == "ALEXA_PRESENTATION_APL"
    assert {(v["mode"], v["shape"]) for v in apl["supportedViewports"]} == {
        ("HUB", "ROUND"),
        ("HUB", "RECTANGLE"),
        ("TV", "RECTANGLE"),
    }
    for viewport in apl["supportedViewports"]:
        assert set(viewport) == {
            "mode", "shape", "minWidth", "maxWidth", "minHeight", "maxHeight"
        }  # fmt: skip
        assert viewport["minWidth"] <= viewport["maxWidth"]
        assert viewport["minHeight"] <= viewport["maxHeight"]
    # Every device class the documents are laid out for is one the skill says it supports.
    for laid_out in VIEWPORTS.values():
        assert any(
            v["mode"] == laid_out.mode
            and v["shape"] == laid_out.shape.upper()
            and v["minWidth"] <= laid_out.width_dp <= v["maxWidth"]
            and v["minHeight"] <= laid_out.height_dp <= v["maxHeight"]
            for v in apl["supportedViewports"]
        ), laid_out.name
    # Reminders need the Reminders API scope; the Settings API's time zone needs none.
    assert m["permissions"] == [{"name": "alexa::alerts:reminders:skill:readwrite"}]
    privacy = m["privacyAndCompliance"]
    assert privacy["locales"]["en-US"] == {
        "privacyPolicyUrl": "https://coach.example.org/privacy",
        "termsOfUseUrl": "https://coach.example.org/terms",
    }
    assert (privacy["containsAds"], privacy["isChildDirected"], privacy["allowsPurchases"]) == (
        False,
        False,
        False,
    )
    listing = m["publishingInformation"]
    assert listing["category"] == "HEALTH_AND_FITNESS"
    assert listing["locales"]["en-US"]["name"] == "Hamstring Coach"
    assert (
        "not a substitute for professional medical advice"
        in (listing["locales"]["en-US"]["description"])
    )


def test_the_interaction_model_is_the_projects_own_byte_for_byte(tmp_path: Path) -> None:
    code, root = package(tmp_path)
    assert code == 0
    packaged = root / "interactionModels" / "custom" / "en-US.json"
    assert packaged.read_bytes() == interaction_model_path("en-US").read_bytes()
    assert packaged.read_bytes() == (ROOT / "interaction_model" / "en-US.json").read_bytes()


def test_the_icons_are_pngs_of_amazons_sizes(tmp_path: Path) -> None:
    code, root = package(tmp_path)
    assert code == 0
    info = manifest_of(root)["publishingInformation"]["locales"]["en-US"]
    for key, size in (("smallIconUri", 108), ("largeIconUri", 512)):
        uri = info[key]
        assert uri.startswith("file://assets/images/")  # ASK CLI uploads the file with the package
        png = read_png(root / uri.removeprefix("file://"))
        assert (png.width, png.height) == (size, size)


def _handled_skill_events() -> set[str]:
    """AlexaSkillEvent.* request types the skill's handlers accept, as manifest event names."""
    names = set()
    for path in (ROOT / "skill" / "alexa" / "handlers").glob("*.py"):
        for event in re.findall(r"AlexaSkillEvent\.(\w+)", path.read_text(encoding="utf-8")):
            names.add(re.sub(r"(?<!^)(?=[A-Z])", "_", event).upper())  # SkillDisabled -> SKILL_...
    return names


def test_it_subscribes_to_exactly_the_skill_events_the_skill_handles(tmp_path: Path) -> None:
    code, root = package(tmp_path)
    assert code == 0
    subscribed = {s["eventName"] for s in manifest_of(root)["events"]["subscriptions"]}
    assert subscribed == _handled_skill_events() == {"SKILL_DISABLED"}


def test_own_policy_urls_and_certificate_types(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, root = package(
        tmp_path,
        "--privacy-url",
        "https://clinic.example.com/alexa-privacy",
        "--terms-url",
        "https://clinic.example.com/alexa-terms",
        "--certificate",
        "wildcard",
    )
    assert code == 0
    m = manifest_of(root)
    assert m["privacyAndCompliance"]["locales"]["en-US"] == {
        "privacyPolicyUrl": "https://clinic.example.com/alexa-privacy",
        "termsOfUseUrl": "https://clinic.example.com/alexa-terms",
    }
    assert m["apis"]["custom"]["endpoint"]["sslCertificateType"] == "Wildcard"
    capsys.readouterr()
    code, root = package(tmp_path, "--certificate", "self-signed")
    assert code == 0
    assert manifest_of(root)["events"]["endpoint"]["sslCertificateType"] == "SelfSigned"
    assert "testing only" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("endpoint", "reason"),
    [
        ("http://coach.example.org/alexa", "must start with https://"),
        ("https://coach.example.org:8443/alexa", "uses port 8443; Alexa only calls port 443"),
        ("https://203.0.113.7/alexa", "names an IP address"),
        ("https://localhost/alexa", "public host name"),
        ("https://user:secret@coach.example.org/alexa", "user name or password"),
        ("https://coach.example.org/alexa?key=1", "must not have a ?query"),
        ("https://coach.example.org:99999/alexa", "is not a valid URL"),
        ("coach.example.org/alexa", "must start with https://"),
        ("https://coach.example.org", "does not end in /alexa"),
        ("https://coach.example.org/skill", "does not end in /alexa"),
    ],
)
def test_an_endpoint_alexa_cannot_call_is_refused(
    endpoint: str, reason: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["package", "--endpoint", endpoint, "--out", str(tmp_path)]) == 2
    assert reason in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_an_http_privacy_url_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = package(tmp_path, "--privacy-url", "http://clinic.example.com/privacy")
    assert code == 2
    assert "--privacy-url must start with https://" in capsys.readouterr().err


def test_port_443_spelled_out_is_accepted(tmp_path: Path) -> None:
    url = "https://coach.example.org:443/alexa"
    assert main(["package", "--endpoint", url, "--out", str(tmp_path)]) == 0
    m = manifest_of(tmp_path / "skill-package")
    assert m["apis"]["custom"]["endpoint"]["uri"] == url
    assert m["privacyAndCompliance"]["locales"]["en-US"]["privacyPolicyUrl"] == (
        "https://coach.example.org:443/privacy"
    )


def test_running_again_replaces_the_package_files_and_nothing_else(tmp_path: Path) -> None:
    assert package(tmp_path)[0] == 0
    root = tmp_path / "skill-package"
    mine = tmp_path / "ask-resources.json"
    mine.write_text("{}", encoding="utf-8")
    (root / "skill.json").write_text("stale", encoding="utf-8")
    other = "https://other.example.org/alexa"
    assert main(["package", "--endpoint", other, "--out", str(tmp_path)]) == 0
    assert manifest_of(root)["apis"]["custom"]["endpoint"]["uri"] == other
    assert mine.read_text(encoding="utf-8") == "{}"


def test_out_must_be_a_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "a-file"
    file.write_text("x", encoding="utf-8")
    assert main(["package", "--endpoint", ENDPOINT, "--out", str(file)]) == 2
    assert "is a file, not a folder" in capsys.readouterr().err


def test_default_out_is_the_current_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["package", "--endpoint", ENDPOINT]) == 0
    assert (tmp_path / "skill-package" / "skill.json").is_file()


def test_the_package_is_readable_by_other_accounts(tmp_path: Path) -> None:
    """Written by root or a deploy user, the files must be readable by whoever runs the ASK CLI."""
    code, _ = package(tmp_path)
    assert code == 0
    for path in (tmp_path / "skill-package").rglob("*"):
        if path.is_file():
            assert path.stat().st_mode & 0o044 == 0o044, path


def test_a_proxy_prefix_before_alexa_is_accepted(tmp_path: Path) -> None:
    url = "https://clinic.example.org/coach/alexa"
    assert main(["package", "--endpoint", url, "--out", str(tmp_path)]) == 0
    assert manifest_of(tmp_path / "skill-package")["apis"]["custom"]["endpoint"]["uri"] == url
