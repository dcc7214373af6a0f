"""The interaction model as the NLU reads it: intents, samples, slot types, built-in phrases."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from skill.simulator.nlu.normalize import normalize, normalize_sample


@dataclass(frozen=True)
class SlotTypeValue:
    """One value of a custom slot type: the id handlers read and the words that mean it."""

    id: str
    value: str
    synonyms: tuple[str, ...] = ()


@dataclass(frozen=True)
class SlotType:
    name: str
    values: tuple[SlotTypeValue, ...]


@dataclass(frozen=True)
class Slot:
    name: str
    type: str


@dataclass(frozen=True)
class Intent:
    name: str
    samples: tuple[str, ...]
    slots: tuple[Slot, ...] = ()


@dataclass(frozen=True)
class InteractionModel:
    invocation_name: str
    intents: tuple[Intent, ...]
    types: dict[str, SlotType] = field(default_factory=dict)

    def intent(self, name: str) -> Intent:
        """The intent called `name` (KeyError if the model has none)."""
        for intent in self.intents:
            if intent.name == name:
                return intent
        raise KeyError(name)


def load_model(path: str | Path) -> InteractionModel:
    """Read an interaction model file in the exact JSON shape the Alexa console accepts."""
    return parse_model(json.loads(Path(path).read_text(encoding="utf-8")))


def parse_model(data: dict[str, Any]) -> InteractionModel:
    """The model from its JSON document (as `load_model` reads it; tests build their own)."""
    lm = data["interactionModel"]["languageModel"]
    types = {
        t["name"]: SlotType(
            name=t["name"],
            values=tuple(
                SlotTypeValue(
                    # Alexa falls back to the value itself when a value has no id.
                    id=v.get("id") or v["name"]["value"],
                    value=v["name"]["value"],
                    synonyms=tuple(v["name"].get("synonyms", ())),
                )
                for v in t.get("values", ())
            ),
        )
        for t in lm.get("types", ())
    }
    intents = tuple(
        Intent(
            name=i["name"],
            samples=tuple(i.get("samples", ())),
            slots=tuple(Slot(s["name"], s["type"]) for s in i.get("slots", ()) or ()),
        )
        for i in lm["intents"]
    )
    return InteractionModel(lm["invocationName"], intents, types)


# What Alexa's built-in intents understand without samples. A phrase the model already gives
# to some intent stays there ("hold on" is PauseIntent by the model; "never mind" is Cancel).
BUILTIN_PHRASES: dict[str, tuple[str, ...]] = {
    "AMAZON.HelpIntent": ("help", "help me", "what can i say", "what can i do", "i need help"),
    "AMAZON.StopIntent": (
        "stop", "quit", "exit", "shut up", "never mind", "off", "be quiet", "stop it",
        "that's enough", "goodbye", "bye",
    ),
    "AMAZON.CancelIntent": ("cancel", "cancel that", "never mind", "forget it"),
    "AMAZON.NextIntent": ("next", "skip", "skip it", "skip this", "next please"),
    "AMAZON.PreviousIntent": ("previous", "go back", "back", "last one"),
    "AMAZON.RepeatIntent": ("repeat", "say that again", "pardon", "repeat that", "what"),
    "AMAZON.PauseIntent": ("pause", "pause it", "hold on", "wait"),
    "AMAZON.ResumeIntent": ("resume", "continue", "unpause", "keep going"),
    "AMAZON.StartOverIntent": ("start over", "restart", "start again", "begin again"),
    "AMAZON.YesIntent": ("yes", "yeah", "sure", "yep", "okay", "yup", "of course", "correct"),
    "AMAZON.NoIntent": ("no", "nope", "no thanks", "no thank you", "nah", "not now"),
    "AMAZON.NavigateHomeIntent": ("home", "go home", "go to home", "exit skill", "main menu"),
}  # fmt: skip


def all_samples(model: InteractionModel) -> dict[str, tuple[str, ...]]:
    """Each intent's samples plus the built-in phrases Alexa adds, without cross-intent clashes.

    Also what the speech grammar is built from, so the recogniser and the NLU agree.
    """
    taken = {normalize_sample(s)[0] for i in model.intents for s in i.samples}
    out: dict[str, tuple[str, ...]] = {}
    for intent in model.intents:
        extra = []
        for phrase in BUILTIN_PHRASES.get(intent.name, ()):
            key = normalize(phrase)
            if key and key not in taken:
                taken.add(key)
                extra.append(phrase)
        out[intent.name] = intent.samples + tuple(extra)
    return out
