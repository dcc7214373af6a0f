"""Ties the interaction model, the handlers and the content files together."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from skill.alexa.handlers import HANDLED_INTENTS, REQUEST_HANDLERS
from skill.alexa.handlers.conversation import FallbackHandler, UnhandledRequestHandler
from skill.core.content import load_content

ROOT = Path(__file__).resolve().parent.parent
MODEL = json.loads((ROOT / "interaction_model" / "en-US.json").read_text())["interactionModel"]
MODEL_INTENTS = {i["name"] for i in MODEL["languageModel"]["intents"]}
CONTENT = load_content()
# Answers named after an intent are asked for by it; the others (KneePain, UnclearStatement)
# are reached only through the triage of what people say.
ANSWER_INTENTS = {key for key in CONTENT.answers if key.endswith("Intent")}
TRIAGE_ONLY_ANSWERS = set(CONTENT.answers) - ANSWER_INTENTS


def test_every_model_intent_has_a_handler() -> None:
    unhandled = MODEL_INTENTS - HANDLED_INTENTS - ANSWER_INTENTS
    assert not unhandled


def test_every_handled_intent_is_in_the_model() -> None:
    assert not (HANDLED_INTENTS | ANSWER_INTENTS) - MODEL_INTENTS


def test_triage_only_answers_are_reached_by_the_triage() -> None:
    reached = {rule.verdict.answer for rule in CONTENT.triage.rules}
    assert reached | {"UnclearStatement"} >= TRIAGE_ONLY_ANSWERS


def test_every_triage_answer_exists() -> None:
    assert {rule.verdict.answer for rule in CONTENT.triage.rules} <= set(CONTENT.answers)


def test_answer_intents_do_not_overlap_dedicated_handlers() -> None:
    assert not ANSWER_INTENTS & HANDLED_INTENTS


def test_handler_order_keeps_catch_alls_last() -> None:
    assert REQUEST_HANDLERS[-2:] == (FallbackHandler, UnhandledRequestHandler)
    assert len(set(REQUEST_HANDLERS)) == len(REQUEST_HANDLERS)


def test_handled_intent_names_appear_in_handler_code() -> None:
    source = "\n".join(p.read_text() for p in (ROOT / "skill" / "alexa" / "handlers").glob("*.py"))
    for intent in HANDLED_INTENTS - {"AMAZON.FallbackIntent"}:
        assert f'"{intent}"' in source, intent


def _phrase_keys_used() -> tuple[set[str], list[re.Pattern[str]]]:
    """Literal phrase keys and f-string key patterns passed to `.get(...)` in skill/."""
    literals: set[str] = set()
    patterns: list[re.Pattern[str]] = []
    for path in (ROOT / "skill").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            if node.func.attr != "get" or not node.args:
                continue
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                if re.fullmatch(r"[a-z_]+\.[a-z_.]+", arg.value):
                    literals.add(arg.value)
            elif isinstance(arg, ast.JoinedStr):
                parts = [
                    re.escape(v.value) if isinstance(v, ast.Constant) else "[a-z_.]+"
                    for v in arg.values
                ]
                patterns.append(re.compile("".join(parts)))
    return literals, patterns


def test_every_phrase_key_used_in_code_exists() -> None:
    literals, patterns = _phrase_keys_used()
    keys = CONTENT.phrases.keys()
    assert literals, "found no phrase keys: the scan is broken"
    assert not literals - keys
    for pattern in patterns:
        assert any(pattern.fullmatch(k) for k in keys), pattern.pattern


def _all_string_constants() -> set[str]:
    return {
        node.value
        for path in (ROOT / "skill").rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }


def test_every_phrase_in_the_content_is_used() -> None:
    literals, patterns = _phrase_keys_used()
    literals |= _all_string_constants()
    unused = {
        k
        for k in CONTENT.phrases.keys()  # noqa: SIM118
        if k not in literals and not any(p.fullmatch(k) for p in patterns)
    }
    assert not unused


@pytest.mark.parametrize("stage", ["idle", "running", "paused", "finished"])
def test_stage_dependent_phrases_exist_for_every_stage(stage: str) -> None:
    for prefix in ("help", "fallback"):
        assert f"{prefix}.{stage}" in CONTENT.phrases


def test_each_handled_intent_goes_to_the_handler_that_names_it() -> None:
    """HANDLED_INTENTS is the union of the handlers' own `intents`, and dispatch (first match
    wins) sends each of those intents to the handler that names it."""
    from ask_sdk_core.handler_input import HandlerInput
    from ask_sdk_core.serialize import DefaultSerializer
    from ask_sdk_model import RequestEnvelope

    from skill.alexa.handlers import request_handlers
    from skill.core.turns import Coach
    from tests.builders import RequestBuilder

    handlers = request_handlers(Coach(CONTENT), None)
    named = {name for h in REQUEST_HANDLERS for name in getattr(h, "intents", ())}
    assert named == HANDLED_INTENTS
    serializer = DefaultSerializer()
    for intent in HANDLED_INTENTS:
        envelope = serializer.deserialize(
            json.dumps(RequestBuilder().intent(intent)), RequestEnvelope
        )
        first = next(h for h in handlers if h.can_handle(HandlerInput(envelope)))
        assert intent in type(first).intents, (intent, type(first).__name__)


def test_the_evaluation_reads_statements_as_the_skill_does() -> None:
    """The statement intents and their frames are the same for the skill and nlu-eval."""
    from skill.alexa.handlers.answers import STATEMENT_INTENTS
    from skill.simulator.nlu.evaluation import load_kind_table

    table = load_kind_table().triage_intents
    assert table == {name: (slot, frame.value) for name, (slot, frame) in STATEMENT_INTENTS.items()}
