"""Local natural-language understanding over the Alexa interaction model.

The simulator cannot ask Amazon which intent an utterance is, so this module imitates what
Alexa does with the same model file: exact sample matches first (slot values resolved against
the slot type, unknown phrases in custom slots reported as ER_SUCCESS_NO_MATCH), then some
tolerance for word order, filler words and near misses, and AMAZON.FallbackIntent for the rest.
Everything here is pure: no I/O apart from `load_model`, no global state.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from itertools import product
from pathlib import Path
from typing import Any, Literal

from rapidfuzz import fuzz, process

FALLBACK = "AMAZON.FallbackIntent"
DEFAULT_SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-000000000000"
NUMBER_TOKEN = "NUM"  # stands for any number in fuzzy matching; upper case never collides

# ---------------------------------------------------------------------------- the model


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
    data = json.loads(Path(path).read_text(encoding="utf-8"))
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


# ----------------------------------------------------------------------- normalisation

CONTRACTIONS = {
    "what's": "what is", "whats": "what is", "that's": "that is", "thats": "that is",
    "there's": "there is", "it's": "it is", "how's": "how is", "where's": "where is",
    "who's": "who is", "let's": "let us", "lets": "let us", "i'm": "i am", "im": "i am",
    "i'd": "i would", "i'll": "i will", "i've": "i have", "ive": "i have",
    "you're": "you are", "we're": "we are", "they're": "they are", "we'll": "we will",
    "don't": "do not", "dont": "do not", "doesn't": "does not", "doesnt": "does not",
    "didn't": "did not", "didnt": "did not", "can't": "can not", "cant": "can not",
    "cannot": "can not", "won't": "will not", "isn't": "is not", "isnt": "is not",
    "aren't": "are not", "shouldn't": "should not", "wouldn't": "would not",
    "couldn't": "could not", "haven't": "have not", "hasn't": "has not", "wasn't": "was not",
    "gonna": "going to", "wanna": "want to", "gotta": "got to", "ok": "okay",
}  # fmt: skip
# Dropped wherever they occur: hesitations, politeness and the wake word carry no intent.
FILLER_WORDS = {"um", "umm", "uh", "uhm", "er", "erm", "hmm", "hm", "mm", "ah", "please", "alexa"}
# Dropped only at the start of an utterance, and only when something follows them, so that
# "okay" alone still means yes and "so" inside a sentence is kept.
LEADING_FILLERS = ("okay so", "so", "well", "hey", "oh", "okay", "alright", "right", "and")
TRAILING_FILLERS = ("thank you", "thanks")
_SLOT_REF = re.compile(r"\{(\w+)\}")


def normalize(text: str) -> str:
    """Lower case, no punctuation, contractions expanded, fillers dropped.

    Applied to samples and utterances alike, so "what's" and "what is" compare equal in both
    directions and a sample containing a filler ("yes please") still matches itself.
    """
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    text = re.sub(r"[^a-z0-9'_ ]+", " ", text)
    words: list[str] = []
    for raw in text.split():
        word = raw.strip("'")
        if not word or word in FILLER_WORDS:
            continue
        words.extend(CONTRACTIONS.get(word, word).split())
    changed = True
    while changed:
        changed = False
        for lead in LEADING_FILLERS:
            n = len(lead.split())
            if words[:n] == lead.split() and len(words) > n:
                words, changed = words[n:], True
        for tail in TRAILING_FILLERS:
            n = len(tail.split())
            if words[-n:] == tail.split() and len(words) > n:
                words, changed = words[:-n], True
    return " ".join(words)


def _normalize_sample(sample: str) -> tuple[str, list[str]]:
    """Normalise a sample but keep its slot references, returned in order as `{Name}`."""
    names = _SLOT_REF.findall(sample)
    marked = _SLOT_REF.sub(lambda m: f" zzslot{names.index(m.group(1))}zz ", sample)
    text = normalize(marked)
    return re.sub(r"zzslot(\d+)zz", lambda m: "{" + names[int(m.group(1))] + "}", text), names


# ----------------------------------------------------------------------------- numbers

_UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_TEENS = [
    "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
    "eighteen", "nineteen",
]  # fmt: skip
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
UNIT_WORDS = {w: i for i, w in enumerate(_UNITS)}
TEEN_WORDS = {w: i + 10 for i, w in enumerate(_TEENS)}
TENS_WORDS = {w: (i + 2) * 10 for i, w in enumerate(_TENS)}
NUMBER_WORDS = {**UNIT_WORDS, **TEEN_WORDS, **TENS_WORDS, "hundred": 100, "and": 0}
_NUM_WORD = r"(?:\d+|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + ")"
NUMBER_PHRASE = rf"{_NUM_WORD}(?: {_NUM_WORD})*"
_NUMBER_RUN = re.compile(rf"\b{NUMBER_PHRASE}\b")


def _below_hundred(words: list[str]) -> tuple[int, list[str]] | None:
    """Parse "forty five", "fifteen", "7" or "45" off the front of `words`."""
    if not words:
        return None
    head, rest = words[0], words[1:]
    if head.isdigit():
        return int(head), rest
    if head in TENS_WORDS:
        if rest and rest[0] in UNIT_WORDS and rest[0] != "zero":
            return TENS_WORDS[head] + UNIT_WORDS[rest[0]], rest[1:]
        return TENS_WORDS[head], rest
    if head in TEEN_WORDS:
        return TEEN_WORDS[head], rest
    if head in UNIT_WORDS:
        return UNIT_WORDS[head], rest
    return None


def parse_number(phrase: str) -> int | None:
    """Digits or English number words up to 999 ("one hundred and five"); None if not one.

    Strict on purpose: "one two" is not a number, so a wrong parse cannot set a hold length.
    """
    words = phrase.split()
    first = _below_hundred(words)
    if first is None:
        return None
    value, rest = first
    if rest[:1] == ["hundred"] and 0 < value < 10:
        value, rest = value * 100, rest[1:]
        if rest[:1] == ["and"]:
            rest = rest[1:]
        if rest:
            tail = _below_hundred(rest)
            if tail is None or tail[0] >= 100:
                return None
            value, rest = value + tail[0], tail[1]
    return value if not rest else None


# ---------------------------------------------------------------------------- results


@dataclass(frozen=True)
class SlotValue:
    """A slot as Alexa sends it: the words heard and, for custom types, the resolution."""

    name: str
    value: str | None = None
    resolution: dict[str, Any] | None = None

    @property
    def resolved_id(self) -> str | None:
        """The matched value id, or None for no match, no value or a built-in type."""
        if not self.resolution:
            return None
        values = self.resolution["resolutionsPerAuthority"][0].get("values") or []
        return values[0]["value"]["id"] if values else None

    def to_alexa(self) -> dict[str, Any]:
        """The slot object of an IntentRequest (`request.intent.slots[name]`)."""
        slot: dict[str, Any] = {"name": self.name, "confirmationStatus": "NONE"}
        if self.value is not None:
            slot["value"] = self.value
            slot["source"] = "USER"
        if self.resolution is not None:
            slot["resolutions"] = self.resolution
        return slot


@dataclass(frozen=True)
class Recognition:
    """The intent Alexa would send for one utterance, and how sure we are of it."""

    intent: str
    slots: dict[str, SlotValue]
    score: float  # 1.0 for an exact sample match, the fuzzy similarity (0-1) otherwise
    matched_sample: str | None
    method: Literal["exact", "wildcard", "fuzzy", "fallback"] = "exact"


# ----------------------------------------------------------------------- built-in phrases

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
    "AMAZON.NavigateHomeIntent": ("home", "go home", "go to home", "exit skill"),
}  # fmt: skip


def all_samples(model: InteractionModel) -> dict[str, tuple[str, ...]]:
    """Each intent's samples plus the built-in phrases Alexa adds, without cross-intent clashes.

    Also what the speech grammar is built from, so the recogniser and the NLU agree.
    """
    taken = {_normalize_sample(s)[0] for i in model.intents for s in i.samples}
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


# -------------------------------------------------------------------------- recogniser


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
        self._slot_types = {i.name: {s.name: s.type for s in i.slots} for i in model.intents}
        # normalised synonym -> value, per custom slot type
        self._lookup: dict[str, dict[str, SlotTypeValue]] = {}
        for t in model.types.values():
            table: dict[str, SlotTypeValue] = {}
            for v in t.values:
                for phrase in (v.value, *v.synonyms):
                    table.setdefault(normalize(phrase), v)
            self._lookup[t.name] = table
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
        text, names = _normalize_sample(sample)
        parts = []
        for token in text.split():
            m = _SLOT_REF.fullmatch(token)
            if not m:
                parts.append(re.escape(token))
                continue
            group = f"s{len(parts)}"
            kind = self._slot_types[intent.name].get(m.group(1))
            inner = NUMBER_PHRASE if kind == "AMAZON.NUMBER" else r"[a-z0-9' ]+?"
            parts.append(f"(?P<{group}>{inner})")
        regex = re.compile("^" + " ".join(parts) + "$")
        literal = sum(1 for t in text.split() if not _SLOT_REF.fullmatch(t))
        return _Compiled(intent, sample, text, tuple(names), regex, literal)

    def _expand(self, c: _Compiled) -> list[tuple[str, tuple[tuple[str, str], ...]]]:
        tokens = c.text.split()
        choices: list[list[tuple[str, str] | None]] = []
        for token in tokens:
            m = _SLOT_REF.fullmatch(token)
            slot_type = self._slot_types[c.intent.name].get(m.group(1)) if m else None
            if m and slot_type in self._lookup:
                choices.append([(m.group(1), s) for s in self._lookup[slot_type]])
            else:
                choices.append([None])
        out = []
        for combo in product(*choices):
            words = []
            for token, fill in zip(tokens, combo, strict=True):
                if fill is not None:
                    words.append(fill[1])
                elif _SLOT_REF.fullmatch(token):
                    words.append(NUMBER_TOKEN)  # AMAZON.NUMBER (or another built-in type)
                else:
                    words.append(token)
            out.append((" ".join(words), tuple(f for f in combo if f is not None)))
        return out

    # -- slots

    def _resolution(self, slot_type: str, heard: str) -> dict[str, Any] | None:
        if slot_type not in self._lookup:
            return None  # AMAZON.* types carry no entity resolution
        authority = f"amzn1.er-authority.echo-sdk.{self.skill_id}.{slot_type}"
        value = self._lookup[slot_type].get(normalize(heard))
        if value is None:
            entry: dict[str, Any] = {
                "authority": authority,
                "status": {"code": "ER_SUCCESS_NO_MATCH"},
            }
        else:
            entry = {
                "authority": authority,
                "status": {"code": "ER_SUCCESS_MATCH"},
                "values": [{"value": {"name": value.value, "id": value.id}}],
            }
        return {"resolutionsPerAuthority": [entry]}

    def _slot(self, intent: str, name: str, heard: str | None) -> SlotValue:
        slot_type = self._slot_types[intent][name]
        if heard is None:
            return SlotValue(name)
        if slot_type == "AMAZON.NUMBER":
            number = parse_number(heard)
            return SlotValue(name, str(number) if number is not None else "?")
        return SlotValue(name, heard, self._resolution(slot_type, heard))

    def _slots(self, intent: Intent, heard: dict[str, str]) -> dict[str, SlotValue]:
        """Every declared slot, filled or not, as Alexa lists them in the request."""
        return {s.name: self._slot(intent.name, s.name, heard.get(s.name)) for s in intent.slots}

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
                slot_type = self._slot_types[c.intent.name][name]
                if slot_type == "AMAZON.NUMBER" and parse_number(words) is None:
                    break
                if slot_type in self._lookup and words not in self._lookup[slot_type]:
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
                        c.intent.name, self._slots(c.intent, heard), score, c.sample, method
                    )
                    best = (rank, rec)
        return best[1] if best else None

    def _groups(self, c: _Compiled) -> list[tuple[int, str]]:
        out, names = [], iter(c.slot_names)
        for i, token in enumerate(c.text.split()):
            if _SLOT_REF.fullmatch(token):
                out.append((i, next(names)))
        return out

    def _match_fuzzy(self, text: str) -> Recognition | None:
        """Tolerate word order, extra or missing small words and near misses."""
        numbers = [m.group(0) for m in _NUMBER_RUN.finditer(text) if parse_number(m.group(0))]
        queries = [(text, False)]
        if numbers:
            queries.append((_NUMBER_RUN.sub(NUMBER_TOKEN, text), True))
        cutoff = self.fuzzy_threshold * 100 * 0.9
        best: tuple[float, _Candidate] | None = None
        for query, numeric in queries:
            indices = self._numeric if numeric else self._plain
            choices = [self._candidate_texts[i] for i in indices]
            for _, score, pos in process.extract(
                query, choices, scorer=_similarity, score_cutoff=cutoff, limit=25
            ):
                cand = self._candidates[indices[pos]]
                if all(_heard(syn, text) is not None for _, syn in cand.fills):
                    if best is None or score > best[0]:
                        best = (score, cand)
                    break
        if best is None:
            return None
        score, cand = best
        intent = cand.compiled.intent
        slots = self._slots(intent, {})
        for name, synonym in cand.fills:
            heard = _heard(synonym, text) or synonym  # found by the filter above
            slot_type = self._slot_types[intent.name][name]
            slots[name] = SlotValue(name, heard, self._resolution(slot_type, synonym))
        numeric_slots = [n for n in cand.compiled.slot_names if n not in dict(cand.fills)]
        for name, words in zip(numeric_slots, numbers, strict=False):
            slots[name] = self._slot(intent.name, name, words)
        return Recognition(intent.name, slots, score / 100, cand.compiled.sample, "fuzzy")


def _similarity(a: str, b: str, *, score_cutoff: float | None = None, **_: Any) -> float:
    """Word-order-free similarity (0-100) that also forgives a few extra or missing words.

    token_sort_ratio handles reordering and near misses; averaging in token_set_ratio lets
    "the phone number" reach "what's the phone number". The set bonus needs two words in
    common, or "the" alone would be contained in half the model.
    """
    sort = fuzz.token_sort_ratio(a, b)
    if (sort + 100) / 2 < (score_cutoff or 0) or len(set(a.split()) & set(b.split())) < 2:
        return sort
    return max(sort, (sort + fuzz.token_set_ratio(a, b)) / 2)


def _heard(synonym: str, text: str) -> str | None:
    """The words of `text` that a fuzzily matched slot synonym stands for, if any.

    Compared word window by word window, so "towel stretch" finds "towel stretches" but
    "supine" does not find half of "start stretching".
    """
    words, size = text.split(), len(synonym.split())
    best: tuple[float, str] | None = None
    for n in {max(1, size - 1), size, size + 1}:
        for i in range(len(words) - n + 1):
            window = " ".join(words[i : i + n])
            score = fuzz.ratio(synonym, window)
            if score >= 85 and (best is None or score > best[0]):
                best = (score, window)
    return best[1] if best else None


# ------------------------------------------------------------------------ one-shot launch

LAUNCH_WORDS = r"(?:open|launch|start|begin|load|run|use|play|resume|enable|talk to)"
CONNECTING_WORDS = r"(?:and|to|for|about|whether|if|that|by|with|using|from)"
_WAKE = re.compile(r"^(?:hey |okay |ok )?(?:alexa|echo|computer|amazon)\b ?")


@dataclass(frozen=True)
class LaunchParse:
    """What a one-shot phrase asks for: open the skill, send it an utterance, or neither."""

    kind: Literal["launch", "intent", "none"]
    utterance: str | None = None


def parse_launch(text: str, invocation_name: str) -> LaunchParse:
    """Split "ask hamstring coach to start the seated stretch" into launch + utterance.

    Follows Alexa's documented forms: "<launch word> <name> [<connector> <utterance>]",
    "ask|tell <name> [<connector>] <utterance>" and "<utterance> <using|from|with> <name>".
    """
    t = re.sub(r"[^a-z0-9' ]+", " ", text.lower().replace("\u2019", "'"))
    t = _WAKE.sub("", " ".join(t.split()))
    name = re.escape(" ".join(invocation_name.lower().split()))
    if re.fullmatch(rf"(?:{LAUNCH_WORDS} |ask |tell )?{name}", t):
        return LaunchParse("launch")
    for pattern in (
        rf"(?:ask|tell) {name} (?:{CONNECTING_WORDS} )?(?P<u>.+)",
        rf"{LAUNCH_WORDS} {name} {CONNECTING_WORDS} (?P<u>.+)",
        rf"(?P<u>.+?) (?:using|with|from|in|on|via) {name}",
    ):
        m = re.fullmatch(pattern, t)
        if m:
            return LaunchParse("intent", m.group("u"))
    return LaunchParse("none")
