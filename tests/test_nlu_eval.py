"""The NLU evaluation (`hamstring-coach nlu-eval`): scoring, the report, the command, the gate.

Unit tests run a tiny corpus against the fixture model (tests/nlu_fixture.py) with a fake
triage; the last test runs the real corpus with the skill's triage when the corpus exists.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from skill.cli import main
from skill.simulator.nlu import FALLBACK, Recognizer
from skill.simulator.nlu.evaluation import (
    CorpusError,
    Summary,
    Utterance,
    evaluate,
    load_kind_table,
    parse_corpus,
    summarize,
)
from skill.simulator.nlu.evaluation_report import format_report, summary_json
from tests.nlu_fixture import fixture_document, fixture_model

ROOT = Path(__file__).resolve().parent.parent
CORPORA = [ROOT / "tests" / "nlu_corpus" / n for n in ("corpus.yaml", "heldout.yaml")]
TABLE = load_kind_table()


def fake_triage(text: str, frame: str) -> tuple[str, str]:
    """Stands in for skill.core.triage: a few words decide, the rest is unclear."""
    if "both legs" in text or "breathe" in text:
        return "emergency", "RedFlagIntent"
    if "toes" in text and frame == "cannot":
        return "ordinary", "TightnessIntent"
    if "tight" in text:
        return "ordinary", "TightnessIntent"
    return "unclear", "UnclearStatement"


TINY = [
    {"text": "start the seated stretch", "intent": "StartStretchIntent", "kind": "start",
     "slots": {"Stretch": "seated"}},
    {"text": "um my back hurts", "intent": "BackPainIntent", "kind": "ordinary"},
    {"text": "i feel numbness in both legs", "intent": "RedFlagIntent", "kind": "emergency"},
    {"text": "I can't breathe", "intent": "RedFlagIntent", "kind": "emergency"},
    {"text": "I can't reach my toes", "intent": "TightnessIntent", "kind": "ordinary"},
    {"text": "i feel kind of dizzy", "intent": "UnclearStatement", "kind": "safe_default"},
    {"text": "what's the weather", "intent": FALLBACK, "kind": "out_of_scope"},
    {"text": "what's the weather", "intent": FALLBACK, "kind": "safe_default",
     "context": "routine"},
    {"text": "hold it for a minute okay", "intent": "SetHoldLengthIntent", "kind": "control",
     "slots": {"Duration": "PT1M"}},
    # Wrong on purpose: the fake triage calls "tight" ordinary, the label says emergency.
    {"text": "my hamstrings are tight", "intent": "RedFlagIntent", "kind": "emergency"},
    # And the other way round: a red flag sample, labelled ordinary.
    {"text": "my legs are numb", "intent": "BackPainIntent", "kind": "ordinary"},
]  # fmt: skip


@pytest.fixture(scope="module")
def recognizer() -> Recognizer:
    return Recognizer(fixture_model())


def corpus(entries: list[dict[str, Any]] = TINY) -> list[Utterance]:
    return parse_corpus(entries, "tiny", TABLE.kinds)


def test_kind_table_covers_every_kind_and_the_triage() -> None:
    assert set(TABLE.intents.values()) | set(TABLE.categories.values()) == set(TABLE.kinds)
    assert TABLE.triage_intents == {
        "BodyStatementIntent": ("Statement", "statement"),
        "CantDoIntent": ("Task", "cannot"),
        "FallStatementIntent": ("Statement", "after_fall"),
        "SuddenStatementIntent": ("Statement", "sudden"),
    }
    assert set(TABLE.categories) == {
        "emergency", "nerve", "sharp_pain", "ordinary", "advice", "unclear"
    }  # fmt: skip
    assert TABLE.kind(FALLBACK) == "out_of_scope"
    assert TABLE.kind(FALLBACK, "routine") == "safe_default"
    assert TABLE.kind("NoSuchIntent") == "unknown"


def test_kind_table_rejects_a_kind_it_does_not_list() -> None:
    with pytest.raises(ValueError, match="emergncy"):
        load_kind_table("kinds: [emergency]\nintents: {RedFlagIntent: emergncy}\ncategories: {}\n")


def test_routes_through_the_triage_and_both_matchers(recognizer: Recognizer) -> None:
    results = {r.utterance.text: r for r in evaluate(corpus(), recognizer, fake_triage, TABLE)}
    toes = results["I can't reach my toes"]
    assert (toes.nlu.intent, toes.nlu.answer, toes.nlu.kind) == (
        "CantDoIntent", "TightnessIntent", "ordinary"
    )  # fmt: skip
    assert toes.exact == toes.nlu  # a phrase slot is an exact match
    dizzy = results["i feel kind of dizzy"].nlu
    assert (dizzy.answer, dizzy.kind) == ("UnclearStatement", "safe_default")
    hold = results["hold it for a minute okay"]
    assert (hold.nlu.method, hold.nlu.slots_ok, hold.nlu.kind) == ("fuzzy", True, "control")
    assert (hold.exact.intent, hold.exact.kind) == (FALLBACK, "out_of_scope")
    back = results["um my back hurts"]
    assert back.exact.answer == back.nlu.answer == "BackPainIntent"  # "um" is dropped in both


def test_summary_counts(recognizer: Recognizer) -> None:
    summary = summarize(evaluate(corpus(), recognizer, fake_triage, TABLE), TABLE)
    assert (summary.size, summary.in_scope) == (11, 9)  # not the two for the fallback
    nlu = summary.nlu
    assert nlu.false_emergencies == ["my legs are numb"]
    assert nlu.missed_emergencies == [("my hamstrings are tight", "ordinary")]
    assert summary.failed
    assert nlu.right_kind == pytest.approx(9 / 11)
    assert summary.exact.right_kind == pytest.approx(8 / 11)  # the fuzzy hold is missed
    assert summary.exact_coverage == pytest.approx(8 / 9)  # all but the fuzzy hold
    assert summary.exact_coverage_right == pytest.approx(6 / 9)
    assert nlu.right_kind_in_scope == pytest.approx(7 / 9)
    assert ("RedFlagIntent", "TightnessIntent", 1) in nlu.confusions
    assert ("BackPainIntent", "RedFlagIntent", 1) in nlu.confusions
    scores = {s.intent: s for s in summary.intents}
    red = scores["RedFlagIntent"]
    assert (red.support, red.nlu_recall, red.nlu_precision) == (3, 2 / 3, 2 / 3)
    hold = scores["SetHoldLengthIntent"]
    assert (hold.exact_recall, hold.exact_precision, hold.nlu_recall) == (0.0, None, 1.0)
    # How many go through a phrase slot depends on the model's literal samples (a literal
    # sample beats a phrase slot); the other methods do not.
    assert nlu.methods["phrase"] + nlu.methods["exact"] == 8
    assert nlu.methods["phrase"] >= 2  # "i can't reach my toes", "i feel kind of dizzy"
    assert (nlu.methods["fallback"], nlu.methods["fuzzy"]) == (2, 1)
    assert summary.unknown_intents == []


def test_slots_must_match_when_the_corpus_gives_them(recognizer: Recognizer) -> None:
    entries = [{"text": "start the lying stretch", "intent": "StartStretchIntent",
                "kind": "start", "slots": {"Stretch": "seated"}}]  # fmt: skip
    (result,) = evaluate(corpus(entries), recognizer, fake_triage, TABLE)
    assert result.nlu.kind == "start"  # the right kind of answer ...
    assert not result.nlu.right(result.utterance)  # ... but not the right stretch


def test_report_and_json_say_the_same(recognizer: Recognizer) -> None:
    summary = summarize(evaluate(corpus(), recognizer, fake_triage, TABLE), TABLE, top=1)
    text = format_report(summary)
    assert "false emergencies (nlu): 1\n  'my legs are numb'" in text
    assert "missed emergencies (nlu): 1\n  'my hamstrings are tight' -> ordinary" in text
    assert text.endswith("FAILED: an emergency was missed or invented")
    data = json.loads(json.dumps(summary_json(summary)))
    assert data["failed"] is True
    assert data["nlu"]["false_emergency_count"] == 1
    assert data["nlu"]["missed_emergencies"] == [
        {"text": "my hamstrings are tight", "kind": "ordinary"}
    ]
    assert len(data["nlu"]["confusions"]) == 1
    assert set(data["intents"][0]) == {
        "intent", "support", "exact_recall", "exact_precision", "nlu_recall", "nlu_precision"
    }  # fmt: skip


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ({"not": "a list"}, "expected a list"),
        (["text only"], "entry 1: expected a mapping"),
        ([{"text": "hi", "intent": "X"}], "entry 1: missing kind"),
        ([{"text": "hi", "intent": "X", "kind": "chitchat"}], "unknown kind 'chitchat'"),
        ([{"text": "hi", "intent": "X", "kind": "help", "context": "bed"}], "context"),
    ],
)
def test_bad_corpus_entries_are_named(entries: Any, message: str) -> None:
    with pytest.raises(CorpusError, match=message):
        parse_corpus(entries, "c.yaml", TABLE.kinds)


# --- the command


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr("skill.simulator.cli.skill_triage", lambda: fake_triage)
    (tmp_path / "model.json").write_text(json.dumps(fixture_document()))
    good = [e for e in TINY if e["text"] not in ("my hamstrings are tight", "my legs are numb")]
    (tmp_path / "good.yaml").write_text(yaml.safe_dump(good))
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump(TINY))
    return tmp_path


def test_command_passes_a_safe_corpus(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["nlu-eval", "--corpus", str(files / "good.yaml"), "--model", str(files / "model.json")]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert out.startswith("NLU evaluation: 9 utterances, 7 in scope")
    assert "false emergencies (nlu): 0" in out
    assert out.rstrip().endswith("OK")


def test_command_fails_on_a_false_or_missed_emergency_json(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["nlu-eval", "--model", str(files / "model.json"), "--json"]
    args += ["--corpus", str(files / "good.yaml"), "--corpus", str(files / "bad.yaml")]
    assert main(args) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["utterances"] == 9 + 11
    assert data["failed"] is True
    assert data["nlu"]["false_emergencies"] == ["my legs are numb"]


def test_command_without_a_corpus_says_where_it_looked(
    files: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(files)
    assert main(["nlu-eval"]) == 2
    err = capsys.readouterr().err
    assert "error: no corpus at tests/nlu_corpus/corpus.yaml" in err


def test_command_names_a_bad_entry(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (files / "typo.yaml").write_text("- {text: hi, intent: X, kind: chitchat}\n")
    assert main(["nlu-eval", "--corpus", str(files / "typo.yaml")]) == 2
    assert "typo.yaml: entry 1: unknown kind 'chitchat'" in capsys.readouterr().err


def test_command_without_the_triage_is_a_clear_error(
    files: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def missing() -> None:
        raise ImportError("No module named 'skill.core.triage'")

    monkeypatch.setattr("skill.simulator.cli.skill_triage", missing)
    assert main(["nlu-eval", "--corpus", str(files / "good.yaml")]) == 2
    assert "the skill's triage (skill.core.triage) is not available" in capsys.readouterr().err


# --- the real corpus (once the corpus and the triage are merged)


def _summary_of(path: Path) -> Summary:
    from skill.resources import interaction_model_path
    from skill.simulator.cli import skill_triage  # imports skill.core.triage, lazily
    from skill.simulator.nlu import load_model

    utterances = parse_corpus(
        yaml.safe_load(path.read_text(encoding="utf-8")), path.name, TABLE.kinds
    )
    recognizer = Recognizer(load_model(interaction_model_path("en-US")))
    summary = summarize(evaluate(utterances, recognizer, skill_triage(), TABLE), TABLE)
    print(f"\n{path.name}\n" + format_report(summary))
    return summary


def test_the_corpus_has_no_missed_or_false_emergency() -> None:
    """The corpus the skill was tuned on: every emergency caught, none invented."""
    summary = _summary_of(CORPORA[0])
    assert summary.nlu.missed_emergencies == []
    assert summary.nlu.false_emergencies == []
    assert summary.unknown_intents == []


def test_the_held_out_set_invents_no_emergency() -> None:
    """The held-out set is measured, not tuned against (docs/nlu-eval.md, "Results"): no
    false emergency, and no more missed ones than when it was first run (8 of 28)."""
    summary = _summary_of(CORPORA[1])
    assert summary.nlu.false_emergencies == []
    assert len(summary.nlu.missed_emergencies) <= 8
    assert summary.unknown_intents == []
