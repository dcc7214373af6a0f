"""Wires content, handlers, the progress store and the Alexa API client into one CustomSkill.

No ask-sdk persistence adapter: no handler uses `persistent_attributes`; the handlers reach the
store through the request's unit of work (skill.store.unit_of_work), written once per request by
SaveProfileInterceptor."""

from __future__ import annotations

from ask_sdk_core.skill import CustomSkill
from ask_sdk_core.skill_builder import CustomSkillBuilder

from skill.alexa.api_client import TimeoutApiClient
from skill.alexa.handlers import exception_handlers, request_handlers
from skill.alexa.handlers.interceptors import (
    SaveProfileInterceptor,
    SessionStateReader,
    SessionStateWriter,
)
from skill.alexa.lean_skill import LeanSkill
from skill.alexa.screen import Presenter
from skill.config import Config
from skill.core.content import load_content
from skill.core.turns import Coach
from skill.store.progress_store import ProgressStore
from skill.voice.manifest import LiveManifest
from skill.voice.render import SpeechRenderer


def build_skill(
    config: Config, store: ProgressStore | None = None, clips: LiveManifest | None = None
) -> CustomSkill:
    """A ready skill; everything that can be done once (content, handlers) is done here."""
    content = load_content()
    coach = Coach(content)
    renderer = SpeechRenderer(
        content,
        mode=config.speech_mode,
        audio_base_url=config.audio_base_url,
        manifest=clips or LiveManifest(config.audio_dir),
    )
    builder = CustomSkillBuilder(api_client=TimeoutApiClient())
    # The SDK checks the application id only when it is set here (docs/alexa-platform.md step 5).
    builder.skill_id = config.skill_id
    builder.add_global_request_interceptor(SessionStateReader(coach))
    presenter = Presenter(config.images_base_url)
    for handler in request_handlers(coach, store, renderer, presenter):
        builder.add_request_handler(handler)
    for handler in exception_handlers(coach):
        builder.add_exception_handler(handler)
    builder.add_global_response_interceptor(SessionStateWriter())
    if store is not None:
        builder.add_global_response_interceptor(SaveProfileInterceptor(store))
    return LeanSkill(builder.skill_configuration)
