"""The local NLU as Alexa behaves with issue 15's slots: phrase slots, durations, no-guess
intents and the strict mode, against the fixture model (tests/nlu_fixture.py).

Split from tests/test_nlu.py (modules stay under 400 lines).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from skill.simulator.nlu import (
    FALLBACK,
    NEAR_EXACT,
    Recognizer,
    SlotValue,
    normalize,
    parse_duration,
    parse_model,
)
from tests.nlu_fixture import MODEL, SKILL_ID, fixture_model

ROOT = Path(__file__).parent.parent


@pytest.fixture(scope="module")
def recognizer() -> Recognizer:
    return Recognizer(MODEL, skill_id=SKILL_ID)


@pytest.fixture(scope="module")
def fixture_recognizer() -> Recognizer:
    return Recognizer(fixture_model(), skill_id=SKILL_ID)


@pytest.mark.parametrize(
    ("text", "intent", "slot", "value"),
    [
        ("i feel dizzy", "BodyStatementIntent", "Statement", "dizzy"),
        ("um, I feel all wobbly and odd", "BodyStatementIntent", "Statement", "all wobbly and odd"),
        ("my knee is sore", "BodyStatementIntent", "Statement", "knee is sore"),
        ("I can't reach my toes", "CantDoIntent", "Task", "reach my toes"),
        ("i am unable to lie on my back", "CantDoIntent", "Task", "lie on my back"),
    ],
)
def test_phrase_slot_takes_the_words_after_the_carrier_phrase(
    fixture_recognizer: Recognizer, text: str, intent: str, slot: str, value: str
) -> None:
    rec = fixture_recognizer.recognize(text)
    assert (rec.intent, rec.method, rec.score) == (intent, "phrase", 1.0)
    assert rec.slots[slot] == SlotValue(slot, value, None)  # no resolutions, like Alexa
    assert rec.slots[slot].to_alexa() == {
        "name": slot,
        "value": value,
        "confirmationStatus": "NONE",
        "source": "USER",
    }
    assert fixture_recognizer.recognize(text, strict=True).intent == intent


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("my back hurts", "BackPainIntent"),  # literal sample beats "my {Statement}"
        ("I can't get down on the floor", "NoFloorIntent"),  # beats "i can't {Task}"
        ("my legs are numb", "RedFlagIntent"),
        ("i can't feel my groin", "RedFlagIntent"),
    ],
)
def test_literal_sample_beats_phrase_slot(
    fixture_recognizer: Recognizer, text: str, intent: str
) -> None:
    rec = fixture_recognizer.recognize(text)
    assert (rec.intent, rec.method) == (intent, "exact")


@pytest.mark.parametrize(
    "text", ["i feel", "my", "i fel dizy", "feel dizzy i", "i kinda feel dizzy"]
)
def test_phrase_slot_needs_its_carrier_phrase_and_a_word(
    fixture_recognizer: Recognizer, text: str
) -> None:
    rec = fixture_recognizer.recognize(text)
    assert rec.intent not in ("BodyStatementIntent", "CantDoIntent"), rec


@pytest.mark.parametrize(
    ("phrase", "value"),
    [
        ("a minute", "PT1M"),
        ("one minute", "PT1M"),
        ("half a minute", "PT30S"),
        ("a minute and a half", "PT1M30S"),
        ("one and a half minutes", "PT1M30S"),
        ("ninety seconds", "PT90S"),  # units as said, never carried (Amazon's examples)
        ("2 minutes", "PT2M"),
        ("forty five seconds", "PT45S"),
        ("one minute thirty seconds", "PT1M30S"),
        ("one minute and thirty seconds", "PT1M30S"),
        ("half an hour", "PT30M"),
        ("half a second", None),
        ("seconds", None),
        ("a", None),
        ("two minutes two minutes", None),
    ],
)
def test_parse_duration(phrase: str, value: str | None) -> None:
    assert parse_duration(phrase) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("hold for a minute", "PT1M"),
        ("make the holds a minute and a half", "PT1M30S"),
        ("hold for half a minute", "PT30S"),
        ("hold for 2 minutes", "PT2M"),
    ],
)
def test_duration_slot_is_iso_8601(fixture_recognizer: Recognizer, text: str, value: str) -> None:
    rec = fixture_recognizer.recognize(text)
    assert (rec.intent, rec.method) == ("SetHoldLengthIntent", "exact")
    assert rec.slots["Duration"] == SlotValue("Duration", value, None)
    assert rec.slots["Seconds"] == SlotValue("Seconds")


def test_duration_in_a_fuzzy_match(fixture_recognizer: Recognizer) -> None:
    rec = fixture_recognizer.recognize("hold it for a minute okay")
    assert (rec.intent, rec.method) == ("SetHoldLengthIntent", "fuzzy")
    assert rec.slots["Duration"].value == "PT1M"


def test_seconds_still_fill_the_number_slot(fixture_recognizer: Recognizer) -> None:
    rec = fixture_recognizer.recognize("hold for thirty seconds")
    assert rec.slots["Seconds"].value == "30"
    assert rec.slots["Duration"].value is None


@pytest.mark.parametrize(
    ("text", "refused"),
    [
        ("no numbness in both legs", "RedFlagIntent"),  # near-exact, but negated
        ("i do not have chest pain", "RedFlagIntent"),
        ("so both legs kind of went numb on me", "RedFlagIntent"),  # not near-exact
        ("could you maybe coach me through that seated one", "StartStretchIntent"),
        ("call my mom", "StartStretchIntent"),
    ],
)
def test_fuzzy_never_guesses_an_emergency_or_a_start(
    recognizer: Recognizer, text: str, refused: str
) -> None:
    rec = recognizer.recognize(text)
    assert (rec.intent, rec.method, rec.refused) == (FALLBACK, "fallback", refused)
    assert rec.score >= recognizer.fuzzy_threshold
    assert (rec.slots, rec.matched_sample) == ({}, None)
    # The set is configurable: without it the same words are guessed.
    guessing = Recognizer(MODEL, no_guess=frozenset())
    assert (guessing.recognize(text).intent, guessing.recognize(text).method) == (refused, "fuzzy")


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("both of my legs are numb", "RedFlagIntent"),  # "both my legs are numb"
        ("I need an ambulance now", "RedFlagIntent"),
        ("can you coach me through the seated hamstring stretch", "StartStretchIntent"),
    ],
)
def test_a_near_exact_match_without_negation_is_heard(
    recognizer: Recognizer, text: str, intent: str
) -> None:
    """One word more or less than a sample, as a statistical model would hear it."""
    rec = recognizer.recognize(text)
    assert (rec.intent, rec.method) == (intent, "fuzzy")
    assert rec.score >= NEAR_EXACT


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Um, so, I'm ready please", "so i am ready please"),
        ("uh what's my streak?", "what is my streak"),
        ("Alexa, erm, hmm, I can't", "alexa i can not"),
        ("I'd like to stop", "i would like to stop"),  # "like" is a word, not a filler
    ],
)
def test_strict_normalize_drops_hesitations_only(text: str, expected: str) -> None:
    assert normalize(text, strict=True) == expected


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("start the seated stretch", "StartStretchIntent"),
        ("uh, start the seated stretch", "StartStretchIntent"),
        ("What's my streak?", "ProgressIntent"),
        ("please start the seated stretch", FALLBACK),  # politeness is not in the sample
        ("okay so start the seated stretch", FALLBACK),
        ("start the yoga stretch", FALLBACK),  # unknown custom slot value: no wildcard
        ("hold for forty five seconds", "SetHoldLengthIntent"),
        ("hold it for a minute okay", FALLBACK),  # no fuzzy
    ],
)
def test_strict_mode_is_what_alexa_guarantees(
    fixture_recognizer: Recognizer, text: str, intent: str
) -> None:
    rec = fixture_recognizer.recognize(text, strict=True)
    assert rec.intent == intent
    assert rec.method in (("fallback",) if intent == FALLBACK else ("exact", "phrase"))


def test_phrase_slot_sample_without_a_carrier_phrase_matches_nothing() -> None:
    # Alexa refuses to build "{Query}" alone (MissingCarrierPhraseWithPhraseSlot).
    document = {
        "interactionModel": {
            "languageModel": {
                "invocationName": "test",
                "intents": [
                    {
                        "name": "AnythingIntent",
                        "slots": [{"name": "Query", "type": "AMAZON.SearchQuery"}],
                        "samples": ["{Query}", "search for {Query}"],
                    },
                    {"name": "AMAZON.FallbackIntent", "samples": []},
                ],
            }
        }
    }
    recognizer = Recognizer(parse_model(document))
    assert recognizer.recognize("purple monkey dishwasher").intent == FALLBACK
    rec = recognizer.recognize("search for purple monkeys")
    assert (rec.intent, rec.slots["Query"].value) == ("AnythingIntent", "purple monkeys")
