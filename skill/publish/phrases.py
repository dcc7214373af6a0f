"""Example phrases checked against the interaction model: each must be a real sample.

Incorrect example phrases are "the most common reason submitted skills fail certification".
Amazon's rules (Crafting Great Example Phrases That Meet Certification Requirements,
https://developer.amazon.com/blogs/alexa/post/74d0ed59-ad4f-470a-abcf-d37c10a1dfd6/crafting-great-example-phrases-that-meet-certification-requirements,
and Understand How Users Invoke Custom Skills,
https://developer.amazon.com/docs/custom-skills/understanding-how-users-invoke-custom-skills.html):

- the structure is "[Wake Word], [Launch Word] [Invocation Name] [Connecting Word] [Utterance]";
- the first phrase has the wake word ("Alexa,") and the invocation name;
- every utterance part must come from the sample utterances (slots filled with values of
  their slot type); a phrase may also be only the launch ("Alexa, open <invocation name>").

A phrase without the wake word is an in-session utterance and must itself be a sample.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

WAKE = "alexa"
# Launch words from Amazon's pages above; "ask" and "tell" may be followed directly by the
# request, the others by a connecting word.
LAUNCH_WORDS = ("open", "launch", "start", "begin", "run", "load", "play", "use", "talk to")
ASK_WORDS = ("ask", "tell")
CONNECTING_WORDS = (
    "to", "for", "about", "whether", "if", "that", "and", "by", "with", "using", "from",
)  # fmt: skip
_ANY_WORDS = r"[a-z0-9']+(?: [a-z0-9']+)*"  # a built-in slot (AMAZON.NUMBER, SearchQuery...)


def normalize(text: str) -> str:
    """Lower case, letters, digits and apostrophes only, single spaces."""
    text = re.sub(r"[^a-z0-9' ]+", " ", text.lower().replace("\u2019", "'"))
    return " ".join(text.split())


@dataclass(frozen=True)
class PhraseMatch:
    """How a phrase reads: a launch, or an utterance that is a sample of `intent`."""

    kind: str  # "launch", "utterance" or "unknown"
    has_wake_word: bool
    utterance: str | None = None
    intent: str | None = None


class SampleIndex:
    """The model's sample utterances as patterns, slots filled from their types' values."""

    def __init__(self, model: dict[str, Any]) -> None:
        language = model["interactionModel"]["languageModel"]
        self.invocation = normalize(language["invocationName"])
        values: dict[str, list[str]] = {}
        for slot_type in language.get("types", []):
            words = set()
            for value in slot_type.get("values", []):
                name = value.get("name", {})
                words.add(normalize(name.get("value", "")))
                words.update(normalize(s) for s in name.get("synonyms", []))
            words.discard("")
            values[slot_type["name"]] = sorted(words, key=len, reverse=True)
        # (literal words, pattern source, intent); compiled only for a plausible utterance:
        # some 3000 samples, most with long slot alternations, take a second to compile.
        self.samples: list[tuple[frozenset[str], str, str]] = []
        for intent in language["intents"]:
            slots = {slot["name"]: slot["type"] for slot in intent.get("slots", [])}
            for sample in intent.get("samples", []):
                literal = frozenset(normalize(re.sub(r"\{\w+\}", " ", sample)).split())
                source = self._pattern(sample, slots, values)
                self.samples.append((literal, source, intent["name"]))

    @staticmethod
    def _pattern(sample: str, slots: dict[str, str], values: dict[str, list[str]]) -> str:
        tokens = []
        for part in re.split(r"(\{\w+\})", sample):
            slot = re.fullmatch(r"\{(\w+)\}", part)
            if slot:
                choices = values.get(slots.get(slot.group(1), ""))
                tokens.append(f"(?:{'|'.join(map(re.escape, choices))})" if choices else _ANY_WORDS)
            elif normalize(part):
                tokens.append(re.escape(normalize(part)))
        return " ".join(tokens)

    def intent_of(self, utterance: str) -> str | None:
        """The intent whose sample this utterance is (None: not a sample of the model)."""
        text = normalize(utterance)
        words = set(text.split())
        for literal, source, intent in self.samples:
            if literal <= words and re.fullmatch(source, text):
                return intent
        return None

    def read(self, phrase: str) -> PhraseMatch:
        """Split a phrase into wake word, launch and utterance, and find the utterance's intent."""
        wake = re.match(rf"\s*{WAKE}\s*,", phrase, flags=re.IGNORECASE) is not None
        text = normalize(phrase)
        if wake:
            text = text.removeprefix(WAKE).strip()
        name = re.escape(self.invocation)
        launch = "|".join(map(re.escape, LAUNCH_WORDS + ASK_WORDS))
        if re.fullmatch(rf"(?:{launch}) {name}", text):
            return PhraseMatch("launch", wake)
        connect = "|".join(CONNECTING_WORDS)
        asks = "|".join(ASK_WORDS)
        starts = "|".join(map(re.escape, LAUNCH_WORDS))
        for form in (
            rf"(?:{asks}) {name} (?:(?P<c>{connect}) )?(?P<u>.+)",
            rf"(?:{starts}) {name} (?P<c>{connect}) (?P<u>.+)",
            rf"(?P<u>.+) (?P<c>{connect}) {name}",
        ):
            m = re.fullmatch(form, text)
            if m:
                # "ask X to stop" can be "to" + "stop" or the sample "to stop": try both.
                tries = [m.group("u")]
                if m.group("c") and form.startswith("(?:"):
                    tries.append(f"{m.group('c')} {m.group('u')}")
                for utterance in tries:
                    intent = self.intent_of(utterance)
                    if intent is not None:
                        return PhraseMatch("utterance", wake, utterance, intent)
                return PhraseMatch("utterance", wake, tries[0], None)
        if self.invocation in text:
            return PhraseMatch("unknown", wake)
        return PhraseMatch("utterance", wake, text, self.intent_of(text))


def check_example_phrases(phrases: list[str], index: SampleIndex) -> list[str]:
    """Every way the example phrases break Amazon's rules for this model; [] when none."""
    problems = []
    for i, phrase in enumerate(phrases):
        where = f"examplePhrases[{i}] {phrase!r}"
        read = index.read(phrase)
        if i == 0 and not (read.has_wake_word and index.invocation in normalize(phrase)):
            problems.append(
                f"{where}: the first phrase must start with 'Alexa,' and include the "
                f"invocation name {index.invocation!r}"
            )
        if read.kind == "unknown":
            problems.append(f"{where}: not a supported launch or one-shot phrase")
        elif read.kind == "utterance" and read.intent is None:
            problems.append(
                f"{where}: {read.utterance!r} is not a sample utterance of the interaction model"
            )
        if read.kind == "utterance" and read.intent == "AMAZON.FallbackIntent":
            problems.append(f"{where}: reaches AMAZON.FallbackIntent")
    return problems
