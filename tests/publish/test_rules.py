"""The manifest checker catches what Amazon would reject: each rule is broken once on purpose.

A checker that never fails proves nothing, so every test here starts from the real manifest
(which passes) and breaks one thing.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from skill.cli import main
from skill.publish import listing as listing_module
from skill.publish.listing import ListingError, load_listing, parse_listing
from skill.publish.manifest import build_manifest
from skill.publish.package import validate_package
from skill.publish.phrases import SampleIndex, check_example_phrases
from skill.publish.rules import check_manifest
from skill.resources import interaction_model_path

ENDPOINT = "https://coach.example.org/alexa"


def good_manifest() -> dict[str, Any]:
    return build_manifest(
        load_listing(),
        endpoint=ENDPOINT,
        certificate="trusted",
        privacy_url="https://coach.example.org/privacy",
        terms_url="https://coach.example.org/terms",
    )


def broken(change: Any) -> list[str]:
    document = copy.deepcopy(good_manifest())
    change(document["manifest"])
    return check_manifest(document, endpoint=ENDPOINT)


def locale(m: dict[str, Any]) -> dict[str, Any]:
    return m["publishingInformation"]["locales"]["en-US"]


@pytest.fixture(scope="module")
def index() -> SampleIndex:
    return SampleIndex(json.loads(interaction_model_path("en-US").read_text(encoding="utf-8")))


def test_the_real_manifest_passes(index: SampleIndex) -> None:
    document = good_manifest()
    assert check_manifest(document, endpoint=ENDPOINT) == []
    assert check_example_phrases(locale(document["manifest"])["examplePhrases"], index) == []


def test_a_missing_field_is_named() -> None:
    problems = broken(lambda m: m["privacyAndCompliance"].pop("containsAds"))
    assert problems == ["manifest.privacyAndCompliance.containsAds: missing"]
    assert broken(lambda m: m.pop("publishingInformation")) == [
        "manifest.publishingInformation: missing"
    ]
    assert check_manifest({}) == ["manifest: missing"]


def test_a_summary_over_160_characters() -> None:
    problems = broken(lambda m: locale(m).update(summary="x" * 161))
    assert problems == [
        "manifest.publishingInformation.locales.en-US.summary: 161 characters; at most 160"
    ]
    assert broken(lambda m: locale(m).update(summary="x" * 160)) == []


def test_lengths_and_counts() -> None:
    assert broken(lambda m: locale(m).update(name="H")) == [
        "manifest.publishingInformation.locales.en-US.name: must have at least 2 characters"
    ]
    long_description = "not a substitute for professional medical advice; emergency " * 70
    assert (
        "4200 characters; at most 4000"
        in broken(lambda m: locale(m).update(description=long_description))[0]
    )
    assert (
        "31 keywords; at most 30"
        in broken(lambda m: locale(m).update(keywords=[f"word {i}" for i in range(31)]))[0]
    )
    assert (
        "keywords[0]: must be 1 to 150 characters"
        in broken(lambda m: locale(m).update(keywords=["k" * 151]))[0]
    )
    assert (
        "4 phrases; 1 to 3"
        in broken(lambda m: locale(m)["examplePhrases"].append("Alexa, open Hamstring Coach"))[0]
    )
    assert "0 phrases; 1 to 3" in broken(lambda m: locale(m).update(examplePhrases=[]))[0]
    assert (
        "testingInstructions: 4001 characters"
        in broken(lambda m: m["publishingInformation"].update(testingInstructions="t" * 4001))[0]
    )


def test_an_http_endpoint_and_a_different_endpoint() -> None:
    def http(m: dict[str, Any]) -> None:
        m["apis"]["custom"]["endpoint"]["uri"] = "http://coach.example.org/alexa"

    problems = broken(http)
    assert "manifest.apis.custom.endpoint.uri: must be an https:// URL" in problems[0]
    assert "is not the endpoint given" in problems[1]

    def other(m: dict[str, Any]) -> None:
        m["events"]["endpoint"]["uri"] = "https://elsewhere.example.org/alexa"

    assert broken(other) == [
        "manifest.events.endpoint.uri: 'https://elsewhere.example.org/alexa' is not the "
        "endpoint given, 'https://coach.example.org/alexa'"
    ]


def test_enumerations() -> None:
    assert (
        "'HEALTH' is not one of Amazon's categories"
        in broken(lambda m: m["publishingInformation"].update(category="HEALTH"))[0]
    )
    assert (
        "'Selfsigned' is not one of Amazon's"
        in broken(
            lambda m: m["apis"]["custom"]["endpoint"].update(sslCertificateType="Selfsigned")
        )[0]
    )
    assert (
        "unknown skill event 'SkillDisabled'"
        in broken(lambda m: m["events"].update(subscriptions=[{"eventName": "SkillDisabled"}]))[0]
    )
    assert (
        "unknown interface type 'ALEXA_PRESENTATION_APLA'"
        in broken(
            lambda m: m["apis"]["custom"].update(interfaces=[{"type": "ALEXA_PRESENTATION_APLA"}])
        )[0]
    )
    assert (
        "manifestVersion: must be one of 1.0"
        in broken(lambda m: m.update(manifestVersion="2.0"))[0]
    )


def test_privacy_answers_must_be_booleans_and_urls_https() -> None:
    assert broken(lambda m: m["privacyAndCompliance"].update(usesPersonalInfo="no")) == [
        "manifest.privacyAndCompliance.usesPersonalInfo: must be a bool"
    ]
    assert (
        "termsOfUseUrl: must be an https:// URL"
        in broken(
            lambda m: m["privacyAndCompliance"]["locales"]["en-US"].update(
                termsOfUseUrl="http://coach.example.org/terms"
            )
        )[0]
    )


def test_distribution_countries() -> None:
    assert broken(lambda m: m["publishingInformation"].pop("distributionCountries")) == [
        "manifest.publishingInformation.distributionCountries: missing"
    ]
    assert (
        "'USA' is not an ISO 3166-1 code"
        in broken(lambda m: m["publishingInformation"].update(distributionCountries=["USA"]))[0]
    )


def test_a_health_skill_needs_its_disclaimer() -> None:
    def no_disclaimer(m: dict[str, Any]) -> None:
        locale(m)["description"] = "Hamstring Coach guides two stretches for low back pain."

    problems = broken(no_disclaimer)
    assert len(problems) == 2
    assert "must say 'not a substitute for professional medical advice'" in problems[0]
    assert "must say 'emergency'" in problems[1]


def test_example_phrase_rules(index: SampleIndex) -> None:
    assert check_example_phrases(["Alexa, ask Hamstring Coach to bake a cake"], index) == [
        "examplePhrases[0] 'Alexa, ask Hamstring Coach to bake a cake': 'bake a cake' is not "
        "a sample utterance of the interaction model"
    ]
    assert check_example_phrases(["open Hamstring Coach"], index) == [
        "examplePhrases[0] 'open Hamstring Coach': the first phrase must start with 'Alexa,' "
        "and include the invocation name 'hamstring coach'"
    ]
    assert check_example_phrases(["Alexa, start the seated stretch"], index)[0].endswith(
        "include the invocation name 'hamstring coach'"
    )
    # Later phrases may be in-session utterances; slots take their type's values.
    assert (
        check_example_phrases(
            ["Alexa, open Hamstring Coach", "start the chair stretch", "hold for 40 seconds"], index
        )
        == []
    )
    assert check_example_phrases(["Alexa, open Hamstring Coach", "start the tv stretch"], index)


def test_the_command_fails_and_lists_the_problems_when_the_listing_breaks_a_rule(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real = load_listing()
    bad = dataclasses.replace(
        real,
        summary="s" * 200,
        example_phrases=(*real.example_phrases[:2], "Alexa, ask Hamstring Coach to sing"),
    )
    monkeypatch.setattr(listing_module, "load_listing", lambda: bad)
    assert main(["package", "--endpoint", ENDPOINT, "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "breaks Amazon's manifest rules" in err
    assert "summary: 200 characters; at most 160" in err
    assert "'sing' is not a sample utterance" in err


def test_validate_finds_a_changed_model_and_a_wrong_icon(tmp_path: Path) -> None:
    assert main(["package", "--endpoint", ENDPOINT, "--out", str(tmp_path)]) == 0
    root = tmp_path / "skill-package"
    model = root / "interactionModels" / "custom" / "en-US.json"
    model.write_bytes(model.read_bytes().replace(b"hamstring coach", b"hamstring helper", 1))
    small = root / "assets" / "images" / "en-US_smallIcon.png"
    large = root / "assets" / "images" / "en-US_largeIcon.png"
    small.write_bytes(large.read_bytes())
    problems = validate_package(root, endpoint=ENDPOINT, locale="en-US")
    assert (
        "interactionModels/custom/en-US.json: differs from the project's interaction model"
        in problems
    )
    assert "assets/images/en-US_smallIcon.png: 512x512; Amazon needs 108x108" in problems


def test_the_listing_file_says_what_is_missing() -> None:
    data = _listing_yaml()
    del data["privacy"]["contains_ads"]
    with pytest.raises(ListingError, match=r"privacy\.contains_ads is missing"):
        parse_listing(data)
    with pytest.raises(ListingError, match="keywords must be a list of strings"):
        parse_listing({**_listing_yaml(), "keywords": ["ok", 3]})
    with pytest.raises(ListingError, match="name must be a str, not int"):
        parse_listing({**_listing_yaml(), "name": 7})


def _listing_yaml() -> dict[str, Any]:
    import yaml

    path = Path(listing_module.__file__).with_name("listing.yaml")
    return yaml.safe_load(path.read_text(encoding="utf-8"))
