"""The NLU evaluation: does each corpus utterance reach the right intent and kind of answer?

Two routes per utterance: a strict exact match against the model (what Alexa guarantees, its
lower bound) and the simulator's NLU (exact, phrase, wildcard, fuzzy, fallback). An utterance
routed to a triage intent (BodyStatementIntent, CantDoIntent) is answered by the triage of its
phrase slot, and the verdict's answer key counts as the intent reached. Pure: the corpus, the
recogniser, the triage and the kind table come in; numbers come out (`summarize`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import yaml

from skill.simulator.nlu.recognizer import FALLBACK, Recognition, Recognizer

EMERGENCY = "emergency"
OUT_OF_SCOPE = "out_of_scope"
UNKNOWN_KIND = "unknown"  # an intent the kind table does not list
# (text, frame) -> (category, answer key): skill.core.triage's verdict, as plain words.
Classify = Callable[[str, str], tuple[str, str]]


class CorpusError(ValueError):
    """A corpus entry the evaluation cannot score (the message says which and why)."""


@dataclass(frozen=True)
class Utterance:
    """One corpus entry: what a person says and what should answer it."""

    text: str
    intent: str  # the intent that should answer, or the triage answer key (UnclearStatement)
    kind: str
    slots: dict[str, str] = field(default_factory=dict)  # slot -> resolved id or value
    context: str | None = None  # "routine": said mid-routine; None: any time


@dataclass(frozen=True)
class KindTable:
    """Intent -> kind of answer (answer_kinds.yaml): what "the right kind" means."""

    kinds: tuple[str, ...]
    intents: dict[str, str]
    in_routine: dict[str, str]
    triage_intents: dict[str, tuple[str, str]]  # intent -> (phrase slot, triage frame)
    categories: dict[str, str]

    def kind(self, intent: str, context: str | None = None) -> str:
        if context == "routine" and intent in self.in_routine:
            return self.in_routine[intent]
        return self.intents.get(intent, UNKNOWN_KIND)


def load_kind_table(text: str | None = None) -> KindTable:
    """The table beside this module (or `text` in its YAML shape), checked for typos."""
    if text is None:
        text = resources.files(__package__).joinpath("answer_kinds.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    kinds = tuple(data["kinds"])
    table = KindTable(
        kinds=kinds,
        intents=dict(data["intents"]),
        in_routine=dict(data.get("in_routine") or {}),
        triage_intents={
            k: (v["slot"], v["frame"]) for k, v in (data.get("triage_intents") or {}).items()
        },
        categories=dict(data["categories"]),
    )
    used = [*table.intents.values(), *table.in_routine.values(), *table.categories.values()]
    unknown = sorted({k for k in used if k not in kinds})
    if unknown:
        raise ValueError(f"answer kinds not in the kinds list: {', '.join(unknown)}")
    return table


def parse_corpus(data: Any, source: str, kinds: Iterable[str]) -> list[Utterance]:
    """Corpus YAML (a list of entries, or {utterances: [...]}) as utterances, validated."""
    if isinstance(data, dict) and "utterances" in data:
        data = data["utterances"]
    if not isinstance(data, list):
        raise CorpusError(f"{source}: expected a list of utterances")
    known = set(kinds)
    out = []
    for n, entry in enumerate(data, 1):
        where = f"{source}: entry {n}"
        if not isinstance(entry, dict):
            raise CorpusError(f"{where}: expected a mapping with text, intent and kind")
        missing = [k for k in ("text", "intent", "kind") if not entry.get(k)]
        if missing:
            raise CorpusError(f"{where}: missing {', '.join(missing)}")
        if entry["kind"] not in known:
            raise CorpusError(f"{where}: unknown kind {entry['kind']!r}")
        slots = entry.get("slots") or {}
        if not isinstance(slots, dict):
            raise CorpusError(f"{where}: slots must be a mapping")
        context = entry.get("context")
        if context not in (None, "any", "routine"):
            raise CorpusError(f"{where}: context must be 'routine' or 'any'")
        out.append(
            Utterance(
                text=str(entry["text"]),
                intent=str(entry["intent"]),
                kind=str(entry["kind"]),
                slots={str(k): str(v) for k, v in slots.items()},
                context=None if context == "any" else context,
            )
        )
    return out


@dataclass(frozen=True)
class Route:
    """Where one utterance went on one route: the intent recognised, the answer reached."""

    intent: str  # as recognised
    answer: str  # the effective intent: the triage's answer key for a triage intent
    kind: str
    method: str  # the recogniser's method (exact, phrase, wildcard, fuzzy, fallback)
    slots_ok: bool  # the corpus' expected slots were filled as expected (True if none)

    def right(self, u: Utterance) -> bool:
        """The right intent (or triage answer) with the expected slots."""
        return self.answer == u.intent and self.slots_ok


@dataclass(frozen=True)
class Result:
    utterance: Utterance
    exact: Route  # strict exact match against the model
    nlu: Route  # the simulator's NLU


def route(rec: Recognition, u: Utterance, table: KindTable, classify: Classify) -> Route:
    """The answer a recognition reaches, through the triage for a triage intent."""
    answer, kind = rec.intent, table.kind(rec.intent, u.context)
    if rec.intent in table.triage_intents:
        slot, frame = table.triage_intents[rec.intent]
        said = rec.slots.get(slot)
        category, answer = classify(said.value if said and said.value else "", frame)
        # The answer's own kind where it has one ("broken wrist" reaches the fracture
        # clinic's number: phone), else the category's.
        kind = table.intents.get(answer) or table.categories.get(category, UNKNOWN_KIND)
    heard = {n: s.resolved_id or s.value for n, s in rec.slots.items()}
    slots_ok = all(heard.get(n) == v for n, v in u.slots.items())
    return Route(rec.intent, answer, kind, rec.method, slots_ok)


def evaluate(
    corpus: Iterable[Utterance], recognizer: Recognizer, classify: Classify, table: KindTable
) -> list[Result]:
    """Each utterance through both routes."""
    return [
        Result(
            u,
            route(recognizer.recognize(u.text, strict=True), u, table, classify),
            route(recognizer.recognize(u.text), u, table, classify),
        )
        for u in corpus
    ]


@dataclass(frozen=True)
class IntentScore:
    """Per expected (or reached) intent: support, recall and precision on both routes."""

    intent: str
    support: int
    exact_recall: float | None  # None: no utterance expects this intent
    exact_precision: float | None  # None: the route never reached it
    nlu_recall: float | None
    nlu_precision: float | None


@dataclass(frozen=True)
class RouteSummary:
    """One route's totals."""

    right_kind: float  # share of all utterances with the right kind of answer
    right_kind_in_scope: float  # the same over in-scope utterances (not for the fallback)
    right_intent: float
    confusions: list[tuple[str, str, int]]  # (expected, reached, count), most frequent first
    false_emergencies: list[str]  # not labelled emergency, got the emergency kind
    missed_emergencies: list[tuple[str, str]]  # labelled emergency: (text, kind it got)
    methods: dict[str, int]


@dataclass(frozen=True)
class Summary:
    size: int
    in_scope: int
    exact_coverage: float  # in-scope utterances that match a sample exactly (any intent)
    exact_coverage_right: float  # ... and reach the expected intent
    intents: list[IntentScore]
    exact: RouteSummary
    nlu: RouteSummary
    unknown_intents: list[str]  # reached but not in the kind table

    @property
    def failed(self) -> bool:
        """The gate: a missed or a false emergency on the simulator's route."""
        return bool(self.nlu.false_emergencies or self.nlu.missed_emergencies)


def in_scope(u: Utterance) -> bool:
    """A request the skill should understand: not one for the fallback."""
    return u.kind != OUT_OF_SCOPE and u.intent != FALLBACK


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _route_summary(results: Sequence[Result], pick: str, top: int) -> RouteSummary:
    routes = [(r.utterance, getattr(r, pick)) for r in results]
    scoped = [(u, x) for u, x in routes if in_scope(u)]
    confusions = Counter((u.intent, x.answer) for u, x in routes if not x.right(u))
    return RouteSummary(
        right_kind=_share(sum(x.kind == u.kind for u, x in routes), len(routes)),
        right_kind_in_scope=_share(sum(x.kind == u.kind for u, x in scoped), len(scoped)),
        right_intent=_share(sum(x.right(u) for u, x in routes), len(routes)),
        confusions=[(e, g, n) for (e, g), n in confusions.most_common(top)],
        false_emergencies=[
            u.text for u, x in routes if u.kind != EMERGENCY and x.kind == EMERGENCY
        ],
        missed_emergencies=[
            (u.text, x.kind) for u, x in routes if u.kind == EMERGENCY and x.kind != EMERGENCY
        ],
        methods=dict(Counter(x.method for _, x in routes).most_common()),
    )


def _score(results: Sequence[Result], intent: str, pick: str) -> tuple[float | None, ...]:
    expected = [r for r in results if r.utterance.intent == intent]
    reached = [r for r in results if getattr(r, pick).answer == intent]
    recall = _share(sum(getattr(r, pick).right(r.utterance) for r in expected), len(expected))
    precision = _share(sum(getattr(r, pick).right(r.utterance) for r in reached), len(reached))
    return (recall if expected else None, precision if reached else None)


def summarize(results: Sequence[Result], table: KindTable, *, top: int = 10) -> Summary:
    """Per-intent recall and precision, right-kind rates, confusions and emergencies."""
    scoped = [r for r in results if in_scope(r.utterance)]
    names = sorted(
        {r.utterance.intent for r in results}
        | {r.exact.answer for r in results}
        | {r.nlu.answer for r in results}
    )
    intents = []
    for name in names:
        exact_recall, exact_precision = _score(results, name, "exact")
        nlu_recall, nlu_precision = _score(results, name, "nlu")
        support = sum(r.utterance.intent == name for r in results)
        intents.append(
            IntentScore(name, support, exact_recall, exact_precision, nlu_recall, nlu_precision)
        )
    intents.sort(key=lambda s: (-s.support, s.intent))
    reached = {r.exact.answer for r in results} | {r.nlu.answer for r in results}
    return Summary(
        size=len(results),
        in_scope=len(scoped),
        exact_coverage=_share(sum(r.exact.method != "fallback" for r in scoped), len(scoped)),
        exact_coverage_right=_share(sum(r.exact.right(r.utterance) for r in scoped), len(scoped)),
        intents=intents,
        exact=_route_summary(results, "exact", top),
        nlu=_route_summary(results, "nlu", top),
        unknown_intents=sorted(i for i in reached if i not in table.intents),
    )
