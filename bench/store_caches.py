"""What each cache in the progress store saves a request, in process.

    python -m bench.store_caches [--requests N] [--rounds R]

A request here is what a served intent or launch asks of the store: `load` (profile and summary
of a person with 30 days of history) and `save` (one hold, the resume point and the last
stretch). Each variant is a store with one cache taken away; the variants run interleaved, in
rounds, so machine noise hits them alike, and each line gives the median per request and the
median of the per-round differences to the store as it is. A cache stays only where it saves
a request more than a few µs (a served request costs ~900 µs).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from skill.store.connections import DriverConnections
from skill.store.progress_store import ProgressStore
from skill.store.schema import profiles_table
from skill.store.statements import DriverStatement, Statements, summary_sql

TODAY = date(2026, 11, 26)
USER = "amzn1.ask.account." + "A" * 180
RESUME = {"routine": {"stretch": "seated", "step": 3, "holds_done": [1, 2]}, "at": "x" * 25}


class Uncompiled(Statements):
    """Statements that build and compile one of them (`rebuilt`) anew for every run, as
    without a cache. A subclass per variant: the property set on it stays there."""

    rebuilt = ""

    def __init__(self, dialect: Any) -> None:
        super().__init__(dialect)
        builders: dict[str, Callable[[], Any]] = {
            "select_profile": lambda: sa.select(profiles_table).where(
                profiles_table.c.user_id == sa.bindparam("user_id", type_=sa.Text)
            ),
            "summary": lambda: summary_sql(dialect.name),
            "add_counts": self._add_counts,
        }
        if self.rebuilt in builders:
            build = builders[self.rebuilt]
            setattr(type(self), self.rebuilt, property(lambda s: s._compile(build())))

    def profile_upsert(self, names: tuple[str, ...]) -> DriverStatement:
        if self.rebuilt == "profile_upsert":
            self._profile_upserts.clear()
        return super().profile_upsert(names)


class PooledConnections(DriverConnections):
    """SQLite connections from SQLAlchemy's pool instead of the store's own idle list."""

    def checkout(self) -> Any:
        return self.engine.raw_connection()

    def checkin(self, connection: Any, *, healthy: bool) -> None:
        if not healthy:
            connection.invalidate()
        connection.close()


VARIANTS = (
    "as is",
    "select_profile",
    "summary",
    "add_counts",
    "profile_upsert",
    "idle list",
)


def make_store(folder: Path, variant: str) -> ProgressStore:
    store = ProgressStore(f"sqlite:///{folder / variant.replace(' ', '_')}.db")
    for back in range(30):
        store.save(USER, day=TODAY - timedelta(days=back), holds=6, sessions=1)
    engine = store._connections.engine
    if variant == "idle list":
        store._connections = PooledConnections(engine)
    elif variant != "as is":
        rebuilt = type(f"Uncompiled_{variant}", (Uncompiled,), {"rebuilt": variant})
        store._statements = rebuilt(engine.dialect)
    return store


def one_request(store: ProgressStore) -> None:
    store.load(USER, TODAY)
    store.save(USER, day=TODAY, holds=1, resume_point=RESUME, last_stretch="seated")


def measure(requests: int, rounds: int) -> dict[str, list[float]]:
    """Microseconds per request of each variant, one value per round."""
    results: dict[str, list[float]] = {variant: [] for variant in VARIANTS}
    with tempfile.TemporaryDirectory() as tmp:
        stores = {variant: make_store(Path(tmp), variant) for variant in VARIANTS}
        try:
            for _ in range(rounds):
                for variant, store in stores.items():
                    for _ in range(20):
                        one_request(store)
                    started = time.perf_counter()
                    for _ in range(requests):
                        one_request(store)
                    elapsed = time.perf_counter() - started
                    results[variant].append(elapsed / requests * 1e6)
        finally:
            for store in stores.values():
                store.close()
    return results


def lines(results: dict[str, list[float]]) -> list[str]:
    base = results["as is"]
    out = ["without           median_us  saved_us (median of per-round differences)"]
    for variant, values in results.items():
        saved = statistics.median(v - b for v, b in zip(values, base, strict=True))
        out.append(f"{variant:<18}{statistics.median(values):>9.1f}{saved:>+10.1f}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    print("\n".join(lines(measure(args.requests, args.rounds))))


if __name__ == "__main__":
    main()
