"""Utterance -> intent and slots: the model's samples as exact patterns first, then fuzzy.

Exact: each sample becomes a regular expression (slots as groups); known slot values beat
unknown ones, literal samples beat phrase-slot samples, and specific samples beat general ones.
A phrase slot (AMAZON.SearchQuery) takes the words after its carrier phrase. Fuzzy: each sample
without a phrase slot is expanded with every value of its custom slots (numbers, durations,
times and dates as one token each) and compared word-order-free; below the threshold the answer is
AMAZON.FallbackIntent, as Alexa's would be. A fuzzy guess at an intent in `NO_GUESS_INTENTS`
is AMAZON.FallbackIntent too: a near miss must never start an emergency or a routine. Only a
near-exact match (one word more or less: NEAR_EXACT) without a negating word counts there, as
a statistical model would hear it; "no chest pain" is never "chest pain".
A fuzzy tie between such an intent and another goes to the other: a tie is no ground to start.
Strict mode is what Alexa guarantees: exact samples only, no wildcard, no fuzzy.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from datetime import date
from itertools import product
from typing import Literal

from rapidfuzz import process

from skill.simulator.nlu.model import Intent, InteractionModel, all_samples
from skill.simulator.nlu.normalize import INTERRUPTIONS, SLOT_REF, normalize, normalize_sample
from skill.simulator.nlu.similarity import heard_words, similarity
from skill.simulator.nlu.slots import DEFAULT_SKILL_ID, PHRASE_TYPES, SlotResolver, SlotValue, Today
from skill.simulator.nlu.tokens import DURATIONS, NUMBERS, PATTERNS, TIMES, TOKENS, tokenize

FALLBACK = "AMAZON.FallbackIntent"
# Intents the fuzzy layer may not guess: a near miss becomes AMAZON.FallbackIntent instead
# (mid-routine the skill's fallback is safety-first, so a missed emergency still hears 911).
NO_GUESS_INTENTS = frozenset({"RedFlagIntent", "StartStretchIntent"})
NEAR_EXACT = 0.9  # the similarity at which a no-guess intent may still be matched fuzzily
# Words that turn a statement around: with one of them, a near-exact match is still a guess.
NEGATING = frozenset({"no", "not", "never", "without", "nothing", "none", "nor", "fine", "okay"})
Method = Literal["exact", "phrase", "wildcard", "fuzzy", "fallback"]
_WORDS = r"[a-z0-9']+(?: [a-z0-9']+)*"  # one or more words: a phrase slot's value


@dataclass(frozen=True)
class Recognition:
    """The intent Alexa would send for one utterance, and how sure we are of it."""

    intent: str
    slots: dict[str, SlotValue]
    score: float  # 1.0 for an exact or phrase match, the fuzzy similarity (0-1) otherwise
    matched_sample: str | None
    method: Method = "exact"
    refused: str | None = None  # the NO_GUESS intent a fuzzy match pointed at, now fallback


@dataclass(frozen=True)
class _Compiled:
    intent: Intent
    sample: str  # as written in the model
    text: str  # normalised, slots as {Name}
    slot_names: tuple[str, ...]
    regex: re.Pattern[str]
    literal_words: int
    phrase: bool  # has a phrase slot: matched exactly only, never fuzzily


@dataclass(frozen=True)
class _Candidate:
    """One expanded sample for fuzzy matching: slot values substituted, numbers as NUM."""

    compiled: _Compiled
    fills: tuple[tuple[str, str], ...]  # (slot name, synonym substituted), custom slots only


class Recognizer:
    """Maps utterances to intents and slots the way Alexa would with the same model.

    `fuzzy_threshold` (0-1) is the similarity below which a fuzzy match becomes
    AMAZON.FallbackIntent; `no_guess` the intents a fuzzy match may not return; `skill_id`
    only appears in resolution authorities; `today` is the day AMAZON.DATE values count from
    ("tomorrow"), a date or a function giving it (the machine's date by default).
    """

    def __init__(
        self,
        model: InteractionModel,
        *,
        fuzzy_threshold: float = 0.8,
        skill_id: str = DEFAULT_SKILL_ID,
        no_guess: frozenset[str] = NO_GUESS_INTENTS,
        today: Today = date.today,
    ) -> None:
        self.model = model
        self.fuzzy_threshold = fuzzy_threshold
        self.skill_id = skill_id
        self.no_guess = no_guess
        self.slots = SlotResolver(model, skill_id, today)
        self._compiled: list[_Compiled] = []
        self._strict: list[_Compiled] = []
        intents = {i.name: i for i in model.intents}
        for name, samples in all_samples(model).items():
            for sample in samples:
                self._compiled.append(self._compile(intents[name], sample, strict=False))
                self._strict.append(self._compile(intents[name], sample, strict=True))
        self._candidates: list[_Candidate] = []
        self._candidate_texts: list[str] = []
        for c in self._compiled:
            for cand_text, fills in self._expand(c):
                self._candidates.append(_Candidate(c, fills))
                self._candidate_texts.append(cand_text)
        self._exact_index = _FirstWordIndex(self._compiled)
        self._strict_index = _FirstWordIndex(self._strict)
        # Samples with a number, duration, time or date slot are only compared with
        # utterances that contain one (as a token), the others only with the utterance as said.
        tokens = set(TOKENS.values())
        tokened = [bool(tokens & set(t.split())) for t in self._candidate_texts]
        self._numeric = [i for i, n in enumerate(tokened) if n]
        self._plain = [i for i, n in enumerate(tokened) if not n]

    def dated(self, today: Today) -> Recognizer:
        """This recognizer with dates counted from `today` (a device's own local date, say):
        it shares the compiled samples, which take ~0.5 s to build."""
        other = copy.copy(self)
        other.slots = SlotResolver(self.model, self.skill_id, today)
        return other

    # -- building

    def _compile(self, intent: Intent, sample: str, *, strict: bool) -> _Compiled:
        text, names = normalize_sample(sample, strict=strict)
        parts = []
        phrase = False
        for token in text.split():
            m = SLOT_REF.fullmatch(token)
            if not m:
                parts.append(re.escape(token))
                continue
            group = f"s{len(parts)}"
            kind = self.slots.slot_type(intent.name, m.group(1))
            inner = PATTERNS.get(kind or "", _WORDS if kind in PHRASE_TYPES else r"[a-z0-9' ]+?")
            phrase = phrase or kind in PHRASE_TYPES
            parts.append(f"(?P<{group}>{inner})")
        literal = sum(1 for t in text.split() if not SLOT_REF.fullmatch(t))
        # Alexa refuses to build a phrase-slot sample without a carrier phrase
        # (MissingCarrierPhraseWithPhraseSlot), so such a sample matches nothing here.
        pattern = r"(?!)" if phrase and not literal else "^" + " ".join(parts) + "$"
        regex = re.compile(pattern)
        return _Compiled(intent, sample, text, tuple(names), regex, literal, phrase)

    def _expand(self, c: _Compiled) -> list[tuple[str, tuple[tuple[str, str], ...]]]:
        """The sample as fuzzy candidates; none for a phrase slot (or another built-in type)."""
        tokens = c.text.split()
        choices: list[list[tuple[str, str] | None]] = []
        stands_for: dict[str, str] = {}
        for token in tokens:
            m = SLOT_REF.fullmatch(token)
            slot_type = self.slots.slot_type(c.intent.name, m.group(1)) if m else None
            if m and slot_type is not None and self.slots.is_custom(slot_type):
                choices.append([(m.group(1), s) for s in self.slots.phrases(slot_type)])
                continue
            if m:
                if slot_type not in TOKENS:
                    return []  # a phrase slot never matches fuzzily, as on Alexa
                stands_for[token] = TOKENS[slot_type]
            choices.append([None])
        out = []
        for combo in product(*choices):
            words = []
            for token, fill in zip(tokens, combo, strict=True):
                if fill is not None:
                    words.append(fill[1])
                else:
                    words.append(stands_for.get(token, token))
            out.append((" ".join(words), tuple(f for f in combo if f is not None)))
        return out

    # -- matching

    def recognize(self, utterance: str, *, strict: bool = False) -> Recognition:
        """The intent and slots for one utterance; AMAZON.FallbackIntent when nothing fits.

        `strict`: only what Alexa guarantees (hesitations dropped, exact samples, known
        custom slot values, numbers, durations and phrase slots); no wildcard, no fuzzy.
        """
        text = normalize(utterance, strict=strict)
        if not text:
            return Recognition(FALLBACK, {}, 0.0, None, "fallback")
        if strict:
            exact = self._match_exact(text, self._strict_index, wildcard=False)
            return exact or Recognition(FALLBACK, {}, 0.0, None, "fallback")
        exact = self._match_exact(text, self._exact_index, wildcard=True)
        if exact is not None and exact.method != "wildcard":
            return exact
        after = self._after_interruption(text)
        if after is not None:
            return after
        fuzzy = self._match_fuzzy(text)
        refused: Recognition | None = None
        if fuzzy is not None and fuzzy.intent in self.no_guess and not _near_exact(fuzzy, text):
            refused, fuzzy = fuzzy, None
        best = max(
            (r for r in (exact, fuzzy) if r is not None), key=lambda r: r.score, default=None
        )
        if best is None or best.score < self.fuzzy_threshold:
            if refused is not None and refused.score >= self.fuzzy_threshold:
                return Recognition(FALLBACK, {}, refused.score, None, "fallback", refused.intent)
            score = max((r.score for r in (best, refused) if r is not None), default=0.0)
            return Recognition(FALLBACK, {}, score, None, "fallback")
        return best

    def _after_interruption(self, text: str) -> Recognition | None:
        """The exact match of what follows a leading "wait" or "hang on", if any: the words
        after it are said exactly, so they beat a fuzzy guess at the whole utterance."""
        words = text.split()
        for lead in INTERRUPTIONS:
            n = len(lead.split())
            if words[:n] == lead.split() and len(words) > n:
                rest = self._match_exact(" ".join(words[n:]), self._exact_index, wildcard=True)
                if rest is not None and rest.method != "wildcard":
                    return rest
        return None

    def _match_exact(
        self, text: str, index: _FirstWordIndex, *, wildcard: bool
    ) -> Recognition | None:
        """Samples as patterns: known slot values beat unknown ones (wildcards), literal
        samples beat phrase-slot samples, and more literal words beat fewer."""
        best: tuple[tuple[int, int], Recognition] | None = None
        for c in index.candidates(text):
            m = c.regex.match(text)
            if not m:
                continue
            heard = {name: m.group(f"s{i}") for i, name in self._groups(c)}
            known = True
            for name, words in heard.items():
                slot_type = self.slots.slot_type(c.intent.name, name)
                if slot_type in TOKENS and self.slots.parse(slot_type, words) is None:
                    break
                if (
                    slot_type is not None
                    and self.slots.is_custom(slot_type)
                    and not self.slots.knows(slot_type, words)
                ):
                    known = False
                    # Alexa passes unknown words through a custom slot, but only when the
                    # sample's carrier phrase says enough: "start the {Stretch}", not "{Stretch}".
                    if not wildcard or c.literal_words < 2 or len(words.split()) > 4:
                        break
            else:
                method: Method = "wildcard" if not known else "phrase" if c.phrase else "exact"
                rank = ({"exact": 2, "phrase": 1}.get(method, 0), c.literal_words)
                if best is None or rank > best[0]:
                    score = 0.85 if method == "wildcard" else 1.0
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
        """Tolerate word order, extra or missing small words and near misses.

        Compared as said, with numbers as NUM, with durations as DUR (then numbers as NUM),
        and with dates as DAT and times as TIM too: "thirty seconds" is a number before
        "seconds" to one sample, a duration to another; "8" a number to one, a time to another.
        On a tie the earlier reading wins, so a time never takes a number's place.
        """
        queries: list[tuple[str, bool, dict[str, list[str]]]] = [(text, False, {})]
        for level in (NUMBERS, DURATIONS, TIMES):
            query, said = tokenize(text, level)
            if query != text and all(query != q[0] for q in queries):
                queries.append((query, True, said))
        cutoff = self.fuzzy_threshold * 100 * 0.9
        best: tuple[float, _Candidate, dict[str, list[str]]] | None = None
        for query, numeric, said in queries:
            indices = self._numeric if numeric else self._plain
            choices = [self._candidate_texts[i] for i in indices]
            found = self._best_of(
                process.extract(query, choices, scorer=similarity, score_cutoff=cutoff, limit=25),
                indices,
                text,
            )
            if found is not None and (best is None or found[0] > best[0]):
                best = (found[0], found[1], said)
        if best is None:
            return None
        score, cand, said = best
        intent = cand.compiled.intent
        slots = self.slots.slots(intent, {})
        for name, synonym in cand.fills:
            heard = heard_words(synonym, text) or synonym  # found by the filter above
            slot_type = self.slots.slot_type(intent.name, name)
            assert slot_type is not None
            slots[name] = SlotValue(name, heard, self.slots.resolution(slot_type, synonym))
        left = {slot_type: iter(phrases) for slot_type, phrases in said.items()}
        for name in cand.compiled.slot_names:
            words = next(left.get(self.slots.slot_type(intent.name, name) or "", iter(())), None)
            if name not in dict(cand.fills) and words is not None:
                slots[name] = self.slots.slot(intent.name, name, words)
        return Recognition(intent.name, slots, score / 100, cand.compiled.sample, "fuzzy")

    def _best_of(
        self, scored: list[tuple[str, float, int]], indices: list[int], text: str
    ) -> tuple[float, _Candidate] | None:
        """The best scored candidate whose slot synonyms were said; on a tie, one of an
        intent that may be guessed: "i'd like a reminder to stretch" is as close to "i'd
        like to stretch" as to "i'd like a reminder", and a tie is no ground to start."""
        pick: tuple[float, _Candidate] | None = None
        for _, score, pos in scored:
            if pick is not None and score < pick[0]:
                break
            cand = self._candidates[indices[pos]]
            if not all(heard_words(syn, text) is not None for _, syn in cand.fills):
                continue
            if pick is None:
                pick = (score, cand)
            if pick[1].compiled.intent.name not in self.no_guess:
                break
            if cand.compiled.intent.name not in self.no_guess:
                return score, cand
        return pick


def _near_exact(rec: Recognition, text: str) -> bool:
    """A fuzzy match close enough to stand for the sample itself: nearly the same words, and
    no negating word that the sample does not say too ("no chest pain" is not "chest pain";
    "did not even feel it" is "did not feel it")."""
    sample = set(normalize(rec.matched_sample or "").split())
    added = set(text.split()) - sample
    return rec.score >= NEAR_EXACT and NEGATING.isdisjoint(added)


class _FirstWordIndex:
    """The samples an utterance can match exactly, found by its first word: a sample that
    starts with a literal word matches only utterances that start with it. Each list keeps
    the samples' order, so ties resolve as a scan of every sample would. Built once."""

    def __init__(self, compiled: list[_Compiled]) -> None:
        by_word: dict[str, list[tuple[int, _Compiled]]] = {}
        slot_first: list[tuple[int, _Compiled]] = []
        for position, c in enumerate(compiled):
            first = c.text.split()[0] if c.text else ""
            if not first or SLOT_REF.fullmatch(first):
                slot_first.append((position, c))
            else:
                by_word.setdefault(first, []).append((position, c))
        self._slot_first = [c for _, c in slot_first]
        self._by_word = {
            word: [c for _, c in sorted([*found, *slot_first], key=lambda pair: pair[0])]
            for word, found in by_word.items()
        }

    def candidates(self, text: str) -> list[_Compiled]:
        return self._by_word.get(text.split(" ", 1)[0], self._slot_first)
