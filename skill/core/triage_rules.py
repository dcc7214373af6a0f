"""Loading triage.yaml: every check, then compiling it into a `Triage` (skill/core/triage.py).

Kept apart from the matching so that triage.py stays about how a statement is read; a mistake
in the YAML stops the skill at start-up with the file and key, never mid-conversation.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from skill.core.content import ContentError
from skill.core.triage import (
    CANNOT,
    CATEGORY_ANSWERS,
    DEFAULT_ANSWER,
    END,
    FILE,
    NEGATION,
    STOP,
    Category,
    Clauses,
    Triage,
    Verdict,
    _Phrases,
    _Rule,
    _words,
)


def _strings(value: Any, key: str) -> list[str]:
    if not isinstance(value, list) or not value:
        raise ContentError(FILE, key, "must be a non-empty list")
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise ContentError(FILE, f"{key}[{i}]", "must be a non-empty string")
    return value


def _phrase(text: str, key: str, rewrites: dict[str, tuple[str, ...]]) -> list[str]:
    words: list[str] = []
    for raw in text.split():
        star = raw.endswith("*")
        spelled = _words(raw[:-1] if star else raw, rewrites)
        if not spelled or (star and (len(spelled) != 1 or len(spelled[0]) < 3)):
            raise ContentError(FILE, key, f"{text!r}: a word* needs at least 3 letters")
        words.extend([*spelled[:-1], spelled[-1] + "*"] if star else spelled)
    return words


def _group_names(value: Any, key: str, groups: set[str]) -> frozenset[str]:
    names = [value] if isinstance(value, str) else _strings(value, key)
    for name in names:
        if name not in groups:
            raise ContentError(FILE, key, f"unknown group {name!r}")
    return frozenset(names)


def _rule(raw: Any, key: str, groups: set[str], known: set[str], rewrites: Any) -> _Rule:
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
        raise ContentError(FILE, key, "must be a mapping with an id")
    key = f"rules.{raw['id']}"
    try:
        category = Category(raw.get("category"))
    except ValueError:
        raise ContentError(FILE, f"{key}.category", "unknown category") from None
    answer = raw.get("answer")
    if answer not in known:
        raise ContentError(FILE, f"{key}.answer", f"{answer!r} is not an answer key")
    allowed = CATEGORY_ANSWERS[category.value]
    if allowed is not None and answer not in allowed:
        raise ContentError(FILE, f"{key}.answer", f"a {category.value} rule answers {allowed}")
    if category is Category.ADVICE and any(answer in s for s in CATEGORY_ANSWERS.values() if s):
        raise ContentError(FILE, f"{key}.answer", f"{answer} belongs to another category")
    need = tuple(
        _group_names(item, f"{key}.need[{i}]", groups)
        for i, item in enumerate(raw.get("need") or [])
    )
    exactly = frozenset(
        " ".join(_phrase(s, f"{key}.exactly", rewrites)) for s in raw.get("exactly") or []
    )
    negated = _group_names(raw["negated"], f"{key}.negated", groups) if "negated" in raw else None
    if not (need or exactly or negated):
        raise ContentError(FILE, key, "needs `need`, `negated` or `exactly`")
    none = _group_names(raw["none"], f"{key}.none", groups) if "none" in raw else frozenset()
    return _Rule(
        id=raw["id"],
        verdict=Verdict(category, answer, raw["id"]),
        need=need,
        negated=negated or frozenset(),
        none=none,
        exactly=exactly,
        same_clause=raw.get("same_clause") is True,
    )


def compile_triage(data: dict[str, Any], known_answers: Iterable[str]) -> Triage:
    """Compile and check triage.yaml; answer keys must be among `known_answers`."""
    known = set(known_answers)
    if data.get("version") != 1:
        raise ContentError(FILE, "version", "must be 1")
    if DEFAULT_ANSWER not in known:
        raise ContentError(FILE, "-", f"the answers lack {DEFAULT_ANSWER}")
    rewrites_raw = data.get("rewrites") or {}
    if not isinstance(rewrites_raw, dict):
        raise ContentError(FILE, "rewrites", "must be a mapping")
    rewrites = {str(k).lower(): tuple(str(v).split()) for k, v in rewrites_raw.items()}
    joins = {k.split()[0]: (tuple(k.split()), v) for k, v in rewrites.items() if " " in k}
    rewrites = {k: v for k, v in rewrites.items() if " " not in k}
    skip = frozenset(_strings(data.get("skip_inside_phrases"), "skip_inside_phrases"))
    fillers = _Phrases(frozenset())
    for text in _strings(data.get("fillers"), "fillers"):
        fillers.add(_phrase(text, "fillers", rewrites), "filler")
    phrases = _Phrases(skip)
    negation = data.get("negation")
    if not isinstance(negation, dict):
        raise ContentError(FILE, "negation", "must be a mapping")
    reach = negation.get("reach")
    if not isinstance(reach, int) or not 1 <= reach <= 20:
        raise ContentError(FILE, "negation.reach", "must be a number of words, 1 to 20")
    for name, key in ((NEGATION, "words"), (STOP, "stops"), (END, "ends"), ("_ignore", "ignore")):
        for text in _strings(negation.get(key), f"negation.{key}"):
            phrases.add(_phrase(text, f"negation.{key}", rewrites), name)
    groups: set[str] = set()
    places: set[str] = set()
    for section in ("places", "signs"):
        table = data.get(section)
        if not isinstance(table, dict) or not table:
            raise ContentError(FILE, section, "must be a mapping of group: [words]")
        for name, words in table.items():
            if name in groups:
                raise ContentError(FILE, f"{section}.{name}", "is defined twice")
            groups.add(name)
            if section == "places":
                places.add(name)
            for text in _strings(words, f"{section}.{name}"):
                phrases.add(_phrase(text, f"{section}.{name}", rewrites), name)
    if CANNOT not in groups - places:
        raise ContentError(FILE, "signs.cannot", "is missing (the cannot frame says it)")
    negating = _group_names(negation.get("also_negate") or [], "negation.also_negate", groups)
    negating |= {NEGATION}
    raw_rules = data.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        raise ContentError(FILE, "rules", "must be a non-empty list")
    rules = tuple(
        _rule(raw, f"rules[{i}]", groups, known, rewrites) for i, raw in enumerate(raw_rules)
    )
    if len({r.id for r in rules}) != len(rules):
        raise ContentError(FILE, "rules", "rule ids must be unique")
    clauses = data.get("clauses") or {}
    if not isinstance(clauses, dict):
        raise ContentError(FILE, "clauses", "must be a mapping")
    words = {
        key: frozenset(_strings(clauses[key], f"clauses.{key}")) if key in clauses else frozenset()
        for key in ("subjects", "not_after", "not_before")
    }
    return Triage(
        rules, phrases, fillers, rewrites, frozenset(places), negating, reach, joins,
        Clauses(**words),
    )  # fmt: skip
