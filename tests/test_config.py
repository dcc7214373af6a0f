"""Settings from the environment: the on/off flag, and when production may start."""

from __future__ import annotations

import pytest

from skill.config import Config, ConfigError, env_flag


@pytest.mark.parametrize(
    ("value", "on"),
    [
        *[(None, False), ("1", True), ("true", True), (" Yes ", True), ("ON", True)],
        *[("0", False), ("false", False), ("no", False), ("off", False)],
    ],
)
def test_env_flag_reads_the_usual_words(value: str | None, on: bool) -> None:
    assert env_flag("X", value) is on


@pytest.mark.parametrize("value", ["2", "y", "enabled", "-1"])
def test_env_flag_refuses_anything_else_and_names_the_variable(value: str) -> None:
    with pytest.raises(ConfigError, match=r"^SKILL_ACCEPT_ANY_SKILL must be 1 or 0"):
        env_flag("SKILL_ACCEPT_ANY_SKILL", value)


def test_an_empty_flag_is_unset() -> None:
    assert Config.from_env({"SKILL_ACCEPT_ANY_SKILL": "  "}).accept_any_skill is False


@pytest.mark.parametrize(
    ("env", "overrides", "problem", "status"),
    [
        ({}, {}, True, "unset"),  # production, nothing said: refused
        ({"SKILL_ID": "amzn1.ask.skill.x"}, {}, False, "set"),
        ({"SKILL_ACCEPT_ANY_SKILL": "1"}, {}, False, "any (SKILL_ACCEPT_ANY_SKILL)"),
        ({}, {"accept_any_skill": True}, False, "any (SKILL_ACCEPT_ANY_SKILL)"),
        ({"SKILL_ID": "amzn1.ask.skill.x", "SKILL_ACCEPT_ANY_SKILL": "1"}, {}, False, "set"),
        ({"SKILL_ACCEPT_ANY_SKILL": "0"}, {}, True, "unset"),
        ({}, {"verify_requests": False}, False, "unset"),  # --dev
    ],
)
def test_production_needs_a_skill_id_or_an_explicit_flag(
    env: dict[str, str], overrides: dict[str, bool], problem: bool, status: str
) -> None:
    config = Config.from_env(env, **overrides)
    assert (config.skill_id_problem() is not None) is problem
    assert config.skill_id_status == status
