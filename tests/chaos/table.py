"""The issue's table: fault x latency x status codes x holds lost, from FaultResults; and the
targets a run is held to (tests/test_chaos.py asserts them, bench/chaos.py prints them)."""

from __future__ import annotations

from collections import Counter

from tests.chaos.person import Sample
from tests.chaos.scenario import FaultResult

#: Issue 17's targets: every request answered within 1.5 s, /healthz within 1 s.
ANSWER_WITHIN_S = 1.5
HEALTHZ_WITHIN_S = 1.0


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))
    return ordered[int(rank) - 1]


def codes(samples: list[Sample]) -> str:
    """Statuses with their counts, most common first: `200×310, timeout×8`."""
    counted = Counter(str(s.status) for s in samples)
    return ", ".join(f"{status}×{n}" for status, n in counted.most_common()) or "none"


def latency(samples: list[Sample]) -> tuple[float, float, float]:
    """(p50, p99, max) seconds; zeros when nothing was sent."""
    values = [s.latency_s for s in samples]
    if not values:
        return 0.0, 0.0, 0.0
    return percentile(values, 50), percentile(values, 99), max(values)


HEADER = (
    "| fault | who | requests in window | p50 s | p99 s | max s | status codes | "
    "/healthz max s (codes) | holds saved before | holds lost | finished in window | "
    "unsaved at end |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|---|"
)


def rows(result: FaultResult) -> list[str]:
    """One row for the people, one for each extra load the fault brings (e.g. new cert URLs)."""
    if result.skipped:
        return [f"| {result.fault} | skipped: {result.skipped} |" + " |" * 10]
    health = result.of("healthz")
    health_max = latency(health)[2]
    out = []
    groups = ["person", *sorted({s.group for s in result.samples} - {"person", "healthz"})]
    for group in groups:
        window = result.of(group)
        p50, p99, top = latency(window)
        person = group == "person"
        holds = (
            f"{sum(result.saved_before.values())} | {result.holds_lost} | "
            f"{result.finished['fault']} | {result.holds_unsaved}"
            if person
            else "| | |"
        )
        out.append(
            f"| {result.fault} | {'people' if person else group} | {len(window)} | {p50:.3f} | "
            f"{p99:.3f} | {top:.3f} | {codes(window)} | "
            f"{f'{health_max:.3f} ({codes(health)})' if person else ''} | {holds} |"
        )
    return out


def markdown(results: list[FaultResult]) -> str:
    lines = [HEADER]
    for result in results:
        lines += rows(result)
    return "\n".join(lines)


def notes(result: FaultResult) -> str:
    """The rest of what was seen: recovery, worker threads, tracebacks in the server's log."""
    if result.skipped:
        return f"- {result.fault}: skipped ({result.skipped})"
    after = result.of("person", "recovery")
    threads = " → ".join(
        f"{phase} {result.worker_threads[phase]}"
        for phase in ("warm-up", "fault", "recovery", "end")
        if phase in result.worker_threads
    )
    return (
        f"- {result.fault}: {result.held_past_window('person')} of the people's requests sent "
        f"in the window waited > 1 s and were still waiting when it closed; after it, people "
        f"{codes(after)} "
        f"(max {latency(after)[2]:.3f} s); worker threads (most seen) {threads}; "
        f"tracebacks in the server log: {result.tracebacks}"
    )


def misses(result: FaultResult) -> list[str]:
    """Every target this run missed, in words (empty: all met)."""
    if result.skipped:
        return []
    found = []
    for group in {s.group for s in result.samples} - {"healthz"}:
        window = result.of(group)
        _, p99, top = latency(window)
        if top > ANSWER_WITHIN_S:
            found.append(f"{group}: p99 {p99:.2f} s, max {top:.2f} s > {ANSWER_WITHIN_S} s")
        bad = [s for s in window if not isinstance(s.status, int) or s.status >= 500]
        if bad:
            found.append(f"{group}: {len(bad)} without a 4xx/2xx answer ({codes(bad)})")
    people = result.of("person")
    if not people or any(s.status != 200 for s in people):
        found.append(f"people could not keep stretching: {codes(people)}")
    health = result.of("healthz")
    if not health or latency(health)[2] > HEALTHZ_WITHIN_S:
        found.append(f"/healthz max {latency(health)[2]:.2f} s > {HEALTHZ_WITHIN_S} s")
    if result.saves_blocked and not any(s.status == 503 for s in health):
        found.append(f"/healthz never said 503 while progress could not be saved: {codes(health)}")
    if result.holds_lost:
        found.append(f"{result.holds_lost} holds saved before the fault are gone")
    return found
