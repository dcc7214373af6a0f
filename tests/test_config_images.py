"""SKILL_IMAGES_BASE_URL: where Alexa fetches the card pictures, as an operator sets it up."""

from __future__ import annotations

import pytest

from skill.config import Config, ConfigError


def test_unset_without_audio_means_plain_text_cards() -> None:
    assert Config.from_env({}).images_base_url is None


def test_set_explicitly_is_used_as_is_without_a_trailing_slash() -> None:
    env = {"SKILL_IMAGES_BASE_URL": " https://cdn.example.org/coach/pics/ "}
    assert Config.from_env(env).images_base_url == "https://cdn.example.org/coach/pics"


def test_the_explicit_setting_wins_over_the_audio_host() -> None:
    env = {
        "SKILL_AUDIO_BASE_URL": "https://coach.example.org/audio",
        "SKILL_IMAGES_BASE_URL": "https://pictures.example.org/cards",
    }
    assert Config.from_env(env).images_base_url == "https://pictures.example.org/cards"


@pytest.mark.parametrize(
    ("audio", "images"),
    [
        ("https://coach.example.org/audio", "https://coach.example.org/images"),
        ("https://coach.example.org/audio/", "https://coach.example.org/images"),
        ("https://example.org/skills/coach/audio", "https://example.org/skills/coach/images"),
        ("https://coach.example.org/clips", None),  # not this server's /audio: no guess
        ("https://coach.example.org/audio-files", None),
    ],
)
def test_unset_follows_the_audio_host_when_it_serves_audio(audio: str, images: str | None) -> None:
    assert Config.from_env({"SKILL_AUDIO_BASE_URL": audio}).images_base_url == images


@pytest.mark.parametrize(
    "value",
    ["http://coach.example.org/images", "coach.example.org/images", "ftp://x/images", "//x/i"],
)
def test_anything_but_https_is_refused_and_named(value: str) -> None:
    with pytest.raises(ConfigError, match=r"^SKILL_IMAGES_BASE_URL must be an https:// address"):
        Config.from_env({"SKILL_IMAGES_BASE_URL": value})


def test_an_empty_setting_is_unset() -> None:
    env = {"SKILL_IMAGES_BASE_URL": "  ", "SKILL_AUDIO_BASE_URL": "https://c.example.org/audio"}
    assert Config.from_env(env).images_base_url == "https://c.example.org/images"


def test_a_test_override_of_the_audio_base_moves_the_pictures_too() -> None:
    config = Config.from_env({}, audio_base_url="https://coach.example.org/audio")
    assert config.images_base_url == "https://coach.example.org/images"
