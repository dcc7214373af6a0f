"""A test interaction model: the project's model plus the slots issue 15 adds.

Phrase slots (AMAZON.SearchQuery) after carrier phrases, a duration slot, and a few literal
samples that must beat them. Built here so the NLU is tested without the new model file.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from skill.simulator.nlu import InteractionModel, load_model, parse_model

ROOT = Path(__file__).resolve().parent.parent
SKILL_ID = "amzn1.ask.skill.test-0000"
# The project's own model, as the NLU tests read it.
MODEL = load_model(ROOT / "interaction_model" / "en-US.json")
EXTRA_INTENTS: list[dict[str, Any]] = [
    {
        "name": "BodyStatementIntent",
        "slots": [{"name": "Statement", "type": "AMAZON.SearchQuery"}],
        "samples": ["i feel {Statement}", "my {Statement}", "i have {Statement}"],
    },
    {
        "name": "CantDoIntent",
        "slots": [{"name": "Task", "type": "AMAZON.SearchQuery"}],
        "samples": ["i can't {Task}", "i am unable to {Task}"],
    },
    {"name": "BackPainIntent", "samples": ["my back hurts", "my lower back is sore"]},
    {"name": "NoFloorIntent", "samples": ["i can't get down on the floor"]},
]
DURATION_SAMPLES = ["hold for {Duration}", "make the holds {Duration}"]


def fixture_document() -> dict[str, Any]:
    """The model document (JSON shape) with the extra intents and the Duration slot."""
    path = ROOT / "interaction_model" / "en-US.json"
    data = copy.deepcopy(json.loads(path.read_text(encoding="utf-8")))
    lm = data["interactionModel"]["languageModel"]
    names = {i["name"] for i in lm["intents"]}
    lm["intents"].extend(i for i in EXTRA_INTENTS if i["name"] not in names)
    hold = next(i for i in lm["intents"] if i["name"] == "SetHoldLengthIntent")
    if not any(s["name"] == "Duration" for s in hold["slots"]):
        hold["slots"].append({"name": "Duration", "type": "AMAZON.DURATION"})
        hold["samples"].extend(DURATION_SAMPLES)
    return data


def fixture_model() -> InteractionModel:
    return parse_model(fixture_document())
