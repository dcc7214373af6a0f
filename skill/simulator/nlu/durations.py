"""Durations said in words, as Alexa fills an AMAZON.DURATION slot ("a minute" -> "PT1M").

Amazon documents the value as ISO-8601 with each unit as said: "ten minutes" is PT10M,
"forty five seconds" PT45S, "five hours ten minutes" PT5H10M. So units are never carried
("ninety seconds" stays PT90S). A half is written in the next smaller unit ("half a minute"
PT30S, "a minute and a half" PT1M30S): Amazon does not document halves, and whole numbers keep
the value one the skill can read without decimals.
"""

from __future__ import annotations

import re

from skill.simulator.nlu.numbers import NUMBER_WORDS, parse_number

UNITS = {
    "hour": "H", "hours": "H", "hr": "H", "hrs": "H",
    "minute": "M", "minutes": "M", "min": "M", "mins": "M",
    "second": "S", "seconds": "S", "sec": "S", "secs": "S",
}  # fmt: skip
_ORDER = ("H", "M", "S")
_HALF_OF = {"H": ("M", 30), "M": ("S", 30)}  # half a second has no whole value
_UNIT = "(?:" + "|".join(sorted(UNITS, key=len, reverse=True)) + ")"
_WORD = r"(?:\d+|" + "|".join(sorted({*NUMBER_WORDS, "a", "an", "half"}, key=len, reverse=True))
_WORD += ")"
# Generous on purpose: whatever this finds is checked by `parse_duration`.
DURATION_PHRASE = rf"(?:{_WORD} )*{_UNIT}(?: (?:{_WORD} )*{_UNIT})*(?: and a half)?"
DURATION_RUN = re.compile(rf"\b{DURATION_PHRASE}\b")


def _add(total: dict[str, int], unit: str, amount: int, half: bool) -> bool:
    """Add `amount` of `unit` (and a half) to `total`; False if that cannot be said whole."""
    if half:
        if unit not in _HALF_OF:
            return False
        smaller, value = _HALF_OF[unit]
        total[smaller] = total.get(smaller, 0) + value
    total[unit] = total.get(unit, 0) + amount
    return True


def parse_duration(phrase: str) -> str | None:
    """The ISO-8601 value of a spoken duration ("a minute and a half": PT1M30S), or None.

    Forms: "<number|a|an> <unit>", "half a|an <unit>", "<number|a|an> and a half <unit>",
    "<number|a|an> <unit> and a half", and several of these joined, with or without "and".
    A unit named twice is not a duration.
    """
    words = phrase.split()
    total: dict[str, int] = {}
    named: set[str] = set()
    i = 0
    while i < len(words):
        if words[i] == "and" and named:
            i += 1
            continue
        if words[i : i + 2] in (["half", "a"], ["half", "an"]) and i + 2 < len(words):
            unit = UNITS.get(words[i + 2])
            if unit is None or unit in named or not _add(total, unit, 0, True):
                return None
            named.add(unit)
            i += 3
            continue
        j = next((k for k in range(i, len(words)) if words[k] in UNITS), None)
        if j is None or j == i:
            return None
        amount_words, half = words[i:j], False
        if amount_words[-3:] == ["and", "a", "half"]:
            amount_words, half = amount_words[:-3], True
        if amount_words in (["a"], ["an"]):
            amount: int | None = 1
        else:
            amount = parse_number(" ".join(amount_words))
        unit = UNITS[words[j]]
        i = j + 1
        if words[i : i + 3] == ["and", "a", "half"]:
            if half:
                return None
            half, i = True, i + 3
        if amount is None or unit in named or not _add(total, unit, amount, half):
            return None
        named.add(unit)
    if not named:
        return None
    return "PT" + ("".join(f"{total[u]}{u}" for u in _ORDER if total.get(u)) or "0S")
