"""Configuration from the environment, with defaults an operator can run as is."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

MAX_BODY_BYTES = 128 * 1024


@dataclass(frozen=True)
class Config:
    skill_id: str | None = None  # application id to accept; None accepts any (warned)
    database_url: str | None = None  # None: SQLite file in the user's data directory
    audio_base_url: str | None = None  # public HTTPS base for rendered clips
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
            log_level=(get("SKILL_LOG_LEVEL") or "INFO").upper(),
        )
        return replace(config, **overrides)
