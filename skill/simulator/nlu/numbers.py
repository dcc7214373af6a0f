"""Numbers said in words or digits, as Alexa fills an AMAZON.NUMBER slot ("forty five" -> 45)."""

from __future__ import annotations

import re

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
NUMBER_RUN = re.compile(rf"\b{NUMBER_PHRASE}\b")


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
