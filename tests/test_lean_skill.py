"""LeanSkill answers exactly as ask-sdk-core's CustomSkill does, turn by turn, on the same
configuration, and never changes the request envelope it was given."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from ask_sdk_core.attributes_manager import AttributesManager
from ask_sdk_core.exceptions import AskSdkException, AttributesManagerException
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_core.skill import CustomSkill
from ask_sdk_model import RequestEnvelope

from skill.alexa.lean_skill import (
    LeanSkill,
    ShallowAttributesManager,
    WrongApplicationId,
    application_id,
)
from skill.alexa.skill_builder import build_skill
from skill.config import Config
from skill.store.progress_store import ProgressStore
from tests.builders import APP_ID, RequestBuilder

SERIALIZER = DefaultSerializer()
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


def skill_pair(tmp_path: Path) -> tuple[CustomSkill, LeanSkill]:
    """The SDK's skill and ours, each on its own database, built from one configuration."""
    built = []
    for name in ("sdk", "lean"):
        config = Config(skill_id=APP_ID, database_url=f"sqlite:///{tmp_path}/{name}.db")
        built.append(build_skill(config, ProgressStore(config.database_url)))
    sdk, lean = built
    assert isinstance(lean, LeanSkill)
    return CustomSkill(sdk.skill_configuration), lean


def answer(skill: CustomSkill, envelope: dict[str, Any]) -> dict[str, Any]:
    request = SERIALIZER.deserialize(json.dumps(envelope), RequestEnvelope)
    before = copy.deepcopy(SERIALIZER.serialize(request))
    response = skill.invoke(request, None)
    assert SERIALIZER.serialize(request) == before, "the request envelope was changed"
    return SERIALIZER.serialize(response)  # type: ignore[no-any-return]


TURNS: list[tuple[str, dict[str, Any]]] = [
    ("launch", {}),
    ("StartStretchIntent", {"Stretch": ("seated hamstring stretch", "seated")}),
    ("AMAZON.NextIntent", {}),
    ("AMAZON.RepeatIntent", {}),
    ("AMAZON.PauseIntent", {}),
    ("AMAZON.ResumeIntent", {}),
    ("AMAZON.NextIntent", {}),
    ("BouncingIntent", {}),
    ("AMAZON.HelpIntent", {}),
    ("AMAZON.FallbackIntent", {}),
    ("AMAZON.PreviousIntent", {}),
    ("AMAZON.StopIntent", {}),
]


def test_a_whole_conversation_is_answered_identically(tmp_path: Path) -> None:
    sdk, lean = skill_pair(tmp_path)
    builder = RequestBuilder(now=NOW)
    attrs: dict[str, Any] = {}
    for index, (name, slots) in enumerate(TURNS):
        kw = {"attributes": attrs, "new": index == 0}
        envelope = builder.launch(**kw) if name == "launch" else builder.intent(name, slots, **kw)
        expected, got = answer(sdk, envelope), answer(lean, envelope)
        assert got == expected, name
        attrs = got.get("sessionAttributes") or {}
    assert attrs, "the conversation carried state from turn to turn"
    ended = builder.session_ended(attributes=attrs)
    assert answer(lean, ended) == answer(sdk, ended)
    disabled = builder.skill_event()  # no session at all
    assert answer(lean, disabled) == answer(sdk, disabled)


def test_forged_attributes_are_cleaned_the_same_way(tmp_path: Path) -> None:
    sdk, lean = skill_pair(tmp_path)
    forged = {
        "routine": {"v": 1, "stretches": ["seated"], "pos": 2, "extra": [1, 2]},
        "last": {"before": "<speak>anything</speak>", "nested": {"deep": ["x"]}},
        "unknown": {"a": {"b": "c"}},
        "hold_seconds": 45,
    }
    envelope = RequestBuilder(now=NOW).intent("AMAZON.RepeatIntent", attributes=forged)
    assert answer(lean, envelope) == answer(sdk, envelope)


def test_the_skill_id_is_checked_like_the_sdk_does(tmp_path: Path) -> None:
    sdk, lean = skill_pair(tmp_path)
    envelope = RequestBuilder(application_id="amzn1.ask.skill.someone-else", now=NOW).launch()
    for skill in (sdk, lean):
        with pytest.raises(AskSdkException, match="Skill ID"):
            answer(skill, envelope)


def test_session_attributes_are_a_copy_of_the_requests() -> None:
    envelope = RequestBuilder(now=NOW).launch(attributes={"tz": "UTC", "hold_seconds": 30})
    request = SERIALIZER.deserialize(json.dumps(envelope), RequestEnvelope)
    manager = ShallowAttributesManager(request)
    manager.session_attributes["tz"] = "Europe/Paris"
    manager.session_attributes.pop("hold_seconds")
    assert request.session.attributes == {"tz": "UTC", "hold_seconds": 30}
    empty = SERIALIZER.deserialize(json.dumps(RequestBuilder(now=NOW).launch()), RequestEnvelope)
    assert ShallowAttributesManager(empty).session_attributes == {}
    outside = RequestBuilder(now=NOW).skill_event()
    request = SERIALIZER.deserialize(json.dumps(outside), RequestEnvelope)
    for manager_class in (AttributesManager, ShallowAttributesManager):
        with pytest.raises(AttributesManagerException, match="out of session"):
            manager_class(request).session_attributes  # noqa: B018 - the getter raises


@pytest.mark.parametrize(
    ("context_id", "session_id", "accepted"),
    [
        (APP_ID, None, True),
        (None, APP_ID, True),  # context.System.application missing: the session's id counts
        (None, None, False),
        (None, "amzn1.ask.skill.someone-else", False),
        ("amzn1.ask.skill.someone-else", APP_ID, False),  # the context's id comes first
    ],
)
def test_the_skill_id_is_read_where_verification_reads_it(
    tmp_path: Path, context_id: str | None, session_id: str | None, accepted: bool
) -> None:
    """Issue 17 finding 2: without context.System.application the check crashed (500)."""
    _, lean = skill_pair(tmp_path)
    envelope = RequestBuilder(now=NOW).launch()
    for holder, app_id in (
        (envelope["context"]["System"], context_id),
        (envelope["session"], session_id),
    ):
        holder.pop("application")
        if app_id is not None:
            holder["application"] = {"applicationId": app_id}
    if accepted:
        assert answer(lean, envelope)["response"]
    else:
        with pytest.raises(WrongApplicationId):
            answer(lean, envelope)


def test_a_request_without_context_or_session_is_refused_not_crashed(tmp_path: Path) -> None:
    _, lean = skill_pair(tmp_path)
    envelope = RequestBuilder(now=NOW).skill_event()
    del envelope["context"]
    request = SERIALIZER.deserialize(json.dumps(envelope), RequestEnvelope)
    assert application_id(request) is None
    with pytest.raises(WrongApplicationId):
        lean.invoke(request, None)
