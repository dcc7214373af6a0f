"""Fuzzy scoring: how close an utterance is to a sample, and which words a slot synonym matched."""

from __future__ import annotations

from typing import Any

from rapidfuzz import fuzz


def similarity(a: str, b: str, *, score_cutoff: float | None = None, **_: Any) -> float:
    """Word-order-free similarity (0-100) that also forgives a few extra or missing words.

    token_sort_ratio handles reordering and near misses; averaging in token_set_ratio lets
    "the phone number" reach "what's the phone number". The set bonus needs two words in
    common, or "the" alone would be contained in half the model.
    """
    sort = fuzz.token_sort_ratio(a, b)
    if (sort + 100) / 2 < (score_cutoff or 0) or len(set(a.split()) & set(b.split())) < 2:
        return sort
    return max(sort, (sort + fuzz.token_set_ratio(a, b)) / 2)


def heard_words(synonym: str, text: str) -> str | None:
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
