"""The triage: a large table of statements as people say them, and the safety properties.

Safety first: a red flag is an emergency in any wording the vocabulary knows, a negated red
flag never is, numbness in both legs is an emergency and in one leg a nerve sign, no ordinary
statement is ever an emergency, and odd input never raises. Run with -s for a summary.
"""

from __future__ import annotations

import copy
import time
from collections import Counter
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml

from skill.core.content import ContentError, load_content
from skill.core.triage import (
    DEFAULT_ANSWER,
    Category,
    Frame,
    Triage,
    Verdict,
    load_triage,
)
from skill.simulator.nlu.normalize import normalize

TABLE_FILE = Path(__file__).with_name("triage_table.yaml")
RAW = yaml.safe_load(resources.files("skill.core.content").joinpath("triage.yaml").read_text())
ANSWER_KEYS = set(
    yaml.safe_load(resources.files("skill.core.content").joinpath("answers.yaml").read_text())
)
NEGATION_WORDS = {"no", "not", "never", "without", "nothing", "none", "cannot", "can't", "nor"}


def _table() -> list[tuple[str, Frame, Category, str]]:
    rows = []
    for group in yaml.safe_load(TABLE_FILE.read_text(encoding="utf-8")):
        for text in group["says"]:
            rows.append(
                (str(text), Frame(group["frame"]), Category(group["category"]), group["answer"])
            )
    return rows


TABLE = _table()


@pytest.fixture(scope="module")
def triage() -> Triage:
    return load_triage(RAW, ANSWER_KEYS)


def _spoken(phrase: str) -> str:
    """A vocabulary entry as a person would say it: "tingl*" → "tingling"."""
    return " ".join(w[:-1] + "ing" if w.endswith("*") else w for w in phrase.split())


def _group(name: str) -> list[str]:
    return [str(p) for p in (RAW["signs"].get(name) or RAW["places"].get(name))]


# --- the table --------------------------------------------------------------------------------


def test_the_table_is_large_and_covers_every_category_and_rule(triage: Triage) -> None:
    assert len(TABLE) >= 300
    assert {category for _, _, category, _ in TABLE} == set(Category)
    decided = {triage.classify(text, frame).rule for text, frame, _, _ in TABLE}
    unused = [rule.id for rule in triage.rules if rule.id not in decided]
    assert unused == [], "every rule needs a statement in tests/triage_table.yaml"


@pytest.mark.parametrize(
    ("text", "frame", "category", "answer"), TABLE, ids=[f"{f.value}:{t}" for t, f, _, _ in TABLE]
)
def test_table(triage: Triage, text: str, frame: Frame, category: Category, answer: str) -> None:
    verdict = triage.classify(text, frame)
    assert (verdict.category, verdict.answer) == (category, answer), verdict.rule


def test_the_nlu_spelling_reads_the_same(triage: Triage) -> None:
    """Statements arrive as the NLU leaves them: "can not", "it is", "i am", no punctuation."""
    respelled = [(t, f, normalize(t)) for t, f, _, _ in TABLE if normalize(t) != t]
    differ = [(t, s) for t, f, s in respelled if triage.classify(s, f) != triage.classify(t, f)]
    assert differ == []
    assert len(respelled) >= 100
    assert normalize("i can't feel my legs") == "i can not feel my legs"


def test_i_can_not_said_as_a_statement_reads_like_the_cannot_frame(triage: Triage) -> None:
    """ "my foot ... i can not lift it" reaches the triage in either frame, in any spelling."""
    rows = [(t, c, a) for t, f, c, a in TABLE if f is Frame.CANNOT]
    wrong = [
        (lead + text, triage.classify(lead + text))
        for text, category, answer in rows
        for lead in ("i can not ", "i cannot ", "i can't ", "like i can not ")
        if (triage.classify(lead + text).category, triage.classify(lead + text).answer)
        != (category, answer)
    ]
    assert wrong == []
    assert len(rows) >= 100


def test_summary(triage: Triage) -> None:
    """Counts per category and the timing; shown with -s."""
    counts = Counter(category.value for _, _, category, _ in TABLE)
    answers = Counter(answer for _, _, _, answer in TABLE)
    start = time.perf_counter()
    for text, frame, _, _ in TABLE:
        triage.classify(text, frame)
    mean_us = (time.perf_counter() - start) / len(TABLE) * 1e6
    print(f"\ntriage table: {len(TABLE)} statements, {len(triage.rules)} rules")
    for category in Category:
        print(f"  {category.value:11} {counts[category.value]}")
    print("  answers: " + ", ".join(f"{a} {n}" for a, n in sorted(answers.items())))
    print(f"  classify: {mean_us:.1f} µs per statement (mean over the table)")
    assert sum(counts.values()) == len(TABLE)


# --- safety properties --------------------------------------------------------------------------

EMERGENCY_RULES = [r for r in RAW["rules"] if r["category"] == "emergency"]
NEGATE = ["no {}", "not {}", "i do not have {}", "i don't have any {}", "there's no {}", "never {}"]


def _need_items(rule: dict[str, Any]) -> list[list[str]]:
    return [[item] if isinstance(item, str) else list(item) for item in rule.get("need", [])]


def _negated_red_flags() -> list[str]:
    """Each red-flag sign word, negated, with the rule's other words said plainly; not where
    those other words are a red flag on their own ("numb both legs", for the rule that also
    needs "can't feel")."""
    out = []
    classify = load_content().triage.classify
    for rule in EMERGENCY_RULES:
        items = _need_items(rule)
        for k, item in enumerate(items):
            if any(g in RAW["places"] or g == "cannot" for g in item):
                continue
            others = " ".join(
                _spoken(_group(other[0])[0]) for j, other in enumerate(items) if j != k
            )
            if others and classify(others).category is Category.EMERGENCY:
                continue
            for group in item:
                for phrase in map(_spoken, _group(group)):
                    if NEGATION_WORDS & set(phrase.split()):
                        continue
                    for template in NEGATE:
                        negated = template.format(phrase)
                        out += [f"{negated} {others}".strip(), f"{others} {negated}".strip()]
    return out


NEGATED_RED_FLAGS = _negated_red_flags()


def test_every_negated_red_flag_word_is_never_an_emergency(triage: Triage) -> None:
    assert len(NEGATED_RED_FLAGS) > 500
    wrong = [s for s in NEGATED_RED_FLAGS if triage.classify(s).category is Category.EMERGENCY]
    assert wrong == []


@pytest.mark.parametrize(
    "text",
    [
        "i can breathe",
        "i can breathe fine",
        "i can feel my legs",
        "i can move my legs",
        "i have control of my bladder",
        "my legs are fine",
        "my chest is fine",
        "i'm breathing fine",
    ],
)
def test_the_opposite_of_a_red_flag_is_not_an_emergency(triage: Triage, text: str) -> None:
    assert triage.classify(text).category is not Category.EMERGENCY


def test_a_negated_red_flag_alone_is_the_safe_default_never_ordinary(triage: Triage) -> None:
    alone = [s for s in NEGATED_RED_FLAGS if s.startswith(("no ", "not ", "never "))]
    categories = Counter(triage.classify(s).category for s in alone)
    assert Category.ORDINARY not in categories
    assert Category.EMERGENCY not in categories


NUMB_WORDS = [p for p in map(_spoken, _group("numb_tingle")) if not NEGATION_WORDS & set(p.split())]


@pytest.mark.parametrize("word", NUMB_WORDS)
def test_numbness_in_both_legs_is_an_emergency_in_one_leg_a_nerve_sign(
    triage: Triage, word: str
) -> None:
    for both in (f"{word} in both legs", f"{word} in both my legs", f"{word} in my legs"):
        assert triage.classify(both).category is Category.EMERGENCY, both
    for one in (f"{word} down my leg", f"{word} in my left leg", f"{word} in my leg"):
        assert triage.classify(one).answer == "SciaticPainIntent", one


def test_table_emergencies_in_both_legs_are_nerve_signs_in_one_leg(triage: Triage) -> None:
    swapped = 0
    for text, frame, category, _ in TABLE:
        verdict = triage.classify(text, frame)
        if category is not Category.EMERGENCY or verdict.rule != "both_legs_numbness":
            continue
        for both in ("both of my legs", "both my legs", "both legs", "my legs", "both feet"):
            if both in text:
                one = text.replace(both, "my left leg")
                assert triage.classify(one, frame).category is Category.NERVE, one
                swapped += 1
                break
    assert swapped >= 5


ORDINARY_WORDS = [p for p in map(_spoken, _group("tight") + _group("sore"))]
ORDINARY_PLACES = ["back", "lower back", "hamstrings", "legs", "thighs", "hamstring", "calves"]


def test_no_ordinary_statement_is_ever_an_emergency(triage: Triage) -> None:
    statements = [t for t, _, c, _ in TABLE if c is Category.ORDINARY]
    statements += [
        f"{lead}my {place} {verb} {word}"
        for place in ORDINARY_PLACES
        for word in ORDINARY_WORDS
        for verb, lead in (("feel", ""), ("are", "um like "), ("is kind of", "ugh "))
    ]
    statements += [f"uh {t} right now" for t in list(statements)]
    wrong = [s for s in statements if triage.classify(s).category is Category.EMERGENCY]
    assert wrong == []
    assert len(statements) > 500


@pytest.mark.parametrize(
    "odd",
    [
        "",
        " ",
        "\x00\n\t",
        "a" * 10_000,
        "numb " * 2_000,
        "no " * 5_000,
        "can't " * 3_000,
        "ＮＵＭＢ ｉｎ ｂｏｔｈ ｌｅｇｓ",
        "ñúmb in bóth légs",
        "😀 🦵 💥",
        "مرحبا",
        "1234567890",
        "10 out of 10",
        "'''",
        "n't 's 'm",
        "*",
        "tingl*",
        "my knee™ hurts®",
    ],
)
def test_classify_never_raises_on_odd_input(triage: Triage, odd: str) -> None:
    for frame in Frame:
        start = time.perf_counter()
        verdict = triage.classify(odd, frame)
        assert isinstance(verdict, Verdict)
        assert time.perf_counter() - start < 0.05


def test_odd_input_keeps_its_meaning_where_there_is_one(triage: Triage) -> None:
    assert triage.classify("ＮＵＭＢ ｉｎ ｂｏｔｈ ｌｅｇｓ").category is Category.EMERGENCY
    assert triage.classify("ñúmb in bóth légs").category is Category.EMERGENCY
    assert triage.classify("MY BACK IS KILLING ME!!!").answer == "BackPainIntent"
    assert triage.classify("OUCH!").category is Category.SHARP_PAIN
    assert triage.classify("I CAN’T breathe").category is Category.EMERGENCY
    assert triage.classify("breathe", "cannot").category is Category.EMERGENCY  # type: ignore[arg-type]
    assert triage.classify("").answer == DEFAULT_ANSWER


def test_classify_is_fast(triage: Triage) -> None:
    texts = [(t, f) for t, f, _, _ in TABLE]
    triage.classify("warm up", Frame.STATEMENT)
    start = time.perf_counter()
    for text, frame in texts * 3:
        triage.classify(text, frame)
    mean = (time.perf_counter() - start) / (3 * len(texts))
    assert mean < 200e-6, f"{mean * 1e6:.0f} µs per statement"


# --- the loader -------------------------------------------------------------------------------


def test_load_content_carries_the_triage() -> None:
    content = load_content()
    assert isinstance(content.triage, Triage)
    assert content.triage.classify("numbness in both legs").answer == "RedFlagIntent"


def test_every_answer_the_triage_gives_is_a_known_answer_key(triage: Triage) -> None:
    used = {rule.verdict.answer for rule in triage.rules} | {DEFAULT_ANSWER}
    assert used <= ANSWER_KEYS
    assert RAW["version"] == 1


def _broken(mutate: Any, known: set[str] | None = None) -> ContentError:
    data = copy.deepcopy(RAW)
    mutate(data)
    with pytest.raises(ContentError) as info:
        load_triage(data, ANSWER_KEYS if known is None else known)
    assert info.value.file == "triage.yaml"
    return info.value


def _rule(data: dict[str, Any], rule_id: str) -> dict[str, Any]:
    return next(r for r in data["rules"] if r["id"] == rule_id)


@pytest.mark.parametrize(
    ("mutate", "key"),
    [
        (lambda d: d.update(version=2), "version"),
        (lambda d: _rule(d, "tightness").update(answer="NopeIntent"), "rules.tightness.answer"),
        (
            lambda d: _rule(d, "chest_pain").update(answer="TightnessIntent"),
            "rules.chest_pain.answer",
        ),
        (lambda d: _rule(d, "knee_pain").update(answer="RedFlagIntent"), "rules.knee_pain.answer"),
        (lambda d: _rule(d, "tightness").update(category="mild"), "rules.tightness.category"),
        (lambda d: _rule(d, "tightness").update(need=["tigth"]), "rules.tightness.need[0]"),
        (lambda d: _rule(d, "tightness").update(none=["nope"]), "rules.tightness.none"),
        (lambda d: _rule(d, "tightness").pop("need"), "rules.tightness"),
        (lambda d: d["rules"].append(dict(d["rules"][0])), "rules"),
        (lambda d: d["signs"].update(pain=["pain", "h*"]), "signs.pain"),
        (lambda d: d["signs"].update(pain=[]), "signs.pain"),
        (lambda d: d["signs"].pop("cannot"), "signs.cannot"),
        (lambda d: d["negation"].update(reach=0), "negation.reach"),
        (lambda d: d["places"].update(pain=["ouch"]), "signs.pain"),  # defined twice
        (lambda d: d["clauses"].update(subjects=[]), "clauses.subjects"),
        (lambda d: d.update(clauses=["my"]), "clauses"),
    ],
)
def test_a_broken_triage_file_names_the_key(mutate: Any, key: str) -> None:
    assert _broken(mutate).key == key


def test_the_answer_keys_are_checked_against_the_given_set() -> None:
    assert _broken(lambda d: None, {"RedFlagIntent", DEFAULT_ANSWER}).key.endswith(".answer")
    assert _broken(lambda d: None, ANSWER_KEYS - {DEFAULT_ANSWER}).key == "-"
