"""Triage of what a person says about their body: ordered word rules from content/triage.yaml.

Pure and fast: the YAML is compiled once into a phrase trie and frozen rule sets, and
`Triage.classify` only tokenises, matches and walks the rules. It reads words, not meaning,
so when nothing matches it answers the safe default ("UnclearStatement"), never "carry on".
How it decides, for clinicians and developers: docs/triage.md.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

FILE = "triage.yaml"

DEFAULT_ANSWER = "UnclearStatement"
MAX_TOKENS = 200  # a spoken statement is a few words; a long text is cut, never a crash

# Each category has one fixed answer, or (advice, ordinary) a set of answers to pick from.
CATEGORY_ANSWERS: dict[str, frozenset[str] | None] = {
    "emergency": frozenset({"RedFlagIntent"}),
    "nerve": frozenset({"SciaticPainIntent"}),
    "sharp_pain": frozenset({"SharpPainIntent"}),
    "ordinary": frozenset({"BackPainIntent", "TightnessIntent", "KneePain", "CantReachFoot"}),
    "advice": None,
    "unclear": frozenset({DEFAULT_ANSWER}),
}


class Category(StrEnum):
    EMERGENCY = "emergency"  # red flag → RedFlagIntent, call 911 first, session ends
    NERVE = "nerve"  # pain / tingling / numbness down the back of ONE leg → SciaticPainIntent
    SHARP_PAIN = "sharp_pain"  # sharp, stabbing, growing pain → SharpPainIntent (stop)
    ORDINARY = "ordinary"  # tightness, pull, stiffness, mild soreness, their back pain
    ADVICE = "advice"  # a topic or limitation with its own answer (NoFloorIntent, …)
    UNCLEAR = "unclear"  # nothing matched → "UnclearStatement" (safe default)


class Frame(StrEnum):
    """What the carrier phrase said. Alexa sends only the words after it, so a carrier that
    means something is passed on as a frame and read first (FRAME_WORDS)."""

    STATEMENT = "statement"  # BodyStatementIntent: "i feel …", "my …"
    CANNOT = "cannot"  # CantDoIntent: "i can't …"
    AFTER_FALL = "after_fall"  # FallStatementIntent: "i fell …", "i was in a car accident …"
    SUDDEN = "sudden"  # SuddenStatementIntent: "all of a sudden …", "suddenly …"


# The words each frame stands for, read before the statement ("i fell" + "and it hurts so
# bad" is severe pain after a fall).
FRAME_WORDS: dict[Frame, tuple[str, ...]] = {
    Frame.STATEMENT: (),
    Frame.CANNOT: ("cannot",),
    Frame.AFTER_FALL: ("fell",),
    Frame.SUDDEN: ("suddenly",),
}


@dataclass(frozen=True)
class Verdict:
    category: Category
    answer: str  # the answers.yaml key: an intent name or "UnclearStatement"
    rule: str  # the id of the triage.yaml rule that decided (or "default")


DEFAULT_VERDICT = Verdict(Category.UNCLEAR, DEFAULT_ANSWER, "default")


# --- normalising words ----------------------------------------------------------------------

_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)*")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'", "&": " and "})
# Contractions not listed in the YAML's rewrites: "isn't" → "is not", "legs're" → "legs are".
_SUFFIXES = (("n't", "not"), ("'m", "am"), ("'re", "are"), ("'ve", "have"), ("'ll", "will"),
             ("'d", "would"), ("'s", "is"))  # fmt: skip


def _ascii(text: str) -> str:
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _words(text: str, rewrites: dict[str, tuple[str, ...]]) -> list[str]:
    """Lower-case words with contractions spelled out: "can't" → "cannot", "it's" → "it is"."""
    out: list[str] = []
    for token in _TOKEN.findall(_ascii(text).lower().translate(_APOSTROPHES)):
        if token in rewrites:
            out.extend(rewrites[token])
            continue
        if "'" not in token:
            out.append(token)
            continue
        for suffix, spelled in _SUFFIXES:
            if token.endswith(suffix) and len(token) > len(suffix):
                out += (token[: -len(suffix)], spelled)
                break
        else:
            out.append(token.replace("'", ""))
    return out


@dataclass
class _Node:
    exact: dict[str, _Node] = field(default_factory=dict)
    prefixes: dict[int, dict[str, _Node]] = field(default_factory=dict)  # by prefix length
    groups: frozenset[str] = frozenset()

    def children(self, word: str) -> list[_Node]:
        found = [self.exact[word]] if word in self.exact else []
        for size, table in self.prefixes.items():
            if len(word) >= size and (node := table.get(word[:size])) is not None:
                found.append(node)
        return found


class _Phrases:
    """Longest-match lookup of phrases: "tingl*" matches tingling; `skip` words may sit inside
    a phrase: "back of leg" matches "back of my left leg"."""

    def __init__(self, skip: frozenset[str]) -> None:
        self.root = _Node()
        self.skip = skip

    def add(self, words: Iterable[str], group: str) -> None:
        node = self.root
        for word in words:
            if word.endswith("*"):
                table = node.prefixes.setdefault(len(word) - 1, {})
                node = table.setdefault(word[:-1], _Node())
            else:
                node = node.exact.setdefault(word, _Node())
        node.groups = node.groups | {group}

    def longest(self, words: list[str], start: int) -> tuple[int, frozenset[str]] | None:
        first = self.root.children(words[start])
        if not first:
            return None
        best: tuple[int, frozenset[str]] | None = None
        stack = [(node, start + 1, False) for node in first]
        while stack:
            node, pos, skipped = stack.pop()
            if node.groups and not skipped:  # a phrase never ends on a skipped word
                if best is None or pos > best[0]:
                    best = (pos, node.groups)
                elif pos == best[0]:  # "tightness" is both tight* and tightness
                    best = (pos, best[1] | node.groups)
            if pos >= len(words) or not (node.exact or node.prefixes):
                continue
            word = words[pos]
            stack.extend((child, pos + 1, False) for child in node.children(word))
            if word in self.skip:
                stack.append((node, pos + 1, True))
        return best


@dataclass(frozen=True)
class _Rule:
    id: str
    verdict: Verdict
    need: tuple[frozenset[str], ...]  # each item: one of these groups said (not negated)
    negated: frozenset[str]  # each of these groups said with a negation
    none: frozenset[str]  # none of these groups mentioned at all
    exactly: frozenset[str]  # or: the whole statement is one of these
    same_clause: bool  # the needed words said in one clause ("my chest is fine but ...")

    def matches(self, heard: _Heard, whole: str) -> bool:
        said = heard.said
        for item in self.need:
            if item.isdisjoint(said):
                return False
        if self.exactly and whole not in self.exactly:
            return False
        if not (self.negated <= heard.negated and self.none.isdisjoint(heard.mentioned)):
            return False
        if self.same_clause:
            return any(all(not i.isdisjoint(c) for i in self.need) for c in heard.clauses)
        return True


@dataclass
class _Heard:
    """The groups a statement says (not negated), negates, mentions at all, and per clause."""

    said: set[str] = field(default_factory=set)
    negated: set[str] = field(default_factory=set)
    mentioned: set[str] = field(default_factory=set)
    clauses: list[set[str]] = field(default_factory=lambda: [set()])
    clause_negates: bool = False  # the current clause has cancelled a sign ("no tingling ...")

    def new_clause(self) -> None:
        self.clauses.append(set())
        self.clause_negates = False


@dataclass(frozen=True)
class Clauses:
    """When "my <place>" starts a new clause (triage.yaml `clauses`)."""

    subjects: frozenset[str] = frozenset()  # "my"
    not_after: frozenset[str] = frozenset()  # "in my legs" is no new subject
    not_before: frozenset[str] = frozenset()  # "my legs or my feet" is a list


NEGATION = "_negation"
STOP = "_stop"  # a new clause: ends a negation too
END = "_end"  # ends a negation only: "not numb, just tingly"
CANNOT = "cannot"


@dataclass(frozen=True, eq=False)
class Triage:
    """The compiled triage.yaml: `classify` a statement into a Verdict."""

    rules: tuple[_Rule, ...]
    _phrases: _Phrases
    _fillers: _Phrases
    _rewrites: dict[str, tuple[str, ...]]
    _places: frozenset[str]
    _negating: frozenset[str]  # groups whose phrases negate what follows ("no", "can't feel")
    _reach: int
    _joins: dict[str, tuple[tuple[str, ...], tuple[str, ...]]]  # "can not" → "cannot"
    _clauses: Clauses

    def words(self, text: str, frame: Frame = Frame.STATEMENT) -> list[str]:
        """The statement's words as the rules see them: fillers gone, the frame's words first.

        The NLU spells contractions out ("can not", "it is"); they are joined back to the
        YAML's one spelling here. A filler inside a longer phrase is kept: "a bit out of
        breath" is a phrase of its own, "a bit" alone is a filler."""
        raw = self._join(_words(text[: MAX_TOKENS * 12], self._rewrites)[:MAX_TOKENS])
        out = list(FRAME_WORDS[frame])
        i = 0
        while i < len(raw):
            hit = self._fillers.longest(raw, i)
            if hit is None:
                out.append(raw[i])
                i += 1
                continue
            keep = self._phrases.longest(raw, i)
            if keep is not None and keep[0] > hit[0]:
                out.extend(raw[i : keep[0]])
                i = keep[0]
            else:
                i = hit[0]
        return out

    def _join(self, raw: list[str]) -> list[str]:
        if not self._joins or self._joins.keys().isdisjoint(raw):
            return raw
        out: list[str] = []
        i = 0
        while i < len(raw):
            join = self._joins.get(raw[i])
            if join is not None and tuple(raw[i : i + len(join[0])]) == join[0]:
                out.extend(join[1])
                i += len(join[0])
            else:
                out.append(raw[i])
                i += 1
        return out

    def classify(self, text: str, frame: Frame = Frame.STATEMENT) -> Verdict:
        """The verdict of the first rule whose words the statement says, else the safe default."""
        try:
            frame = Frame(frame)
            words = self.words(text if isinstance(text, str) else str(text), frame)
        except (TypeError, ValueError):
            return DEFAULT_VERDICT
        heard = self._read(words)
        whole = " ".join(w for w in words if w not in self._phrases.skip)
        for rule in self.rules:
            if rule.matches(heard, whole):
                return rule.verdict
        return DEFAULT_VERDICT

    def _read(self, words: list[str]) -> _Heard:
        """Which groups are said, which negated, which mentioned at all."""
        heard = _Heard()
        scope_end = -1  # words before this index are in a negation's reach
        i = 0
        while i < len(words):
            if words[i] in self._clauses.subjects and self._new_subject(words, i, heard):
                heard.new_clause()
                scope_end = -1
            hit = self._phrases.longest(words, i)
            if hit is None:
                i += 1
                continue
            end, groups = hit
            if STOP in groups or END in groups:
                scope_end = -1
                if STOP in groups:
                    heard.new_clause()
            elif i < scope_end:
                said = groups & self._places
                heard.said.update(said)
                heard.clauses[-1].update(said)
                heard.negated.update(groups - self._places)
                heard.clause_negates |= bool(groups - self._places)
            else:
                heard.said.update(groups)
                heard.clauses[-1].update(groups)
            heard.mentioned.update(groups)
            if groups & self._negating:
                scope_end = self._scope_end(words, end)
            i = end
        return heard

    def _new_subject(self, words: list[str], i: int, heard: _Heard) -> bool:
        """ "my chest is fine | my back hurts", "no tingling | my legs are tight": a "my <place>"
        after a clause that named a place or negated a sign starts a new clause (not "numbness
        in my legs", not "i can not feel | my legs", not "my groin my legs or ...")."""
        named = heard.clause_negates or not heard.clauses[-1].isdisjoint(self._places)
        if not named or (i and words[i - 1] in self._clauses.not_after):
            return False
        j = i + 1
        while j < len(words) and words[j] in self._phrases.skip:  # "my left leg"
            j += 1
        hit = self._phrases.longest(words, j) if j < len(words) else None
        if hit is None or not hit[1] & self._places:
            return False
        return hit[0] >= len(words) or words[hit[0]] not in self._clauses.not_before

    def _scope_end(self, words: list[str], start: int) -> int:
        counted = 0
        for j in range(start, len(words)):
            if words[j] not in self._phrases.skip:
                counted += 1
                if counted > self._reach:
                    return j
        return len(words)


# --- loading ----------------------------------------------------------------------------------


def load_triage(data: dict[str, Any], known_answers: Iterable[str]) -> Triage:
    """Compile and check triage.yaml; answer keys must be among `known_answers`."""
    from skill.core.triage_rules import compile_triage  # it imports this module

    return compile_triage(data, known_answers)
