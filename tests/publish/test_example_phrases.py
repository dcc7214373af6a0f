"""Each example phrase of the listing, said to the skill as a reviewer would, gets a real answer.

Amazon's reviewers try the example phrases first ("make sure that these phrases work well":
Functional Testing for a Custom Skill,
https://developer.amazon.com/docs/custom-skills/functional-testing-for-a-custom-skill.html).
Here each goes through the simulator (`hamstring-coach say`, a new session each time) and must
reach the intent of the sample it was written from, never the fallback.
"""

from __future__ import annotations

import json

import pytest

from skill.cli import main
from skill.core.content import load_content
from skill.publish.listing import load_listing
from skill.publish.phrases import SampleIndex
from skill.resources import interaction_model_path

PHRASES = load_listing().example_phrases


@pytest.fixture(scope="module")
def index() -> SampleIndex:
    return SampleIndex(json.loads(interaction_model_path("en-US").read_text(encoding="utf-8")))


def say(phrase: str, capsys: pytest.CaptureFixture[str]) -> dict:
    assert main(["say", phrase, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("phrase", PHRASES)
def test_example_phrase_reaches_a_real_answer(
    phrase: str, index: SampleIndex, capsys: pytest.CaptureFixture[str]
) -> None:
    turn = say(phrase, capsys)
    expected = index.read(phrase)
    if expected.kind == "launch":
        assert turn["request"]["type"] == "LaunchRequest"
        assert turn["intent"] is None
    else:
        assert turn["request"]["type"] == "IntentRequest"
        assert turn["intent"] == expected.intent
        assert turn["intent"] != "AMAZON.FallbackIntent"
    phrases = load_content().phrases
    fallbacks = [phrases.get(key) for key in ("fallback.idle", "errors.generic")]
    assert not any(text in turn["text"] for text in fallbacks), turn["text"]
    speech = turn["response"]["response"]
    assert speech.get("outputSpeech") or speech.get("directives"), turn["response"]
    assert len(turn["text"]) > 40  # a sentence or more, not an empty or error reply


def test_the_listing_has_three_phrases_and_two_are_one_shots(index: SampleIndex) -> None:
    kinds = [index.read(p).kind for p in PHRASES]
    assert kinds == ["launch", "utterance", "utterance"]
    assert all(index.read(p).has_wake_word for p in PHRASES)
