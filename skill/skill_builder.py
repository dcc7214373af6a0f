"""Wires content, handlers and (later) persistence into one ask-sdk-core CustomSkill."""

from __future__ import annotations

from ask_sdk_core.skill import CustomSkill
from ask_sdk_core.skill_builder import SkillBuilder

from skill.config import Config
from skill.content import load_content
from skill.handlers import exception_handlers, request_handlers
from skill.handlers.base import CleanAttributesInterceptor
from skill.turns import Coach


def build_skill(config: Config) -> CustomSkill:
    """A ready skill; everything that can be done once (content, handlers) is done here."""
    coach = Coach(load_content())
    builder = SkillBuilder()
    # The SDK checks the application id only when it is set here (ALEXA.md step 5).
    builder.skill_id = config.skill_id
    builder.add_global_request_interceptor(CleanAttributesInterceptor(coach))
    for handler in request_handlers(coach):
        builder.add_request_handler(handler)
    for handler in exception_handlers(coach):
        builder.add_exception_handler(handler)
    return builder.create()
