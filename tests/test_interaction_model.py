"""Static checks on the Alexa interaction model (interaction_model/en-US.json).

These mirror the console's own validation rules (see docs/alexa-platform.md, "Interaction
model") plus the names the skill code depends on, so a broken model fails here rather than
at upload time.
"""

import json
import re
from collections import defaultdict
from pathlib import Path

import pytest

MODEL_PATH = Path(__file__).parent.parent / "interaction_model" / "en-US.json"

LAUNCH_WORDS = {
    "ask", "begin", "do", "launch", "load", "open", "play", "resume", "run", "start", "talk",
    "tell", "use", "enable",
}  # fmt: skip
CONNECTING_WORDS = {"by", "from", "in", "using", "with", "to", "about", "for", "that", "if"}
WAKE_WORDS = {"alexa", "amazon", "echo", "computer", "skill", "app"}

# One spoken word: letters with inner apostrophes, hyphens or underscores ("don't",
# "clinic's", "x-ray"), optionally ending in an abbreviation period ("j." "dr."), or a slot.
WORD = re.compile(r"(?:[a-z]+(?:['_-][a-z]+)*\.?|\{[A-Za-z_]+\})")
SLOT_REF = re.compile(r"\{([^{}]*)\}")

REQUIRED_CUSTOM = {
    "StartStretchIntent": {"Stretch": "STRETCH_NAME"},
    "SetHoldLengthIntent": {"Seconds": "AMAZON.NUMBER", "Duration": "AMAZON.DURATION"},
    "SwitchLegsIntent": {},
    "HowManyLeftIntent": {},
    "ProgressIntent": {},
    "SciaticPainIntent": {},
    "HowFarIntent": {},
    "BouncingIntent": {},
    "BreathingIntent": {},
    "HowLongIntent": {},
    "HowManyWeeksIntent": {},
    "WhyHamstringsIntent": {},
    "StrapAlternativeIntent": {},
    "SeeDoctorIntent": {},
    "RedFlagIntent": {},
    "BookAppointmentIntent": {},
    "InjuryCareIntent": {},
    "BodyStatementIntent": {"Statement": "AMAZON.SearchQuery"},
    "CantDoIntent": {"Task": "AMAZON.SearchQuery"},
    "SharpPainIntent": {},
    "BackPainIntent": {},
    "TightnessIntent": {},
    "HowOftenIntent": {},
    "ConsultFirstIntent": {},
    "SciaticNerveIntent": {},
    "WhereFeelIntent": {},
    "MedicationIntent": {},
    "KneeBendIntent": {},
    "NoStretchFeltIntent": {},
    "StrapSlippingIntent": {},
    "TiredArmsIntent": {},
    "NoFloorIntent": {},
    "NoChairIntent": {},
    "LongerHoldIntent": {},
    "ShorterHoldIntent": {},
}
REQUIRED_BUILTINS = [
    "AMAZON.HelpIntent",
    "AMAZON.StopIntent",
    "AMAZON.CancelIntent",
    "AMAZON.FallbackIntent",
    "AMAZON.NavigateHomeIntent",
    "AMAZON.NextIntent",
    "AMAZON.PreviousIntent",
    "AMAZON.RepeatIntent",
    "AMAZON.PauseIntent",
    "AMAZON.ResumeIntent",
    "AMAZON.StartOverIntent",
    "AMAZON.YesIntent",
    "AMAZON.NoIntent",
]
# Floors reached when issue 15 was built (the lowest custom intent then had 41 samples, the
# lowest built-in with samples 13); raise them, never lower them.
MIN_CUSTOM_SAMPLES = 40
MIN_BUILTIN_SAMPLES = 10
MIN_SAMPLES = {
    "StartStretchIntent": 100,
    "RedFlagIntent": 120,
    "SetHoldLengthIntent": 60,
}
# Phrase slot types: a sample that uses one needs a carrier phrase, and keeps the slot alone.
PHRASE_SLOT_TYPES = {"AMAZON.SearchQuery"}
# Our own budget, not Amazon's: we found no current Amazon page with the model's size limits
# (docs/alexa-platform.md, "Phrase slots and sample utterances"). Old third-party reports name
# about 2500 utterances and about 200 KB. The byte figure we keep; the utterance count we passed
# in issue 15 (casual carriers, bare red flags), since it is our own budget: a dated forum
# figure, not a limit we could confirm. 3200 left room without inviting bulk; issue 18 raised
# it to 3300 for PrivacyIntent (41 samples, 3234 in all), a question people ask by voice.
MAX_TOTAL_SAMPLES = 3300
MAX_MODEL_BYTES = 200_000
ANSWER_INTENTS = [
    "SwitchLegsIntent",
    "HowManyLeftIntent",
    "ProgressIntent",
    "HowFarIntent",
    "BouncingIntent",
    "BreathingIntent",
    "HowLongIntent",
    "HowManyWeeksIntent",
    "WhyHamstringsIntent",
    "StrapAlternativeIntent",
    "SeeDoctorIntent",
    "PrivacyIntent",
]
STRETCH_PHRASES = [
    "the chair stretch",
    "the chair one",
    "floor one",
    "the one on the chair",
    "let's do the towel stretch",
    "can you start the floor one",
    "i want to do the whole routine",
    "all of them",
    "the one lying on my back",
    "the strap stretch",
    "start my routine",
    "start the seated hamstring stretch",
    "do both",
    "the full thing",
    "the one lying on the floor",
    "the one where you sit on the edge of the chair",
    "the one with the strap",
]


def _load() -> dict:
    with MODEL_PATH.open(encoding="utf-8") as f:
        return json.load(f)["interactionModel"]["languageModel"]


MODEL = _load()
INTENTS = {intent["name"]: intent for intent in MODEL["intents"]}
TYPES = {slot_type["name"]: slot_type for slot_type in MODEL.get("types", [])}
ALL_SAMPLES = [(intent["name"], s) for intent in MODEL["intents"] for s in intent["samples"]]


def normalise(text: str) -> str:
    return " ".join(text.lower().split())


def type_phrases(type_name: str) -> set[str]:
    phrases = set()
    for value in TYPES[type_name]["values"]:
        phrases.add(normalise(value["name"]["value"]))
        phrases.update(normalise(s) for s in value["name"].get("synonyms", []))
    return phrases


def test_model_has_top_level_shape():
    raw = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    assert set(raw) == {"interactionModel"}
    assert {"invocationName", "intents", "types"} <= set(raw["interactionModel"]["languageModel"])


def test_invocation_name_rules():
    name = MODEL["invocationName"]
    assert re.fullmatch(r"[a-z]+(?: [a-z]+)+", name), name
    words = set(name.split())
    assert not words & (LAUNCH_WORDS | CONNECTING_WORDS | WAKE_WORDS)


def test_intent_names_are_unique():
    names = [intent["name"] for intent in MODEL["intents"]]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("name", sorted(REQUIRED_CUSTOM))
def test_required_custom_intent_and_slots(name):
    assert name in INTENTS
    slots = {slot["name"]: slot["type"] for slot in INTENTS[name].get("slots", [])}
    assert slots == REQUIRED_CUSTOM[name]


@pytest.mark.parametrize("name", REQUIRED_BUILTINS)
def test_required_builtin_present(name):
    assert name in INTENTS


@pytest.mark.parametrize("name", ["AMAZON.FallbackIntent", "AMAZON.NavigateHomeIntent"])
def test_intents_that_take_no_samples(name):
    assert INTENTS[name]["samples"] == []


def test_custom_intent_names_are_valid():
    for name in INTENTS:
        if not name.startswith("AMAZON."):
            assert re.fullmatch(r"[A-Za-z_]+", name), name


@pytest.mark.parametrize(("intent", "sample"), ALL_SAMPLES)
def test_sample_uses_allowed_characters(intent, sample):
    assert sample == sample.strip()
    assert "  " not in sample
    words = sample.split(" ")
    assert all(WORD.fullmatch(word) for word in words), f"{intent}: {sample!r}"


@pytest.mark.parametrize(("intent", "sample"), ALL_SAMPLES)
def test_sample_slots_are_declared(intent, sample):
    declared = {slot["name"] for slot in INTENTS[intent].get("slots", [])}
    assert set(SLOT_REF.findall(sample)) <= declared, f"{intent}: {sample!r}"


def test_every_declared_slot_is_used():
    for intent in MODEL["intents"]:
        for slot in intent.get("slots", []):
            ref = "{" + slot["name"] + "}"
            assert any(ref in s for s in intent["samples"]), (intent["name"], slot["name"])


def test_slot_types_are_builtin_or_defined():
    for intent in MODEL["intents"]:
        for slot in intent.get("slots", []):
            assert slot["type"].startswith("AMAZON.") or slot["type"] in TYPES, slot


def test_every_type_value_has_an_id():
    for slot_type in TYPES.values():
        ids = [value.get("id") for value in slot_type["values"]]
        assert all(ids), slot_type["name"]
        assert len(ids) == len(set(ids)), slot_type["name"]


def test_stretch_ids_match_the_code():
    ids = {value["id"] for value in TYPES["STRETCH_NAME"]["values"]}
    assert ids == {"seated", "supine", "full"}


@pytest.mark.parametrize("type_name", sorted(TYPES))
def test_no_synonym_belongs_to_two_values(type_name):
    owners = defaultdict(set)
    for value in TYPES[type_name]["values"]:
        owners[normalise(value["name"]["value"])].add(value["id"])
        for synonym in value["name"].get("synonyms", []):
            owners[normalise(synonym)].add(value["id"])
    clashes = {phrase: ids for phrase, ids in owners.items() if len(ids) > 1}
    assert not clashes


@pytest.mark.parametrize("type_name", sorted(TYPES))
def test_type_phrases_use_allowed_characters(type_name):
    for phrase in type_phrases(type_name):
        assert all(WORD.fullmatch(w) for w in phrase.split(" ")), phrase


def test_no_duplicate_samples_anywhere():
    seen = defaultdict(list)
    for intent, sample in ALL_SAMPLES:
        seen[normalise(sample)].append(intent)
    duplicates = {sample: owners for sample, owners in seen.items() if len(owners) > 1}
    assert not duplicates


def test_no_duplicate_samples_after_the_simulators_normalisation():
    """Contractions expanded and fillers dropped: "i'm ready" and "i am ready" are one sample."""
    from skill.simulator.nlu.normalize import normalize_sample

    seen = defaultdict(set)
    for intent, sample in ALL_SAMPLES:
        seen[normalize_sample(sample)[0]].add(intent)
    assert not {sample: owners for sample, owners in seen.items() if len(owners) > 1}


@pytest.mark.parametrize(("name", "minimum"), sorted(MIN_SAMPLES.items()))
def test_main_intents_have_enough_samples(name, minimum):
    assert len(INTENTS[name]["samples"]) >= minimum


@pytest.mark.parametrize("name", ANSWER_INTENTS)
def test_answer_intents_have_enough_samples(name):
    assert len(INTENTS[name]["samples"]) >= 12


@pytest.mark.parametrize("name", sorted(REQUIRED_CUSTOM))
def test_every_custom_intent_has_the_floor(name):
    assert len(INTENTS[name]["samples"]) >= MIN_CUSTOM_SAMPLES


@pytest.mark.parametrize("name", [n for n in REQUIRED_BUILTINS if INTENTS[n]["samples"]])
def test_builtins_with_samples_have_the_floor(name):
    assert len(INTENTS[name]["samples"]) >= MIN_BUILTIN_SAMPLES


def test_sample_counts_are_printed():
    """Run with -s to see the sample count per intent (the issue asks for it)."""
    width = max(len(name) for name in INTENTS)
    for name, intent in INTENTS.items():
        print(f"{name:<{width}} {len(intent['samples']):4}")
    print(f"{'total':<{width}} {len(ALL_SAMPLES):4}")
    assert ALL_SAMPLES


def test_model_stays_within_our_size_budget():
    assert len(ALL_SAMPLES) <= MAX_TOTAL_SAMPLES
    assert len(MODEL_PATH.read_bytes()) <= MAX_MODEL_BYTES


def phrase_slots(intent: dict) -> set[str]:
    return {s["name"] for s in intent.get("slots", []) if s["type"] in PHRASE_SLOT_TYPES}


PHRASE_SAMPLES = [(name, s) for name, s in ALL_SAMPLES if phrase_slots(INTENTS[name])]


def test_the_statement_intents_have_phrase_samples():
    statements = {"BodyStatementIntent", "CantDoIntent", "FallStatementIntent"}
    assert {name for name, _ in PHRASE_SAMPLES} == statements | {"SuddenStatementIntent"}


@pytest.mark.parametrize(("intent", "sample"), PHRASE_SAMPLES)
def test_phrase_slot_sample_has_a_carrier_and_no_other_slot(intent, sample):
    refs = SLOT_REF.findall(sample)
    assert len(refs) == 1, f"{intent}: {sample!r}"
    assert refs[0] in phrase_slots(INTENTS[intent]), f"{intent}: {sample!r}"
    carrier = SLOT_REF.sub("", sample).split()
    assert carrier, f"{intent}: {sample!r} has no carrier phrase"


def test_an_intent_with_a_phrase_slot_has_no_other_slot():
    for intent in MODEL["intents"]:
        if phrase_slots(intent):
            assert len(intent["slots"]) == 1, intent["name"]


def test_no_sample_is_only_slots():
    for intent, sample in ALL_SAMPLES:
        if sample.startswith("{") and sample.endswith("}") and sample.count("{") == 1:
            slot_type = {s["name"]: s["type"] for s in INTENTS[intent]["slots"]}
            assert slot_type[sample[1:-1]] not in PHRASE_SLOT_TYPES, (intent, sample)


@pytest.mark.parametrize(
    ("phrase", "intent"),
    [
        ("i can't get down on the floor", "NoFloorIntent"),
        ("i don't have a chair", "NoChairIntent"),
        ("i don't have a strap", "StrapAlternativeIntent"),
        ("no numbness just tight", "TightnessIntent"),
        ("my back hurts", "BackPainIntent"),
        ("it hurts", "SharpPainIntent"),
        ("i have chest pain", "RedFlagIntent"),
        ("i can't breathe", "RedFlagIntent"),
        ("done", "AMAZON.NextIntent"),
        ("go back one", "AMAZON.PreviousIntent"),
        ("something came up", "AMAZON.PauseIntent"),
        ("what can you do", "AMAZON.HelpIntent"),
        ("chest tightness", "RedFlagIntent"),
        ("help i can't breathe", "RedFlagIntent"),
        ("peed my pants", "RedFlagIntent"),
        ("all of a sudden my leg gave out", "RedFlagIntent"),
        ("i fell and it really hurts", "RedFlagIntent"),
        ("i'm kinda sore", "TightnessIntent"),
        ("it's my lower back again", "BackPainIntent"),
        ("i'm done", "AMAZON.NextIntent"),
        ("i'm done for today", "AMAZON.StopIntent"),
        ("phone's ringing give me a sec", "AMAZON.PauseIntent"),
        ("uh huh", "AMAZON.YesIntent"),
        ("let's start", "StartStretchIntent"),
    ],
)
def test_key_phrases_are_exact_samples_of_their_intent(phrase, intent):
    """Negations and contrasts named in issue 15 are exact samples, not left to a guess."""
    assert phrase in {normalise(s) for s in INTENTS[intent]["samples"]}


def covered_by_start_stretch(phrase: str) -> bool:
    """True if a sample says the phrase literally or a {Stretch} template yields it."""
    phrase = normalise(phrase)
    stretch_phrases = type_phrases("STRETCH_NAME")
    for sample in INTENTS["StartStretchIntent"]["samples"]:
        sample = normalise(sample)
        if sample == phrase:
            return True
        if "{stretch}" not in sample:
            continue
        before, _, after = sample.partition("{stretch}")
        pattern = re.escape(before) + "(?P<stretch>.+)" + re.escape(after)
        match = re.fullmatch(pattern, phrase)
        if match and match["stretch"] in stretch_phrases:
            return True
    return False


@pytest.mark.parametrize("phrase", STRETCH_PHRASES)
def test_stretch_phrase_is_covered(phrase):
    assert covered_by_start_stretch(phrase)


def test_coverage_helper_rejects_unknown_stretch():
    assert not covered_by_start_stretch("the yoga stretch")
