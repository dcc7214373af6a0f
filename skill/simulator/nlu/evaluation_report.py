"""The NLU evaluation's summary as a table for people and as one JSON object for scripts.

Both say the same things (docs/nlu-eval.md explains how to read them); kept apart from the
numbers so the table can change without touching what is measured.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from skill.simulator.nlu.evaluation import RouteSummary, Summary


def _pct(value: float | None) -> str:
    return "    -" if value is None else f"{value * 100:5.1f}"


def summary_json(summary: Summary) -> dict[str, Any]:
    """Everything the table shows, as plain JSON values (shares as 0-1, 4 decimals)."""

    def rounded(value: Any) -> Any:
        if isinstance(value, float):
            return round(value, 4)
        if isinstance(value, dict):
            return {k: rounded(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [rounded(v) for v in value]
        return value

    def route(r: RouteSummary) -> dict[str, Any]:
        data = asdict(r)
        data["confusions"] = [{"expected": e, "got": g, "count": n} for e, g, n in r.confusions]
        data["missed_emergencies"] = [{"text": t, "kind": k} for t, k in r.missed_emergencies]
        data["false_emergency_count"] = len(r.false_emergencies)
        return data

    return rounded(
        {
            "utterances": summary.size,
            "in_scope": summary.in_scope,
            "exact_coverage": summary.exact_coverage,
            "exact_coverage_right": summary.exact_coverage_right,
            "intents": [asdict(s) for s in summary.intents],
            "exact": route(summary.exact),
            "nlu": route(summary.nlu),
            "unknown_intents": summary.unknown_intents,
            "failed": summary.failed,
        }
    )


def format_report(summary: Summary) -> str:
    """The table: per intent, then the totals, confusions and emergencies."""
    width = max([len(s.intent) for s in summary.intents] + [len("intent")])
    lines = [
        f"NLU evaluation: {summary.size} utterances, {summary.in_scope} in scope",
        "",
        "recall and precision in % (-: no utterance expects it / the route never reached it)",
        "",
        f"{'intent':<{width}}  support  exact: recall  prec.   nlu: recall  prec.",
    ]
    for s in summary.intents:
        lines.append(
            f"{s.intent:<{width}}  {s.support:7d}         {_pct(s.exact_recall)}  "
            f"{_pct(s.exact_precision)}         {_pct(s.nlu_recall)}  {_pct(s.nlu_precision)}"
        )
    lines += [
        "",
        f"{'':<28}  exact   nlu",
        f"{'right kind of answer, all':<28}  {_pct(summary.exact.right_kind)}  "
        f"{_pct(summary.nlu.right_kind)}",
        f"{'right kind, in scope':<28}  {_pct(summary.exact.right_kind_in_scope)}  "
        f"{_pct(summary.nlu.right_kind_in_scope)}",
        f"{'right intent (and slots)':<28}  {_pct(summary.exact.right_intent)}  "
        f"{_pct(summary.nlu.right_intent)}",
        "",
        f"exact-match coverage of in-scope utterances: {_pct(summary.exact_coverage)} % "
        f"match a sample, {_pct(summary.exact_coverage_right)} % reach the expected intent",
        "nlu methods: " + ", ".join(f"{m} {n}" for m, n in summary.nlu.methods.items()),
    ]
    for name, route in (("nlu", summary.nlu), ("exact", summary.exact)):
        lines += ["", f"top confusions ({name}): expected -> got"]
        lines += [f"  {n:4d}  {e} -> {g}" for e, g, n in route.confusions] or ["  none"]
    nlu = summary.nlu
    lines += ["", f"false emergencies (nlu): {len(nlu.false_emergencies)}"]
    lines += [f"  {text!r}" for text in nlu.false_emergencies]
    lines += [f"missed emergencies (nlu): {len(nlu.missed_emergencies)}"]
    lines += [f"  {text!r} -> {kind}" for text, kind in nlu.missed_emergencies]
    exact = summary.exact
    lines += [
        f"(exact route, for comparison: {len(exact.false_emergencies)} false, "
        f"{len(exact.missed_emergencies)} missed emergencies)"
    ]
    if summary.unknown_intents:
        lines += ["", "reached but not in answer_kinds.yaml: " + ", ".join(summary.unknown_intents)]
    lines += ["", "FAILED: an emergency was missed or invented" if summary.failed else "OK"]
    return "\n".join(lines)
