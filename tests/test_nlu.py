"""The local NLU against the interaction model: every sample, paraphrases, fallbacks, launches.

Cases are generated from interaction_model/en-US.json and tests/paraphrases.yaml, so a new
sample or slot synonym is tested without touching this file.
"""

from __future__ import annotations

import re
from datetime import date
from itertools import product
from pathlib import Path

import pytest
import yaml

from skill.alexa.handlers.answers import STATEMENT_INTENTS
from skill.core.content import load_content
from skill.simulator.nlu import (
    BUILTIN_PHRASES,
    FALLBACK,
    NEAR_EXACT,
    NO_GUESS_INTENTS,
    InteractionModel,
    LaunchParse,
    Recognition,
    Recognizer,
    SlotValue,
    normalize,
    parse_launch,
    parse_number,
)
from tests.nlu_fixture import MODEL, SKILL_ID

PARAPHRASES = yaml.safe_load((Path(__file__).parent / "paraphrases.yaml").read_text())
NUMBERS = [("30", "30"), ("forty five", "45"), ("sixty", "60"), ("15", "15")]
DURATIONS = [("a minute", "PT1M"), ("a minute and a half", "PT1M30S")]
TODAY = date(2026, 11, 28)  # a Saturday: the day the recognizer's dates count from
TIMES = [("7 pm", "19:00"), ("seven thirty in the evening", "19:30"), ("morning", "MO")]
DATES = [("tomorrow", "2026-11-29"), ("monday", "2026-11-30")]
# Phrase slots take any words after their carrier; these match no literal sample anywhere.
PHRASES = ["a strange buzzing in my elbow", "wiggle my left ear"]
# Measured 0.94 (83/88) when written, 0.88 (57/65) once paraphrases of the no-guess intents
# (RedFlagIntent, StartStretchIntent) were tested apart, 0.86 (59/69) with issue 16's intents,
# 0.87 (87/100) with issue 20's reminder phrasings (25 of their 28); see the printed rate.
PARAPHRASE_FLOOR = 0.85
TRIAGE = load_content().triage
STATEMENT_SLOTS = STATEMENT_INTENTS  # the skill's own: intent -> (phrase slot, triage frame)


def _values(model: InteractionModel, slot_type: str) -> list[tuple[str, str]]:
    """(words said, value or resolution id expected) for a slot of `slot_type`."""
    if slot_type == "AMAZON.NUMBER":
        return NUMBERS
    if slot_type == "AMAZON.DURATION":
        return DURATIONS
    if slot_type == "AMAZON.TIME":
        return TIMES
    if slot_type == "AMAZON.DATE":
        return DATES
    if slot_type == "AMAZON.SearchQuery":
        return [(w, w) for w in PHRASES]
    return [(p, v.id) for v in model.types[slot_type].values for p in (v.value, *v.synonyms)]


def _fill(model: InteractionModel, intent_name: str, sample: str) -> list[tuple[str, dict]]:
    """The sample with every slot filled by each value/synonym (or a few numbers, times...);
    with two slots, every pair."""
    slot_types = {s.name: s.type for s in model.intent(intent_name).slots}
    names = re.findall(r"\{(\w+)\}", sample)
    out = []
    for combo in product(*(_values(model, slot_types[n]) for n in names)):
        text = sample
        for name, (words, _) in zip(names, combo, strict=True):
            text = text.replace(f"{{{name}}}", words)
        out.append((text, {n: value for n, (_, value) in zip(names, combo, strict=True)}))
    return out


SAMPLE_CASES = [
    pytest.param(text, intent.name, slots, id=f"{intent.name}:{text}")
    for intent in MODEL.intents
    for sample in intent.samples
    for text, slots in _fill(MODEL, intent.name, sample)
]


@pytest.fixture(scope="module")
def recognizer() -> Recognizer:
    return Recognizer(MODEL, skill_id=SKILL_ID, today=TODAY)


def _ids(slots: dict[str, SlotValue]) -> dict[str, str]:
    """Filled slots as resolution id (custom types) or value (AMAZON.NUMBER)."""
    return {k: v.resolved_id or v.value for k, v in slots.items() if v.value is not None}


def test_model_has_samples_to_test() -> None:
    assert len(SAMPLE_CASES) > 1000


@pytest.mark.parametrize(("text", "intent", "slots"), SAMPLE_CASES)
def test_every_sample_resolves_to_its_intent(
    recognizer: Recognizer, text: str, intent: str, slots: dict[str, str]
) -> None:
    rec = recognizer.recognize(text)
    assert (rec.intent, _ids(rec.slots)) == (intent, slots)
    assert rec.method in ("exact", "phrase")  # "phrase": an AMAZON.SearchQuery sample
    assert rec.score == 1.0


def test_resolution_is_shaped_like_alexa(recognizer: Recognizer) -> None:
    slot = recognizer.recognize("start the chair stretch").slots["Stretch"]
    assert slot.value == "chair stretch"
    assert slot.resolution == {
        "resolutionsPerAuthority": [
            {
                "authority": f"amzn1.er-authority.echo-sdk.{SKILL_ID}.STRETCH_NAME",
                "status": {"code": "ER_SUCCESS_MATCH"},
                "values": [{"value": {"name": "seated hamstring stretch", "id": "seated"}}],
            }
        ]
    }
    assert slot.to_alexa() == {
        "name": "Stretch",
        "value": "chair stretch",
        "confirmationStatus": "NONE",
        "source": "USER",
        "resolutions": slot.resolution,
    }


def test_unknown_phrase_in_custom_slot_is_no_match(recognizer: Recognizer) -> None:
    rec = recognizer.recognize("start the yoga stretch")
    assert rec.intent == "StartStretchIntent"
    slot = rec.slots["Stretch"]
    assert slot.value == "yoga stretch"
    assert slot.resolution == {
        "resolutionsPerAuthority": [
            {
                "authority": f"amzn1.er-authority.echo-sdk.{SKILL_ID}.STRETCH_NAME",
                "status": {"code": "ER_SUCCESS_NO_MATCH"},
            }
        ]
    }
    assert slot.resolved_id is None


def test_bare_slot_sample_does_not_swallow_everything(recognizer: Recognizer) -> None:
    # "{Stretch}" alone is a sample; unknown words must not become StartStretchIntent.
    assert recognizer.recognize("purple monkey").intent == FALLBACK


def test_unfilled_slots_are_listed_without_value(recognizer: Recognizer) -> None:
    rec = recognizer.recognize("start stretching")
    assert rec.intent == "StartStretchIntent"
    assert rec.slots == {"Stretch": SlotValue("Stretch")}
    assert rec.slots["Stretch"].to_alexa() == {"name": "Stretch", "confirmationStatus": "NONE"}


def test_number_slot_has_digits_and_no_resolution(recognizer: Recognizer) -> None:
    rec = recognizer.recognize("hold for forty five seconds")
    assert rec.slots["Seconds"] == SlotValue("Seconds", "45", None)


def test_hold_on_is_pause_but_hold_for_is_hold_length(recognizer: Recognizer) -> None:
    assert recognizer.recognize("hold on").intent == "AMAZON.PauseIntent"
    assert recognizer.recognize("hold for 30 seconds").intent == "SetHoldLengthIntent"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("wait my leash keeps sliding off", "StrapSlippingIntent"),
        ("hang on my legs are numb", "RedFlagIntent"),
        ("sorry, something came up", "AMAZON.PauseIntent"),
        ("wait", "AMAZON.PauseIntent"),
        ("wait a sec", "AMAZON.PauseIntent"),
        ("wait for me between holds", "StepByStepIntent"),
    ],
)
def test_a_leading_wait_does_not_hide_what_follows(
    recognizer: Recognizer, text: str, intent: str
) -> None:
    """Mid-stretch people start with "wait" or "hang on"; what follows is said exactly."""
    rec = recognizer.recognize(text)
    assert rec.intent == intent, rec
    assert rec.method in ("exact", "phrase")


def test_a_leading_wait_before_a_statement_keeps_its_phrase_slot(recognizer: Recognizer) -> None:
    rec = recognizer.recognize("wait i feel dizzy")
    assert (rec.intent, rec.slots["Statement"].value) == ("BodyStatementIntent", "dizzy")


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("how long is left", "TimeLeftIntent"),
        ("how many holds are left", "HowManyLeftIntent"),
        ("done", "AMAZON.NextIntent"),
        ("i'm done for today", "AMAZON.StopIntent"),
        ("carry on", "AMAZON.ResumeIntent"),
        ("keep going without waiting", "ContinuousIntent"),
        ("what can i say", "AMAZON.HelpIntent"),
        ("how do i do it", "HowToIntent"),
    ],
)
def test_issue_16_contrasts(recognizer: Recognizer, text: str, intent: str) -> None:
    """Seconds and holds, going on and stopping, resuming and a preference, help and how-to."""
    assert recognizer.recognize(text).intent == intent


def test_how_to_names_the_stretch(recognizer: Recognizer) -> None:
    rec = recognizer.recognize("how do i do the floor one")
    assert rec.intent == "HowToIntent"
    assert _ids(rec.slots) == {"Stretch": "supine"}


@pytest.mark.parametrize(
    ("intent", "phrase"),
    [(i, p) for i, phrases in BUILTIN_PHRASES.items() for p in phrases],
)
def test_builtin_phrases_without_samples(recognizer: Recognizer, intent: str, phrase: str) -> None:
    # Where the model gives the phrase to another intent, the model wins (as on Alexa).
    owner = next(
        (i.name for i in MODEL.intents if normalize(phrase) in {normalize(s) for s in i.samples}),
        intent,
    )
    assert recognizer.recognize(phrase).intent == owner


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("What's my streak?", "what is my streak"),
        ("what is my streak", "what is my streak"),
        ("Um, Alexa, okay so start the seated stretch, please.", "start the seated stretch"),
        ("okay", "okay"),
        ("OK", "okay"),
        ("book with J. O. I.", "book with j o i"),
        ("I\u2019m ready, thanks", "i am ready"),
    ],
)
def test_normalize(text: str, expected: str) -> None:
    assert normalize(text) == expected


@pytest.mark.parametrize(
    ("phrase", "value"),
    [
        ("45", 45),
        ("forty five", 45),
        ("thirty", 30),
        ("fifteen", 15),
        ("one hundred and five", 105),
        ("two hundred", 200),
        ("one two", None),
        ("forty fifty", None),
        ("seconds", None),
    ],
)
def test_parse_number(phrase: str, value: int | None) -> None:
    assert parse_number(phrase) == value


def _effective(rec: Recognition) -> str:
    """The answer a recognition reaches: the triage's for a statement, else the intent."""
    if rec.intent not in STATEMENT_SLOTS:
        return rec.intent
    slot, frame = STATEMENT_SLOTS[rec.intent]
    said = rec.slots.get(slot)
    return TRIAGE.classify(said.value or "" if said else "", frame).answer


def test_paraphrase_resolution_rate(recognizer: Recognizer) -> None:
    # Paraphrases of a no-guess intent are the next test's: a near miss is a fallback there.
    cases = [c for c in PARAPHRASES["paraphrases"] if c["intent"] not in NO_GUESS_INTENTS]
    misses = []
    for case in cases:
        rec = recognizer.recognize(case["text"])
        if rec.intent in STATEMENT_SLOTS and _effective(rec) == case["intent"]:
            continue  # a statement whose triage reaches the expected answer
        if (rec.intent, _ids(rec.slots)) != (case["intent"], case.get("slots") or {}):
            misses.append(f"  {case['text']!r}: {rec.intent} {_ids(rec.slots)} ({rec.score:.2f})")
    rate = 1 - len(misses) / len(cases)
    print(f"\nparaphrase resolution rate: {rate:.3f} ({len(cases) - len(misses)}/{len(cases)})")
    print("\n".join(misses))
    assert len(cases) >= 60
    assert rate >= PARAPHRASE_FLOOR


def test_no_guess_paraphrases_are_never_guessed(recognizer: Recognizer) -> None:
    """A paraphrase of an emergency or a start is matched exactly, near-exactly, or not at
    all, and never as the other one (a near miss may reach a harmless intent, such as
    "resume" for "let's get stretching")."""
    cases = [c for c in PARAPHRASES["paraphrases"] if c["intent"] in NO_GUESS_INTENTS]
    assert cases
    for case in cases:
        rec = recognizer.recognize(case["text"])
        assert rec.intent not in NO_GUESS_INTENTS - {case["intent"]}, case
        if rec.intent in NO_GUESS_INTENTS and rec.method == "fuzzy":
            assert rec.score >= NEAR_EXACT, case  # one word more or less: heard, not guessed


def test_paraphrases_are_not_model_samples() -> None:
    samples = {normalize(s) for i in MODEL.intents for s in i.samples}
    assert not [c["text"] for c in PARAPHRASES["paraphrases"] if normalize(c["text"]) in samples]


@pytest.mark.parametrize("text", PARAPHRASES["fallback"])
def test_out_of_domain_goes_to_fallback(recognizer: Recognizer, text: str) -> None:
    rec = recognizer.recognize(text)
    assert rec.intent == FALLBACK, rec
    assert rec.slots == {}
    assert rec.matched_sample is None


@pytest.mark.parametrize("text", ["", "   ", "um", "please"])
def test_empty_utterance_is_fallback(recognizer: Recognizer, text: str) -> None:
    assert recognizer.recognize(text).intent == FALLBACK


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("open hamstring coach", LaunchParse("launch")),
        ("Alexa, open Hamstring Coach", LaunchParse("launch")),
        ("start hamstring coach", LaunchParse("launch")),
        ("launch hamstring coach", LaunchParse("launch")),
        ("talk to hamstring coach", LaunchParse("launch")),
        ("ask hamstring coach", LaunchParse("launch")),
        ("ask hamstring coach for the phone number", LaunchParse("intent", "the phone number")),
        (
            "ask hamstring coach to start the seated stretch",
            LaunchParse("intent", "start the seated stretch"),
        ),
        ("tell hamstring coach i'm ready", LaunchParse("intent", "i'm ready")),
        ("alexa, ask hamstring coach what's my streak", LaunchParse("intent", "what's my streak")),
        (
            "open hamstring coach and start the chair stretch",
            LaunchParse("intent", "start the chair stretch"),
        ),
        ("get my progress from hamstring coach", LaunchParse("intent", "get my progress")),
        ("open spotify", LaunchParse("none")),
        ("start the seated stretch", LaunchParse("none")),
    ],
)
def test_parse_launch(text: str, expected: LaunchParse) -> None:
    assert parse_launch(text, MODEL.invocation_name) == expected


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("ask hamstring coach for the phone number", "BookAppointmentIntent"),
        ("ask hamstring coach to start the seated stretch", "StartStretchIntent"),
        ("tell hamstring coach i'm ready", "AMAZON.NextIntent"),
    ],
)
def test_one_shot_utterance_reaches_intent(recognizer: Recognizer, text: str, intent: str) -> None:
    parsed = parse_launch(text, MODEL.invocation_name)
    assert parsed.utterance is not None
    assert recognizer.recognize(parsed.utterance).intent == intent
