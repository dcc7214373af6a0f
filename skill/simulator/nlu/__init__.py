"""Local natural-language understanding over the Alexa interaction model.

The simulator cannot ask Amazon which intent an utterance is, so this package imitates what
Alexa does with the same model file: exact sample matches first (slot values resolved against
the slot type, unknown phrases in custom slots reported as ER_SUCCESS_NO_MATCH), then some
tolerance for word order, filler words and near misses, and AMAZON.FallbackIntent for the rest.
Everything here is pure: no I/O apart from `load_model`, no global state.

- `model`: the interaction model file read into intents, samples and slot types, plus the
  phrases Alexa's built-in intents understand without samples;
- `normalize`: one text form for samples and utterances (case, contractions, fillers);
- `numbers`: number words and digits, as an AMAZON.NUMBER slot hears them;
- `slots`: slot values and entity resolution against the custom slot types;
- `similarity`: fuzzy scores between an utterance and a sample;
- `recognizer`: utterance -> intent and slots, exact then fuzzy;
- `launch`: one-shot phrases ("ask hamstring coach to ...").
"""

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
)
from skill.simulator.nlu.normalize import normalize
from skill.simulator.nlu.numbers import NUMBER_WORDS, TENS_WORDS, UNIT_WORDS, parse_number
from skill.simulator.nlu.recognizer import FALLBACK, Recognition, Recognizer
from skill.simulator.nlu.slots import DEFAULT_SKILL_ID, SlotResolver, SlotValue

__all__ = [
    "BUILTIN_PHRASES",
    "DEFAULT_SKILL_ID",
    "FALLBACK",
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
    "parse_launch",
    "parse_number",
]
