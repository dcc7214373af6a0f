"""Local natural-language understanding over the Alexa interaction model.

The simulator cannot ask Amazon which intent an utterance is, so this package imitates what
Alexa does with the same model file: exact sample matches first (slot values resolved against
the slot type, unknown phrases in custom slots reported as ER_SUCCESS_NO_MATCH), then some
tolerance for word order, filler words and near misses (never guessing an emergency or a
start), and AMAZON.FallbackIntent for the rest.
Everything here is pure: no I/O apart from `load_model`, no global state.

- `model`: the interaction model file read into intents, samples and slot types, plus the
  phrases Alexa's built-in intents understand without samples;
- `normalize`: one text form for samples and utterances (case, contractions, fillers);
- `numbers`: number words and digits, as an AMAZON.NUMBER slot hears them;
- `durations`: spoken durations as the ISO-8601 value of an AMAZON.DURATION slot;
- `times`: spoken times and dates as AMAZON.TIME ("19:30", "EV") and AMAZON.DATE values;
- `slots`: slot values and entity resolution against the custom slot types;
- `tokens`: built-in slot values as one token each, for fuzzy matching;
- `similarity`: fuzzy scores between an utterance and a sample;
- `recognizer`: utterance -> intent and slots, exact (phrase slots included) then fuzzy,
  or strict (only what Alexa guarantees);
- `evaluation`, `evaluation_report`: the NLU evaluation over a labelled corpus (`nlu-eval`);
- `launch`: one-shot phrases ("ask hamstring coach to ...").
"""

from skill.simulator.nlu.durations import parse_duration
from skill.simulator.nlu.launch import LaunchParse, parse_launch
from skill.simulator.nlu.model import (
    BUILTIN_PHRASES,
    Intent,
    InteractionModel,
    Slot,
    SlotType,
    SlotTypeValue,
    all_samples,
    load_model,
    parse_model,
)
from skill.simulator.nlu.normalize import normalize
from skill.simulator.nlu.numbers import NUMBER_WORDS, TENS_WORDS, UNIT_WORDS, parse_number
from skill.simulator.nlu.recognizer import (
    FALLBACK,
    NEAR_EXACT,
    NO_GUESS_INTENTS,
    Recognition,
    Recognizer,
)
from skill.simulator.nlu.slots import DEFAULT_SKILL_ID, SlotResolver, SlotValue
from skill.simulator.nlu.times import parse_date, parse_time

__all__ = [
    "BUILTIN_PHRASES",
    "DEFAULT_SKILL_ID",
    "FALLBACK",
    "NEAR_EXACT",
    "NO_GUESS_INTENTS",
    "NUMBER_WORDS",
    "TENS_WORDS",
    "UNIT_WORDS",
    "Intent",
    "InteractionModel",
    "LaunchParse",
    "Recognition",
    "Recognizer",
    "Slot",
    "SlotResolver",
    "SlotType",
    "SlotTypeValue",
    "SlotValue",
    "all_samples",
    "load_model",
    "normalize",
    "parse_date",
    "parse_duration",
    "parse_launch",
    "parse_model",
    "parse_number",
    "parse_time",
]
