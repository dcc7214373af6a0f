"""Configuration and SKILL_ID: the settings `serve` reads, checked the way `serve` reads them."""

from __future__ import annotations

import re
import uuid

from skill.config import Config, ConfigError
from skill.doctor.report import Check, fail, ok, warn

SKILL_ID_PREFIX = "amzn1.ask.skill."
# Where an operator finds the id (the same words `serve` uses when it refuses to start).
WHERE_THE_ID_IS = (
    "In the Alexa developer console it is under the skill's name in your list of skills "
    "(Copy Skill ID) and on the skill's Endpoint page."
)


def load_config() -> tuple[Config | None, Check]:
    """The production configuration (verification on), or None and the reason it is invalid."""
    try:
        config = Config.from_env()
    except ConfigError as exc:
        return None, fail(
            "configuration",
            str(exc),
            "Fix that variable in the service's environment (systemd unit, container "
            "--env-file or shell) and run doctor again; README.md lists every setting.",
        )
    where = "SKILL_DATABASE_URL" if config.database_url else "default SQLite file"
    return config, ok(
        "configuration",
        f"valid (speech {config.speech_mode}, log level {config.log_level}, database: {where})",
    )


def check_skill_id(config: Config | None) -> Check:
    """SKILL_ID is what makes the server refuse other skills' requests (Amazon requires it)."""
    name = "skill id"
    if config is None:
        return fail(
            name, "not checked: the configuration is invalid", "Fix the configuration first."
        )
    skill_id = config.skill_id
    if not skill_id:
        if config.accept_any_skill:
            return warn(
                name,
                "SKILL_ID is not set; SKILL_ACCEPT_ANY_SKILL=1 accepts requests for any skill",
                f"Set SKILL_ID to your skill's id ({SKILL_ID_PREFIX}...) and remove "
                f"SKILL_ACCEPT_ANY_SKILL before going live. {WHERE_THE_ID_IS}",
            )
        return fail(
            name,
            "SKILL_ID is not set: `serve` refuses to start",
            f"Set SKILL_ID to your skill's id ({SKILL_ID_PREFIX}...). {WHERE_THE_ID_IS}",
        )
    if not skill_id.startswith(SKILL_ID_PREFIX):
        return fail(
            name,
            f"SKILL_ID {skill_id!r} does not start with {SKILL_ID_PREFIX!r}: every request "
            "from Alexa would be refused",
            f"Copy the skill id again. {WHERE_THE_ID_IS}",
        )
    if not _is_uuid(skill_id.removeprefix(SKILL_ID_PREFIX)):
        return warn(
            name,
            f"SKILL_ID {skill_id!r} has no UUID after {SKILL_ID_PREFIX!r}, unlike skill ids "
            "the console shows",
            f"Check for a truncated copy. {WHERE_THE_ID_IS}",
        )
    return ok(name, f"{skill_id}")


def _is_uuid(text: str) -> bool:
    if not re.fullmatch(r"[0-9a-fA-F-]{36}", text):
        return False
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True
