"""Configuration from the environment, with defaults an operator can run as is."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from skill.resources import default_audio_dir

MAX_BODY_BYTES = 128 * 1024
# Forget people not seen for this many months (docs/privacy.md). A year: a stretching habit
# paused for a season (winter, an injury, a busy spell) comes back to its history and streak,
# and someone gone for a whole year has most likely left; keeping them longer serves nobody.
DEFAULT_RETENTION_MONTHS = 12
MAX_RETENTION_MONTHS = 1200  # 100 years: anything more is a typo; 0 already means "never"
SPEECH_MODES = ("apla", "ssml")


def audio_dir_from_env(env: Mapping[str, str] | None = None) -> Path:
    """SKILL_AUDIO_DIR, else the default (see skill.resources.default_audio_dir)."""
    env = os.environ if env is None else env
    value = env.get("SKILL_AUDIO_DIR", "").strip()
    return Path(value) if value else default_audio_dir()


class ConfigError(ValueError):
    """A setting has a value the skill cannot run with; the message names the variable."""


TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")


def env_flag(name: str, value: str | None) -> bool:
    """An on/off variable: 1/true/yes/on or 0/false/no/off (unset: off)."""
    if value is None:
        return False
    word = value.strip().lower()
    if word in TRUE_WORDS or word in FALSE_WORDS:
        return word in TRUE_WORDS
    raise ConfigError(f"{name} must be 1 or 0 (or true/false, yes/no, on/off), not {value!r}")


def retention_months(value: str | None) -> int:
    """SKILL_RETENTION_MONTHS: whole months, 0 (never forget) to MAX_RETENTION_MONTHS."""
    if value is None:
        return DEFAULT_RETENTION_MONTHS
    if not (value.isascii() and value.isdigit()) or int(value) > MAX_RETENTION_MONTHS:
        raise ConfigError(
            f"SKILL_RETENTION_MONTHS must be a whole number of months from 0 (never forget) "
            f"to {MAX_RETENTION_MONTHS}, not {value!r}"
        )
    return int(value)


@dataclass(frozen=True)
class Config:
    skill_id: str | None = None  # application id to accept; see skill_id_problem()
    # Without SKILL_ID, production serves only when told to accept requests for any skill id
    # (SKILL_ACCEPT_ANY_SKILL=1 or `serve --accept-any-skill`); ignored when SKILL_ID is set.
    accept_any_skill: bool = False
    database_url: str | None = None  # None: SQLite file in the user's data directory
    audio_base_url: str | None = None  # public HTTPS base for rendered clips
    # SKILL_IMAGES_BASE_URL as set; `images_base_url` says what the card pictures use
    images_base_url_setting: str | None = None
    # where build-audio writes the clips and manifest (checkout: audio/; installed: user data dir)
    audio_dir: Path = field(default_factory=default_audio_dir)
    speech_mode: str = "apla"  # how holds are spoken: APL for Audio, or SSML only
    log_level: str = "INFO"
    verify_requests: bool = True  # off only with `serve --dev`
    max_body_bytes: int = MAX_BODY_BYTES
    retention_months: int = DEFAULT_RETENTION_MONTHS  # 0: never forget anyone

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Config:
        env = os.environ if env is None else env

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        config = cls(
            skill_id=get("SKILL_ID"),
            accept_any_skill=env_flag("SKILL_ACCEPT_ANY_SKILL", get("SKILL_ACCEPT_ANY_SKILL")),
            database_url=get("SKILL_DATABASE_URL"),
            audio_base_url=(get("SKILL_AUDIO_BASE_URL") or "").rstrip("/") or None,
            images_base_url_setting=(get("SKILL_IMAGES_BASE_URL") or "").rstrip("/") or None,
            audio_dir=audio_dir_from_env(env),
            speech_mode=(get("SKILL_SPEECH_MODE") or "apla").lower(),
            log_level=(get("SKILL_LOG_LEVEL") or "INFO").upper(),
            retention_months=retention_months(get("SKILL_RETENTION_MONTHS")),
        )
        config = replace(config, **overrides)
        if config.speech_mode not in SPEECH_MODES:
            raise ConfigError(
                f"SKILL_SPEECH_MODE must be one of {', '.join(SPEECH_MODES)}, "
                f"not {config.speech_mode!r}"
            )
        base = config.audio_base_url
        if base and not base.startswith("https://"):
            raise ConfigError(
                f"SKILL_AUDIO_BASE_URL must be an https:// address (Alexa fetches clips only "
                f"over HTTPS), not {base!r}"
            )
        images = config.images_base_url_setting
        if images and not images.startswith("https://"):
            raise ConfigError(
                f"SKILL_IMAGES_BASE_URL must be an https:// address (Alexa shows card pictures "
                f"only from HTTPS), not {images!r}"
            )
        return config

    @property
    def images_base_url(self) -> str | None:
        """Where Alexa fetches the card pictures: SKILL_IMAGES_BASE_URL, else the audio host's
        /images when SKILL_AUDIO_BASE_URL ends in /audio (this server serves both), else None
        (plain text cards)."""
        if self.images_base_url_setting:
            return self.images_base_url_setting
        audio = self.audio_base_url
        if audio and audio.startswith("https://") and audio.endswith("/audio"):
            return audio.removesuffix("/audio") + "/images"
        return None

    @property
    def skill_id_status(self) -> str:
        """Which skill ids are answered, as the start-up line and /healthz say it."""
        if self.skill_id:
            return "set"
        if self.accept_any_skill and self.verify_requests:
            return "any (SKILL_ACCEPT_ANY_SKILL)"
        return "unset"

    def skill_id_problem(self) -> str | None:
        """Why production must not start with these settings, or None.

        Amazon requires a skill's web service to check that each request is meant for that
        skill (its skill id), not just that Alexa signed it: otherwise anyone can point a skill
        of their own at this endpoint. So a missing SKILL_ID is an error unless the operator
        says, explicitly, that any skill may call this server. `serve --dev` is exempt.
        """
        if self.skill_id or not self.verify_requests or self.accept_any_skill:
            return None
        return (
            "SKILL_ID is not set, so this server would answer requests from any Alexa skill. "
            "Set SKILL_ID to your skill's id (amzn1.ask.skill....): in the Alexa developer "
            "console it is under the skill's name in your list of skills (Copy Skill ID) and "
            "on the skill's Endpoint page. To accept requests for any skill id on purpose, set "
            "SKILL_ACCEPT_ANY_SKILL=1 or pass --accept-any-skill."
        )
