"""Utterance -> intent and slots: the model's samples as exact patterns first, then fuzzy.

Exact: each sample becomes a regular expression (slots as groups); known slot values beat
unknown ones and specific samples beat general ones. Fuzzy: each sample is expanded with every
value of its custom slots (numbers as one token) and compared word-order-free; below the
threshold the answer is AMAZON.FallbackIntent, as Alexa's would be.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import product
from typing import Literal

from rapidfuzz import process

from skill.simulator.nlu.model import Intent, InteractionModel, all_samples
from skill.simulator.nlu.normalize import SLOT_REF, normalize, normalize_sample
from skill.simulator.nlu.numbers import NUMBER_PHRASE, NUMBER_RUN, parse_number
from skill.simulator.nlu.similarity import heard_words, similarity
from skill.simulator.nlu.slots import (
    DEFAULT_SKILL_ID,
    NUMBER_TYPE,
    SlotResolver,
    SlotValue,
)

FALLBACK = "AMAZON.FallbackIntent"
NUMBER_TOKEN = "NUM"  # stands for any number in fuzzy matching; upper case never collides


@dataclass(frozen=True)
class Recognition:
    """The intent Alexa would send for one utterance, and how sure we are of it."""

    intent: str
    slots: dict[str, SlotValue]
    score: float  # 1.0 for an exact sample match, the fuzzy similarity (0-1) otherwise
    matched_sample: str | None
    method: Literal["exact", "wildcard", "fuzzy", "fallback"] = "exact"


@dataclass(frozen=True)
class _Compiled:
    intent: Intent
    sample: str  # as written in the model
    text: str  # normalised, slots as {Name}
    slot_names: tuple[str, ...]
    regex: re.Pattern[str]
    literal_words: int


@dataclass(frozen=True)
class _Candidate:
    """One expanded sample for fuzzy matching: slot values substituted, numbers as NUM."""

    compiled: _Compiled
    fills: tuple[tuple[str, str], ...]  # (slot name, synonym substituted), custom slots only


class Recognizer:
    """Maps utterances to intents and slots the way Alexa would with the same model.

    `fuzzy_threshold` (0-1) is the similarity below which a fuzzy match becomes
    AMAZON.FallbackIntent; `skill_id` only appears in resolution authorities.
    """

    def __init__(
        self,
        model: InteractionModel,
        *,
        fuzzy_threshold: float = 0.8,
        skill_id: str = DEFAULT_SKILL_ID,
    ) -> None:
        self.model = model
        self.fuzzy_threshold = fuzzy_threshold
        self.skill_id = skill_id
        self.slots = SlotResolver(model, skill_id)
        self._compiled: list[_Compiled] = []
        intents = {i.name: i for i in model.intents}
        for name, samples in all_samples(model).items():
            for sample in samples:
                self._compiled.append(self._compile(intents[name], sample))
        self._candidates: list[_Candidate] = []
        self._candidate_texts: list[str] = []
        for c in self._compiled:
            for cand_text, fills in self._expand(c):
                self._candidates.append(_Candidate(c, fills))
                self._candidate_texts.append(cand_text)
        # Samples with a number slot are only compared with utterances that contain a number.
        numeric = [NUMBER_TOKEN in t.split() for t in self._candidate_texts]
        self._numeric = [i for i, n in enumerate(numeric) if n]
        self._plain = [i for i, n in enumerate(numeric) if not n]

    # -- building

    def _compile(self, intent: Intent, sample: str) -> _Compiled:
        text, names = normalize_sample(sample)
        parts = []
        for token in text.split():
            m = SLOT_REF.fullmatch(token)
            if not m:
                parts.append(re.escape(token))
                continue
            group = f"s{len(parts)}"
            kind = self.slots.slot_type(intent.name, m.group(1))
            inner = NUMBER_PHRASE if kind == NUMBER_TYPE else r"[a-z0-9' ]+?"
            parts.append(f"(?P<{group}>{inner})")
        regex = re.compile("^" + " ".join(parts) + "$")
        literal = sum(1 for t in text.split() if not SLOT_REF.fullmatch(t))
        return _Compiled(intent, sample, text, tuple(names), regex, literal)

    def _expand(self, c: _Compiled) -> list[tuple[str, tuple[tuple[str, str], ...]]]:
        tokens = c.text.split()
        choices: list[list[tuple[str, str] | None]] = []
        for token in tokens:
            m = SLOT_REF.fullmatch(token)
            slot_type = self.slots.slot_type(c.intent.name, m.group(1)) if m else None
            if m and slot_type is not None and self.slots.is_custom(slot_type):
                choices.append([(m.group(1), s) for s in self.slots.phrases(slot_type)])
            else:
                choices.append([None])
        out = []
        for combo in product(*choices):
            words = []
            for token, fill in zip(tokens, combo, strict=True):
                if fill is not None:
                    words.append(fill[1])
                elif SLOT_REF.fullmatch(token):
                    words.append(NUMBER_TOKEN)  # AMAZON.NUMBER (or another built-in type)
                else:
                    words.append(token)
            out.append((" ".join(words), tuple(f for f in combo if f is not None)))
        return out

    # -- matching

    def recognize(self, utterance: str) -> Recognition:
        """The intent and slots for one utterance; AMAZON.FallbackIntent when nothing fits."""
        text = normalize(utterance)
        if not text:
            return Recognition(FALLBACK, {}, 0.0, None, "fallback")
        exact = self._match_exact(text)
        if exact is not None and exact.method == "exact":
            return exact
        fuzzy = self._match_fuzzy(text)
        best = max(
            (r for r in (exact, fuzzy) if r is not None), key=lambda r: r.score, default=None
        )
        if best is None or best.score < self.fuzzy_threshold:
            return Recognition(FALLBACK, {}, best.score if best else 0.0, None, "fallback")
        return best

    def _match_exact(self, text: str) -> Recognition | None:
        """Samples as patterns; known slot values beat unknown ones, specific beats general."""
        best: tuple[tuple[int, int], Recognition] | None = None
        for c in self._compiled:
            m = c.regex.match(text)
            if not m:
                continue
            heard = {name: m.group(f"s{i}") for i, name in self._groups(c)}
            known = True
            for name, words in heard.items():
                slot_type = self.slots.slot_type(c.intent.name, name)
                if slot_type == NUMBER_TYPE and parse_number(words) is None:
                    break
                if (
                    slot_type is not None
                    and self.slots.is_custom(slot_type)
                    and not self.slots.knows(slot_type, words)
                ):
                    known = False
                    # Alexa passes unknown words through a custom slot, but only when the
                    # sample's carrier phrase says enough: "start the {Stretch}", not "{Stretch}".
                    if c.literal_words < 2 or len(words.split()) > 4:
                        break
            else:
                rank = (1 if known else 0, c.literal_words)
                if best is None or rank > best[0]:
                    method: Literal["exact", "wildcard"] = "exact" if known else "wildcard"
                    score = 1.0 if known else 0.85
                    rec = Recognition(
                        c.intent.name, self.slots.slots(c.intent, heard), score, c.sample, method
                    )
                    best = (rank, rec)
        return best[1] if best else None

    def _groups(self, c: _Compiled) -> list[tuple[int, str]]:
        out, names = [], iter(c.slot_names)
        for i, token in enumerate(c.text.split()):
            if SLOT_REF.fullmatch(token):
                out.append((i, next(names)))
        return out

    def _match_fuzzy(self, text: str) -> Recognition | None:
        """Tolerate word order, extra or missing small words and near misses."""
        numbers = [m.group(0) for m in NUMBER_RUN.finditer(text) if parse_number(m.group(0))]
        queries = [(text, False)]
        if numbers:
            queries.append((NUMBER_RUN.sub(NUMBER_TOKEN, text), True))
        cutoff = self.fuzzy_threshold * 100 * 0.9
        best: tuple[float, _Candidate] | None = None
        for query, numeric in queries:
            indices = self._numeric if numeric else self._plain
            choices = [self._candidate_texts[i] for i in indices]
            for _, score, pos in process.extract(
                query, choices, scorer=similarity, score_cutoff=cutoff, limit=25
            ):
                cand = self._candidates[indices[pos]]
                if all(heard_words(syn, text) is not None for _, syn in cand.fills):
                    if best is None or score > best[0]:
                        best = (score, cand)
                    break
        if best is None:
            return None
        score, cand = best
        intent = cand.compiled.intent
        slots = self.slots.slots(intent, {})
        for name, synonym in cand.fills:
            heard = heard_words(synonym, text) or synonym  # found by the filter above
            slot_type = self.slots.slot_type(intent.name, name)
            assert slot_type is not None
            slots[name] = SlotValue(name, heard, self.slots.resolution(slot_type, synonym))
        numeric_slots = [n for n in cand.compiled.slot_names if n not in dict(cand.fills)]
        for name, words in zip(numeric_slots, numbers, strict=False):
            slots[name] = self.slots.slot(intent.name, name, words)
        return Recognition(intent.name, slots, score / 100, cand.compiled.sample, "fuzzy")
