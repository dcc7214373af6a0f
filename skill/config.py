"""Configuration from the environment, with defaults an operator can run as is."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from skill.resources import default_audio_dir

MAX_BODY_BYTES = 128 * 1024
SPEECH_MODES = ("apla", "ssml")


def audio_dir_from_env(env: Mapping[str, str] | None = None) -> Path:
    """SKILL_AUDIO_DIR, else the default (see skill.resources.default_audio_dir)."""
    env = os.environ if env is None else env
    value = env.get("SKILL_AUDIO_DIR", "").strip()
    return Path(value) if value else default_audio_dir()


class ConfigError(ValueError):
    """A setting has a value the skill cannot run with; the message names the variable."""


@dataclass(frozen=True)
class Config:
    skill_id: str | None = None  # application id to accept; None accepts any (warned)
    database_url: str | None = None  # None: SQLite file in the user's data directory
    audio_base_url: str | None = None  # public HTTPS base for rendered clips
    # where build-audio writes the clips and manifest (checkout: audio/; installed: user data dir)
    audio_dir: Path = field(default_factory=default_audio_dir)
    speech_mode: str = "apla"  # how holds are spoken: APL for Audio, or SSML only
    log_level: str = "INFO"
    verify_requests: bool = True  # off only with `serve --dev`
    max_body_bytes: int = MAX_BODY_BYTES

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Config:
        env = os.environ if env is None else env

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        config = cls(
            skill_id=get("SKILL_ID"),
            database_url=get("SKILL_DATABASE_URL"),
            audio_base_url=(get("SKILL_AUDIO_BASE_URL") or "").rstrip("/") or None,
            audio_dir=audio_dir_from_env(env),
            speech_mode=(get("SKILL_SPEECH_MODE") or "apla").lower(),
            log_level=(get("SKILL_LOG_LEVEL") or "INFO").upper(),
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
        return config
